"""Which closed cases are due to be purged (bot/domain/retention.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import storage.models_process  # noqa: F401  (the key-worker process's tables join the metadata)
from bot.domain.retention import (
    ClosedCase,
    cutoffs,
    due_for_purge,
    is_due,
    purge_cutoff,
    retention_days,
)
from bot.domain.team_settings import team_settings
from storage.models import Base
from storage.repositories.retention import PURGED_TABLES

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def closed(days_ago: float, case_id: int = 1) -> ClosedCase:
    return ClosedCase(case_id, NOW - timedelta(days=days_ago))


def test_a_case_is_due_once_the_whole_period_has_passed_since_closing() -> None:
    assert not is_due(closed(89.99), NOW, 90)
    assert is_due(closed(90), NOW, 90)
    assert is_due(closed(400), NOW, 90)


def test_an_open_case_is_never_due() -> None:
    assert not is_due(ClosedCase(1, None), NOW, 1)


def test_due_cases_come_oldest_closed_first() -> None:
    cases = [closed(100, 1), closed(10, 2), closed(300, 3), ClosedCase(4, None), closed(95, 5)]
    assert [case.id for case in due_for_purge(cases, NOW, 90)] == [3, 1, 5]


def test_the_cutoff_is_the_period_before_now_and_at_least_a_day() -> None:
    assert purge_cutoff(NOW, 30) == NOW - timedelta(days=30)
    with pytest.raises(ValueError):
        purge_cutoff(NOW, 0)


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ({}, 90),
        ({"retention_days": None}, 90),
        ({"retention_days": 30}, 30),
        ({"retention_days": 3650}, 3650),
        # Anything that is not a sensible number of days falls back: never purge early by mistake.
        ({"retention_days": 0}, 90),
        ({"retention_days": -5}, 90),
        ({"retention_days": "30"}, 90),
        ({"retention_days": True}, 90),
        ({"retention_days": 3651}, 90),
    ],
)
def test_a_team_setting_overrides_the_deployment_default(
    stored: dict[str, object], expected: int
) -> None:
    assert retention_days(team_settings(stored).retention_days, 90) == expected


def test_each_team_has_its_own_cutoff() -> None:
    assert cutoffs(NOW, {1: 30, 2: 90}) == {
        1: NOW - timedelta(days=30),
        2: NOW - timedelta(days=90),
    }


def test_every_table_that_points_at_a_case_is_purged_with_it() -> None:
    """A new table with a case's rows, left out of the purge, would make every purge of a case
    that has one fail on its foreign key (the weekly engagement checks once did)."""
    pointing = {
        table.name
        for table in Base.metadata.sorted_tables
        for key in table.foreign_keys
        if key.column.table.name == "cases" and table.name != "cases"
    }
    assert {"visits", "plan_reviews", "engagement_checks"} <= pointing  # the whole metadata
    assert pointing <= set(PURGED_TABLES), pointing - set(PURGED_TABLES)
