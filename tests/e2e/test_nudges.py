"""Scheduled nudges over the real bot with a moved clock: they arrive once, at a humane hour,
and their buttons act (Done, Snooze 1 day, Reschedule); the team digest reaches the group."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.app import Bearings, build
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from storage.db import Database
from storage.models import Action, Case
from tests.e2e.conftest import Chatter, bot_settings, member
from tests.team import seed_team

ALEX, SAM = 1002, 1001
GROUP = -100700


async def seed_case(
    database: Database, clock: MovableClock, reference: str, visit: date | None
) -> None:
    """A case of Alex's, made directly (a conversation would interleave with the nudges)."""
    async with database.unit_of_work() as uow:
        alex = await member(uow, ALEX)
        uow.session.add(
            Case(
                team_id=alex.team_id,
                reference=reference,
                worker_id=alex.id,
                stage="engagement",
                cadence_days=7,
                next_visit_due=visit,
                opened_at=clock.now(),
            )
        )


def nudges_about(emulator: BotApiEmulator, chat: int, fragment: str) -> list[ChatMessage]:
    return [m for m in emulator.bot_messages(chat) if fragment in m.text]


async def test_a_visit_nudge_comes_once_and_done_opens_the_visit_note(
    bot_with_nudges: Bearings,
    emulator: BotApiEmulator,
    database: Database,
    clock: MovableClock,
    data_keys: list[str],
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await seed_case(database, clock, "FAM-0142", date(2026, 11, 23))  # due today, Monday 09:00
    nudge = await emulator.wait_for_bot_message(
        ALEX, lambda m: "A visit to FAM-0142 is due today" in m.text, after=0
    )
    assert nudge.labels == ["✓ Done", "💤 Snooze 1 day", "📅 Reschedule"]

    # Across another planner run and a restart, it is not sent again.
    await bot_with_nudges.tick()
    await bot_with_nudges.stop()
    again = build(bot_settings(emulator, database.url, data_keys, nudges=True), clock=clock)
    await again.start()
    try:
        await again.tick()
        assert len(nudges_about(emulator, ALEX, "is due today")) == 1
        question = await alex.tap_until("Done", "When was the visit?")
        assert "Visit note" in question.text
        edited = emulator.message(ALEX, nudge.message_id)
        assert edited is not None and "Logging the visit" in edited.text
        assert edited.buttons == []
    finally:
        await again.stop()


async def test_snooze_brings_it_back_tomorrow_and_reschedule_moves_the_date(
    bot_with_nudges: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await seed_case(database, clock, "FAM-0142", date(2026, 11, 23))
    await emulator.wait_for_bot_message(ALEX, lambda m: "is due today" in m.text, after=0)
    snoozed = await alex.press("Snooze 1 day")
    assert "Snoozed until Tue 24 Nov" in snoozed.text and snoozed.buttons == []
    await bot_with_nudges.tick()
    assert len(nudges_about(emulator, ALEX, "A visit to FAM-0142")) == 1

    before = len(emulator.bot_messages(ALEX))
    clock.advance(timedelta(days=1))  # Tuesday 09:00
    back = await emulator.wait_for_bot_message(
        ALEX, lambda m: "is due today" in m.text or "was due" in m.text, after=before
    )
    assert "FAM-0142" in back.text
    choosing = await alex.press("Reschedule")
    assert "Which day instead?" in choosing.text
    moved = await alex.press("Fri 27 Nov")
    assert "Moved to Fri 27 Nov" in moved.text
    async with database.unit_of_work() as uow:
        case = (await uow.session.scalars(select(Case))).one()
        assert case.next_visit_due == date(2026, 11, 27)


async def test_an_action_nudge_done_closes_the_action(
    bot_with_nudges: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    async with database.unit_of_work() as uow:
        alex_member = await member(uow, ALEX)
        uow.session.add(
            Action(
                team_id=alex_member.team_id,
                owner_id=alex_member.id,
                text="Ring the <b>GP</b>",
                due_on=date(2026, 11, 24),
                status="open",
                source="test",
                created_by_id=alex_member.id,
                created_at=clock.now(),
            )
        )
    clock.advance(timedelta(days=1))
    nudge = await emulator.wait_for_bot_message(
        ALEX, lambda m: "Ring the <b>GP</b>" in m.text, after=0
    )
    assert "Due today" in nudge.text
    done = await Chatter(emulator, ALEX, "Alex").press("Done")
    assert "✓ Done." in done.text
    async with database.unit_of_work() as uow:
        assert (await uow.session.scalars(select(Action.status))).one() == "done"
    stale = emulator.press(ALEX, nudge.message_id, nudge.buttons[0][0].callback_data or "")
    answer = await emulator.wait_for_callback_answer(stale["callback_query"]["id"])
    assert answer.get("text") == "Already done."


async def test_the_monday_digest_reaches_the_group_with_references_and_first_names_only(
    bot_with_nudges: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    await seed_case(database, clock, "FAM-0142", date(2026, 11, 27))
    async with database.unit_of_work() as uow:
        case = (await uow.session.scalars(select(Case))).one()
        case.next_review_on = date(2026, 12, 3)
        team = await uow.teams.by_name("North Team")
        assert team is not None
        team.group_chat_id = GROUP
    emulator.bot_added_to_group(GROUP, "North", by_user_id=SAM)

    sam = Chatter(emulator, SAM, "Sam")
    preview = await sam.send("/digest")
    assert "North Team – week of 23 Nov" in preview.text
    assert "No reviews due" in preview.text

    clock.advance(timedelta(days=7))  # next Monday 09:00: review this week, visit overdue
    digest = await emulator.wait_for_bot_message(GROUP, lambda m: "week of 30 Nov" in m.text)
    assert "FAM-0142 (Alex) – Thu 3 Dec" in digest.text
    assert "FAM-0142 (Alex) – due 27 Nov" in digest.text
    assert "Worker" not in digest.text  # first names only
    await bot_with_nudges.tick()
    assert len([m for m in emulator.bot_messages(GROUP) if "week of 30 Nov" in m.text]) == 1


async def test_away_with_a_cover_then_back_and_ones_own_nudge_hour(
    bot_with_nudges: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    clock.set(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))  # Sunday: nothing is sent today
    alex = Chatter(emulator, ALEX, "Alex")
    ask = await alex.send("/away")
    assert "Until when" in ask.text
    cover = await alex.send_until("fri", "Who's covering")
    assert "Who's covering" in cover.text and "No cover" in cover.labels
    done = await alex.tap_until("Kim Worker", "paused until Fri 27 Nov")
    assert "Kim Worker gets the nudges" in done.text
    await seed_case(database, clock, "FAM-0142", date(2026, 11, 23))

    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    covered = await emulator.wait_for_bot_message(
        1004, lambda m: "A visit to FAM-0142 is due today" in m.text, after=0
    )
    assert "Covering for Alex Worker" in covered.text
    await bot_with_nudges.tick()
    assert nudges_about(emulator, ALEX, "A visit to FAM-0142") == []

    back = await alex.send("/back")
    assert "Welcome back" in back.text
    settings = await alex.send("/settings")
    assert "What would you like to change" in settings.text
    await alex.tap("When my nudges come")
    saved = await alex.tap_until("10:00", "Saved")
    assert "Nudges come at 10:00" in saved.text
    async with database.unit_of_work() as uow:
        alex_member = await member(uow, ALEX)
        assert alex_member.away_until is None and alex_member.settings["nudge_hour"] == "10:00"
