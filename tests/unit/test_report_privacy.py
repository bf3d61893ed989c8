"""The privacy rule of reports: fewer than five people's bearings checks, or one worker's
work alone, and the figure is not shown."""

from __future__ import annotations

import dataclasses

from bot.domain.report_privacy import (
    FEW_BEARINGS,
    MIN_BEARINGS_PEOPLE,
    ONE_WORKER,
    guarded,
    withheld_because,
)


def test_bearings_figures_need_five_different_people() -> None:
    assert MIN_BEARINGS_PEOPLE == 5
    assert withheld_because([1, 2, 3, 4], bearings=True) == FEW_BEARINGS
    assert withheld_because([1, 1, 2, 3, 4, 4], bearings=True) == FEW_BEARINGS  # people, not checks
    assert withheld_because([], bearings=True) == FEW_BEARINGS
    assert withheld_because([1, 2, 3, 4, 5], bearings=True) is None


def test_one_workers_work_alone_is_never_shown_two_or_none_are() -> None:
    assert withheld_because([7]) == ONE_WORKER
    assert withheld_because([7, 7, 7]) == ONE_WORKER
    assert withheld_because([7, 8]) is None
    assert withheld_because([]) is None  # nothing happened: gives nobody away


def test_guarded_keeps_the_value_only_when_shown() -> None:
    assert guarded(12, [1]).value is None and not guarded(12, [1]).shown
    assert guarded(12, [1, 2]).value == 12 and guarded(12, [1, 2]).shown
    withheld = guarded(3, [1, 2], bearings=True)
    assert withheld.withheld == FEW_BEARINGS and dataclasses.asdict(withheld)["value"] is None


def test_the_first_working_day_of_january_2028_is_monday_the_3rd() -> None:
    from datetime import date

    from bot.domain.schedule import first_working_day_of_month

    weekdays = frozenset(range(5))
    assert first_working_day_of_month(date(2028, 1, 20), weekdays) == date(2028, 1, 3)
    assert first_working_day_of_month(date(2028, 3, 9), weekdays) == date(2028, 3, 1)  # Wed
    assert first_working_day_of_month(date(2028, 1, 1), frozenset({5})) == date(2028, 1, 1)
