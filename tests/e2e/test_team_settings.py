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


async def test_the_key_worker_process_timings_and_evaluation_counts_are_set_from_the_chat(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    """Issue 22.1 and 22.7: the stages' timings and what an evaluation counts are the team's
    choice, made in /teamsettings (up to six counts, picked or typed)."""
    await seed_team(database, clock)
    sam = Chatter(emulator, SAM, "Sam")
    await sam.send("/teamsettings")
    await sam.tap_until("First contact and assessment", "no first contact")
    await sam.tap_until("10 days", "assessment due")
    saved = await sam.tap_until("Three weeks", "Saved")
    assert "first contact and assessment timings" in saved.text
    await sam.send("/teamsettings")
    await sam.tap_until("How often plans are reviewed", "How often")
    await sam.tap_until("Every 8 weeks", "Saved")
    await sam.send("/teamsettings")
    await sam.tap_until("Day of the engagement check", "which day")
    await sam.tap_until("Thursday", "Saved")
    await sam.send("/teamsettings")
    await sam.tap_until("What an evaluation counts", "Up to 6")
    await sam.tap_until("Police call-outs", "So far:")
    for typed in ("Nights away from home", "Fixed-term exclusions", "Calls to 101"):
        await sam.send_until(typed, "So far:")
    await sam.tap_until("A&E visits", "So far:")
    await sam.tap_until("School days missed", "So far:")
    refused = await sam.send("Detentions")
    assert "6" in refused.text  # a seventh is refused, the six kept
    saved = await sam.tap_until("✓ That's all", "Saved")
    assert "evaluation counts" in saved.text
    async with database.unit_of_work() as uow:
        team = (await uow.session.scalars(select(Team).where(Team.name == "North Team"))).one()
    settings = team.settings or {}
    assert (settings["first_contact_alert_days"], settings["assessment_due_days"]) == (10, 21)
    assert (settings["plan_review_weeks"], settings["engagement_weekday"]) == (8, 3)
    assert settings["evaluation_counts"] == [
        "Police call-outs",
        "Nights away from home",
        "Fixed-term exclusions",
        "Calls to 101",
        "A&E visits",
        "School days missed",
    ]
