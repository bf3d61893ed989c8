"""Where people are in time (bot/services/local_time.py): their own zone, else their team's,
else the DEFAULT_TIMEZONE setting the composition root hands over."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr

from bot.app import build
from bot.clock import MovableClock
from bot.config import Settings
from bot.services.access import require_person
from bot.services.local_time import default_zone, local_today, member_zone, use_default_zone
from storage.crypto import generate_key
from storage.db import Database
from tests.conftest import TEST_DEFAULT_TIMEZONE
from tests.team import seed_team

# 23:30 in London on Sunday 22 November is already Monday morning in Auckland.
LATE_SUNDAY = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)


@pytest.fixture
def default_timezone_restored() -> Iterator[None]:
    """A test that hands over another DEFAULT_TIMEZONE leaves the tests' own behind it."""
    yield
    use_default_zone(TEST_DEFAULT_TIMEZONE)


async def test_a_member_works_in_their_own_zone_else_their_teams(database: Database) -> None:
    clock = MovableClock(LATE_SUNDAY)
    team = await seed_team(database, clock)
    async with database.unit_of_work() as uow:
        person = await require_person(uow, team.worker)
        assert await local_today(uow, clock, person) == date(2026, 11, 22)  # the team's London
        member = await uow.members.get(person.member_id)
        assert member is not None
        member.timezone = "Pacific/Auckland"
        assert await member_zone(uow, member) == ZoneInfo("Pacific/Auckland")
        assert await local_today(uow, clock, person) == date(2026, 11, 23)


async def test_someone_with_no_team_to_go_by_gets_the_default_timezone_setting(
    database: Database, default_timezone_restored: None
) -> None:
    use_default_zone("Pacific/Auckland")
    async with database.unit_of_work() as uow:
        assert await member_zone(uow, None) == ZoneInfo("Pacific/Auckland")


async def test_starting_the_bot_hands_over_the_default_timezone_setting(
    default_timezone_restored: None,
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=SecretStr("123:local"),
        bearings_data_keys=SecretStr(generate_key()),
        database_url="sqlite+aiosqlite:///:memory:",
        default_timezone="America/New_York",
    )
    bearings = build(settings)
    try:
        assert default_zone() == ZoneInfo("America/New_York")
    finally:
        await bearings.database.dispose()
