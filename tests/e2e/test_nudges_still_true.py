"""Nudges are still true when they arrive, and keep the person's time (issue 19.4, 19.5): a visit
logged, or a visit note under way, withdraws a visit nudge (one shown is edited to say so);
"Your week" is built from the data of its moment; a nudge delivered late waits out quiet hours."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from storage.models import OutboxMessage
from tests.e2e.conftest import Chatter, member
from tests.e2e.test_nudges import ALEX, nudges_about, seed_case
from tests.team import seed_team
from tests.waiting import eventually

pytestmark = pytest.mark.file_database  # the test reads the outbox while the bot writes it


async def outbox(database: Database, prefix: str) -> list[OutboxMessage]:
    async with database.unit_of_work() as uow:
        return list(await uow.outbox.with_key_prefix(prefix))


async def log_visit(alex: Chatter, reference: str, when: str = "Today") -> None:
    """/visit, all the way to "Saved your visit" (each step waits for its own question: a
    nudge or the weekly summary may arrive in between)."""
    await alex.send_until("/visit", "Which case")
    await alex.tap_until(reference, "When was the visit")
    if when == "Today":
        await alex.tap_until(when, "How did it go")
    else:
        await alex.send_until(when, "How did it go")
    await alex.send_until("Went well", "has the risk changed")
    await alex.tap_until("Same", "next step")
    await alex.send_until("Ring school", "Saved your visit")


async def test_a_visit_nudge_shown_says_done_once_the_visit_is_logged_and_its_buttons_do_nothing(
    bot_with_nudges: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await seed_case(database, clock, "FAM-0142", date(2026, 11, 23))
    nudge = await emulator.wait_for_bot_message(
        ALEX, lambda m: "A visit to FAM-0142 is due today" in m.text, after=0
    )
    message_id, snooze = alex.button("Snooze 1 day")

    await log_visit(alex, "FAM-0142")  # by /visit, not by the nudge's Done
    edited = await emulator.wait_for_edit(
        ALEX, nudge.message_id, predicate=lambda m: "✓ Visit logged" in m.text
    )
    assert "FAM-0142" in edited.text and edited.buttons == []

    answer = await alex.press_data(message_id, snooze)
    assert answer.get("text") == "Already done."
    assert [row for row in await outbox(database, "visit_due:") if ":snooze:" in row.key] == []


async def test_a_visit_nudge_is_withdrawn_while_that_visit_note_is_under_way(
    bot_with_nudges: Bearings,
    emulator: BotApiEmulator,
    database: Database,
    clock: MovableClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.services.nudges.messages")
    clock.set(datetime(2026, 11, 23, 8, 30, tzinfo=UTC))  # before the nudge hour
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await seed_case(database, clock, "FAM-0142", date(2026, 11, 23))
    await alex.send("/visit")
    await alex.tap("FAM-0142")  # the note is under way when the nudge's time comes

    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))

    async def dropped() -> bool:
        return [row.status for row in await outbox(database, "visit_due:")] == ["dropped"]

    await eventually(dropped)
    assert nudges_about(emulator, ALEX, "A visit to FAM-0142") == []
    why = [(r.kind, r.why) for r in caplog.records if r.msg == "nudge.dropped"]
    assert why == [("visit_due", "visit_under_way")]  # at DEBUG, ids and kinds only


async def test_a_nudges_button_while_its_visit_note_is_under_way_changes_nothing(
    bot_with_nudges: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await seed_case(database, clock, "FAM-0142", date(2026, 11, 23))
    await emulator.wait_for_bot_message(ALEX, lambda m: "is due today" in m.text, after=0)
    await alex.send("/visit")
    await alex.tap("FAM-0142")
    pressed = await alex.press("Snooze 1 day")
    assert "Logging the visit" in pressed.text and pressed.buttons == []
    assert [row for row in await outbox(database, "visit_due:") if ":snooze:" in row.key] == []


async def test_your_week_is_built_from_the_data_of_its_moment(
    bot_with_nudges: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    clock.set(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))  # Monday, before the summary's time
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await seed_case(database, clock, "FAM-0142", date(2026, 11, 25))
    await log_visit(alex, "FAM-0142", "20/11")  # next visit due Fri 27 Nov
    before = len(emulator.bot_messages(ALEX))
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    week = await emulator.wait_for_bot_message(ALEX, lambda m: "Your week" in m.text, after=before)
    assert "FAM-0142 – Fri 27 Nov" in week.text and "Wed 25 Nov" not in week.text


async def test_a_summary_delivered_late_waits_out_quiet_hours_then_arrives(
    bot_with_nudges: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    """Planned at 19:59, delivered late (Telegram was down): at 20:30 it is held until 08:00
    the next working day, not dropped and not sent in the night."""
    clock.set(datetime(2026, 11, 23, 20, 30, tzinfo=UTC))
    await seed_team(database, clock)
    async with database.unit_of_work() as uow:
        alex = await member(uow, ALEX)
        planned = datetime(2026, 11, 23, 19, 59, tzinfo=UTC)
        await uow.outbox.enqueue(
            [
                {
                    "key": f"weekly_summary:{alex.id}:2026-11-23",
                    "kind": "weekly_summary",
                    "team_id": alex.team_id,
                    "member_id": alex.id,
                    "chat_id": ALEX,
                    "ref": {},
                    "due_at": planned,
                    "created_at": planned,
                }
            ]
        )
    morning = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)

    async def held() -> bool:
        async with database.unit_of_work() as uow:
            row = await uow.session.scalar(
                select(OutboxMessage).where(OutboxMessage.kind == "weekly_summary")
            )
        return row is not None and row.status == "pending" and row.due_at == morning

    await eventually(held)
    assert nudges_about(emulator, ALEX, "Your week") == []
    clock.set(morning - timedelta(minutes=1))
    await bot_with_nudges.tick()
    assert nudges_about(emulator, ALEX, "Your week") == []
    clock.set(morning)
    await emulator.wait_for_bot_message(ALEX, lambda m: "Your week" in m.text, after=0)
