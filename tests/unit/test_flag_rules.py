"""Flag rules: states and actions, deadlines in working time, chasing once, figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.flags import (
    Deadlines,
    FlagAction,
    FlagState,
    Urgency,
    actions_in,
    allowed,
    chase_due,
    deadlines,
    flag_figures,
)
from bot.domain.schedule import WorkingHours, add_working_time, next_allowed
from bot.domain.team_settings import TeamSettings

MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FRIDAY_21 = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)
LONDON = WorkingHours()


def test_a_new_flag_offers_every_action_and_a_resolved_one_none() -> None:
    assert actions_in(FlagState.OPEN) == list(FlagAction)
    assert actions_in(FlagState.RESOLVED) == []
    assert not allowed(FlagState.ACKNOWLEDGED, FlagAction.ACKNOWLEDGE)
    assert allowed(FlagState.ACKNOWLEDGED, FlagAction.CALL)


def test_urgent_flags_run_on_the_clock_even_at_night() -> None:
    due = deadlines(Urgency.TODAY, FRIDAY_21, TeamSettings(), LONDON)
    assert due == Deadlines(FRIDAY_21 + timedelta(hours=1), FRIDAY_21 + timedelta(hours=2))


def test_this_week_flags_count_working_time_only() -> None:
    due = deadlines(Urgency.WEEK, FRIDAY_21, TeamSettings(), LONDON)
    assert due.remind_at == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # Monday 16:00
    assert due.escalate_at == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # Tuesday 12:00
    assert deadlines(Urgency.SUPERVISION, FRIDAY_21, TeamSettings(), LONDON) == Deadlines(
        None, None
    )


def test_each_chase_happens_once() -> None:
    due = Deadlines(MONDAY_9, MONDAY_9 + timedelta(hours=1))
    assert chase_due(MONDAY_9 - timedelta(seconds=1), due, reminded=False, escalated=False) == (
        False,
        False,
    )
    assert chase_due(MONDAY_9, due, reminded=False, escalated=False) == (True, False)
    assert chase_due(MONDAY_9, due, reminded=True, escalated=False) == (False, False)
    later = MONDAY_9 + timedelta(hours=2)
    assert chase_due(later, due, reminded=True, escalated=False) == (False, True)
    assert chase_due(later, due, reminded=True, escalated=True) == (False, False)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (MONDAY_9, MONDAY_9),
        (FRIDAY_21, datetime(2026, 11, 30, 8, 0, tzinfo=UTC)),
        (datetime(2026, 11, 24, 6, 0, tzinfo=UTC), datetime(2026, 11, 24, 8, 0, tzinfo=UTC)),
        # British Summer Time: 07:30 UTC on a June Monday is 08:30 in London, allowed.
        (datetime(2026, 6, 1, 7, 30, tzinfo=UTC), datetime(2026, 6, 1, 7, 30, tzinfo=UTC)),
        (datetime(2026, 6, 1, 6, 30, tzinfo=UTC), datetime(2026, 6, 1, 7, 0, tzinfo=UTC)),
    ],
)
def test_next_allowed_respects_quiet_hours_weekends_and_summer_time(
    instant: datetime, expected: datetime
) -> None:
    assert next_allowed(instant, LONDON) == expected


def test_working_time_skips_nights_and_weekends() -> None:
    assert add_working_time(MONDAY_9, timedelta(hours=8), LONDON) == MONDAY_9 + timedelta(hours=8)
    friday_19 = datetime(2026, 11, 27, 19, 0, tzinfo=UTC)
    assert add_working_time(friday_19, timedelta(hours=2), LONDON) == datetime(
        2026, 11, 30, 9, 0, tzinfo=UTC
    )


def test_flag_figures() -> None:
    raised = MONDAY_9
    flags = [
        (raised, raised + timedelta(minutes=minutes), minutes > 60)
        for minutes in (10, 20, 30, 40, 120)
    ]
    flags.append((raised, None, True))
    figures = flag_figures(flags)
    assert (figures.raised, figures.acknowledged, figures.escalated) == (6, 5, 2)
    assert figures.median_to_ack == timedelta(minutes=30)
    assert figures.p90_to_ack == timedelta(minutes=120)
    assert flag_figures([]).median_to_ack is None


def test_only_a_flag_that_may_wait_offers_the_supervision_agenda() -> None:
    from bot.domain.flags import FlagAction, FlagState, Urgency, offered

    open_ = FlagState.OPEN
    assert FlagAction.AGENDA in offered(open_, Urgency.WEEK, "case")
    assert FlagAction.AGENDA in offered(open_, Urgency.SUPERVISION, "stuck")
    assert FlagAction.AGENDA not in offered(open_, Urgency.TODAY, "case")
    assert FlagAction.AGENDA not in offered(open_, Urgency.WEEK, "safeguarding")
    assert offered(open_, Urgency.TODAY, "case") == [
        FlagAction.ACKNOWLEDGE,
        FlagAction.CALL,
        FlagAction.RESOLVE,
    ]


def test_a_picked_up_flag_is_followed_up_on_its_own_clock_until_resolved() -> None:
    from bot.domain.flags import Urgency, follow_up_deadlines

    monday_10 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    settings = TeamSettings()
    urgent = follow_up_deadlines(Urgency.TODAY, monday_10, settings, LONDON)
    assert (urgent.remind_at, urgent.escalate_at) == (
        monday_10 + timedelta(hours=4),
        monday_10 + timedelta(hours=8),
    )
    week = follow_up_deadlines(Urgency.WEEK, monday_10, settings, LONDON)
    two_days = 2 * timedelta(minutes=settings.ack_working_minutes_week)
    assert week.remind_at == add_working_time(monday_10, two_days, LONDON)
    assert week.remind_at is not None and week.remind_at > monday_10 + timedelta(days=1)
    later = follow_up_deadlines(Urgency.SUPERVISION, monday_10, settings, LONDON)
    assert later.remind_at == monday_10 + timedelta(days=14)
    assert later.escalate_at == monday_10 + timedelta(days=28)
    # With the worker's next supervision planned (Thursday week), the update is asked for
    # the day after it, and the flag escalates the team's days after that.
    after_supervision = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
    planned = follow_up_deadlines(
        Urgency.SUPERVISION, monday_10, settings, LONDON, after_supervision
    )
    assert planned.remind_at == after_supervision
    assert planned.escalate_at == after_supervision + timedelta(days=14)
    # A supervision already past when the flag was picked up does not count.
    past = follow_up_deadlines(
        Urgency.SUPERVISION, monday_10, settings, LONDON, monday_10 - timedelta(days=1)
    )
    assert past.remind_at == monday_10 + timedelta(days=14)
