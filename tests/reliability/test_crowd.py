"""The battery's crowd: its team owes nothing to the time of day the suite runs at.

The battery's bots run on the real clock. A team with the default hours would hold a
"this week" flag until 08:00 and the weekend's until Monday, and the battery would pass by
day and fail by night.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.clock import SystemClock
from bot.domain.schedule import next_allowed
from bot.services.timing import rules_of
from storage.db import Database
from storage.models import Team
from tests.reliability.people import seed_crowd

NIGHT_AND_WEEKEND = (
    datetime(2026, 12, 1, 22, 30, tzinfo=UTC),  # a Tuesday night
    datetime(2026, 12, 6, 3, 0, tzinfo=UTC),  # a Sunday, before dawn
    datetime(2026, 12, 7, 7, 59, tzinfo=UTC),  # a Monday, a minute before the default day
)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_crowds_team_works_round_the_clock(database: Database) -> None:
    crowd = await seed_crowd(database, SystemClock(), workers=2)
    async with database.unit_of_work() as uow:
        team = (await uow.session.scalars(select(Team))).one()
        hours = rules_of(team).hours
    assert len(crowd.workers) == 2
    for instant in NIGHT_AND_WEEKEND:
        assert next_allowed(instant, hours) == instant
