"""Issue 19.5: nothing a person did not ask for reaches them in their quiet hours, urgent flags
aside. A flag's copy owed to a supervisor and delivered late (Telegram was down) is held to
the morning when it is a "this week" flag, and goes at once when it is urgent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import MovableClock
from bot.domain.flags import Urgency
from bot.services import flags
from bot.services.access import require_person
from bot.services.flag_messages import FLAG
from bot.services.outgoing import Later, Outgoing, compose
from storage.db import Database
from tests.team import SUPERVISOR_ID, WORKER_ID, seed_team

MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # Europe/London: UTC in November


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(MONDAY_NOON)


@pytest.mark.parametrize(("urgency", "held"), [(Urgency.WEEK, True), (Urgency.TODAY, False)])
async def test_a_flag_copy_delivered_late_at_night_waits_for_the_morning_unless_urgent(
    database: Database, clock: MovableClock, urgency: Urgency, held: bool
) -> None:
    await seed_team(database, clock)
    async with database.unit_of_work() as uow:
        alex = await require_person(uow, WORKER_ID)
        await flags.raise_flag(
            uow, clock, alex, case_id=None, urgency=urgency, source="case", summary="Worried"
        )
    clock.advance(timedelta(hours=10, minutes=30))  # 22:30: Telegram came back only now
    async with database.unit_of_work() as uow:
        sam = await uow.members.by_telegram_id(SUPERVISOR_ID)
        assert sam is not None
        row = next(r for r in await uow.outbox.with_key_prefix("flag:") if r.member_id == sam.id)
        assert row.kind == FLAG
        composed = await compose(uow, clock, row)
    if held:
        assert isinstance(composed, Later)
        assert composed.at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # the team's 08:00
    else:
        assert isinstance(composed, Outgoing)
