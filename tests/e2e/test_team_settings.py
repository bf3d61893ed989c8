"""Issue 20.2: a supervisor changes the team's settings from the chat; each change is
audited with who made it, and the team's other supervisors are told. Workers cannot."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from storage.models import AuditEntry, Team
from tests.e2e.conftest import Chatter, member
from tests.team import seed_team

SAM, ALEX, DEE = 1001, 1002, 1005


async def test_a_supervisor_changes_the_working_days_and_the_other_supervisor_is_told(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock, second_supervisor=True)
    sam = Chatter(emulator, SAM, "Sam")
    asked = await sam.send("/teamsettings")
    assert "Which of the team's settings" in asked.text
    await sam.tap("Working days")
    saved = await sam.tap_until("Monday to Saturday", "Saved")
    assert "North Team's working days" in saved.text
    told = await emulator.wait_for_bot_message(
        DEE, lambda m: "changed North Team's working days" in m.text, after=0
    )
    assert "Sam Supervisor" in told.text
    async with database.unit_of_work() as uow:
        team = (await uow.session.scalars(select(Team).where(Team.name == "North Team"))).one()
        entry = (
            await uow.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "team.setting_changed")
            )
        ).all()[-1]
        sam_id = (await member(uow, SAM)).id
    assert team.working_days == "123456"
    assert entry.actor_id == sam_id and entry.detail == {"setting": "working_days"}


async def test_the_safeguarding_instruction_is_typed_and_a_worker_cannot_start(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    assert "Only supervisors" in (await alex.send("/teamsettings")).text
    sam = Chatter(emulator, SAM, "Sam")
    await sam.send("/teamsettings")
    await sam.tap("Safeguarding instruction")
    instruction = "Ring the duty line on 0300 123 4567 & tell the DSL."
    saved = await sam.send_until(instruction, "Saved")
    assert "safeguarding instruction" in saved.text
    async with database.unit_of_work() as uow:
        team = (await uow.session.scalars(select(Team).where(Team.name == "North Team"))).one()
    assert (team.settings or {})["safeguarding_instruction"] == instruction
