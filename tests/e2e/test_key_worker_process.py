"""Issue 22 (items 1 and 6) over the real bot, on the injectable clock: a case's stages act.

No first contact: the worker is prompted, the supervisor told after a week; the assessment
falls due two weeks after the first contact; the family meeting is to be booked, then its
plan recorded; a support plan gets its first review six weeks on; four Friday engagement
checks, one tap a case, feed the supervisor's /team; closing prompts come weekly.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from storage.db import Database
from storage.models import AuditEntry, Case, EngagementCheck
from tests.e2e.conftest import Chatter, member
from tests.team import seed_team

ALEX, SAM = 1002, 1001


def at(day: date, hour: int = 9, minute: int = 5) -> datetime:
    """A moment on a day (London is on UTC in winter)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


async def open_case(database: Database, clock: MovableClock) -> None:
    """FAM-0142, Alex's, opened now at Engagement, not yet seen."""
    async with database.unit_of_work() as uow:
        alex = await member(uow, ALEX)
        uow.session.add(
            Case(
                team_id=alex.team_id,
                reference="FAM-0142",
                worker_id=alex.id,
                stage="engagement",
                cadence_days=7,
                opened_at=clock.now(),
                stage_since=clock.now().date(),
            )
        )


async def the_case(database: Database) -> Case:
    async with database.unit_of_work() as uow:
        return (await uow.session.scalars(select(Case))).one()


async def next_tick(bot: Bearings, clock: MovableClock, moment: datetime) -> None:
    clock.set(moment)
    await bot.tick()


async def arrives(emulator: BotApiEmulator, chat: int, fragment: str) -> ChatMessage:
    return await emulator.wait_for_bot_message(chat, lambda m: fragment in m.text, after=0)


def count(emulator: BotApiEmulator, chat: int, fragment: str) -> int:
    return sum(fragment in m.text for m in emulator.bot_messages(chat))


async def friday_check(
    bot: Bearings,
    emulator: BotApiEmulator,
    clock: MovableClock,
    alex: Chatter,
    day: date,
    rating: str,
) -> ChatMessage:
    """The Friday check arrives; Alex rates the one case and says there was no incident."""
    await next_tick(bot, clock, at(day))
    monday = (day - timedelta(days=4)).strftime("%a %-d %b")
    check = await emulator.wait_for_bot_message(
        ALEX, lambda m: f"Weekly check · week of {monday}" in m.text, after=0
    )
    assert check.labels[:3] == ["FAM-0142 ✅", "◐", "✖"]
    assert "Any incident this week?" in check.text
    rated = await alex.press(rating)
    assert f"✓ {rating}" in rated.labels or f"✓ FAM-0142 {rating}" in rated.labels
    assert "1 of 1 done" in rated.text
    done = await alex.press("No incidents")
    assert "No incidents this week." in done.text
    return done


async def test_one_case_through_its_stages_and_four_friday_checks(
    bot_with_nudges: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    bot = bot_with_nudges
    await seed_team(database, clock)  # Monday 23 Nov 2026, 09:00
    await open_case(database, clock)
    alex, sam = Chatter(emulator, ALEX, "Alex"), Chatter(emulator, SAM, "Sam")

    # No first contact: prompted from the next day, every two days; Sam told after a week.
    await next_tick(bot, clock, at(date(2026, 11, 24)))
    prompt = await arrives(emulator, ALEX, "has had no first contact yet")
    assert prompt.labels == ["📝 Log a visit", "‹ The case"]
    await next_tick(bot, clock, at(date(2026, 11, 25)))
    assert count(emulator, ALEX, "has had no first contact yet") == 1  # every other day
    assert count(emulator, SAM, "no first contact") == 0
    await next_tick(bot, clock, at(date(2026, 11, 30)))
    alert = await arrives(emulator, SAM, "has had no first contact in 7 days")
    assert "FAM-0142" in alert.text and "Alex Worker" in alert.text
    # Alex's prompt of the day (the 24th's and the 30th's: none planned in between).
    await emulator.wait_until(lambda: count(emulator, ALEX, "has had no first contact yet") == 2)

    # The visit logged from the prompt is the first contact: the prompts stop.
    await alex.tap_until("Log a visit", "When was the visit")
    await alex.tap_until("Today", "How did it go")
    await alex.send_until("Met mum and the boys at home", "risk")
    await alex.tap_until("Same", "next step")
    await alex.send_until("Agree house rules", "Saved your visit")
    assert (await the_case(database)).first_contact_on == date(2026, 11, 30)
    prompts = count(emulator, ALEX, "has had no first contact yet")
    await next_tick(bot, clock, at(date(2026, 12, 2)))
    assert count(emulator, ALEX, "has had no first contact yet") == prompts

    # Two weeks after the first contact, the assessment is due.
    await next_tick(bot, clock, at(date(2026, 12, 11)))
    assert count(emulator, ALEX, "assessment for FAM-0142 is due") == 0
    await next_tick(bot, clock, at(date(2026, 12, 14)))
    due = await arrives(emulator, ALEX, "assessment for FAM-0142 is due")
    assert due.labels[0] == "➡ Move the case on"

    # Moved on to the family meeting (not booked yet): it asks only for the meeting's date
    # and offers to set it; two days on, the reminder to book it.
    await alex.tap_until("Move the case on", "Which stage")
    booked = await alex.tap_until("Family meeting", "Is the family meeting booked")
    assert "Not booked yet" in booked.labels
    moved = await alex.tap_until("Not booked yet", "is now at: Family meeting")
    assert moved.labels[0] == "👪 Set the family meeting's date"
    await next_tick(bot, clock, at(date(2026, 12, 16)))
    book = await arrives(emulator, ALEX, "time to book the family meeting")
    await alex.tap_until("Set the family meeting's date", "When is the family meeting")
    await alex.send_until("fri", "family meeting for FAM-0142 is on Fri 18 Dec")
    assert (await the_case(database)).meeting_on == date(2026, 12, 18)
    assert book is not None

    # Friday 18: the first weekly check; one tap, and no incidents.
    await friday_check(bot, emulator, clock, alex, date(2026, 12, 18), "✅")

    # The day after the meeting (a Saturday: it waits for Monday), record the plan.
    await next_tick(bot, clock, at(date(2026, 12, 19)))
    assert count(emulator, ALEX, "Record the plan agreed") == 0
    await next_tick(bot, clock, at(date(2026, 12, 21)))
    await arrives(emulator, ALEX, "Record the plan agreed")
    await alex.tap_until("Move the case on", "Which stage")
    planned = await alex.tap_until("Support plan", "is now at: Support plan")
    assert "Plan review: Mon 1 Feb" in planned.text  # six weeks on (the team's setting)
    assert (await the_case(database)).next_review_on == date(2027, 2, 1)

    # Three more Fridays.
    await friday_check(bot, emulator, clock, alex, date(2026, 12, 25), "◐")
    await friday_check(bot, emulator, clock, alex, date(2027, 1, 1), "✖")
    await friday_check(bot, emulator, clock, alex, date(2027, 1, 8), "✅")
    async with database.unit_of_work() as uow:
        checks = (await uow.session.scalars(select(EngagementCheck))).all()
    assert sorted((c.week, c.engagement, c.incident) for c in checks) == [
        (date(2026, 12, 14), "engaged", False),
        (date(2026, 12, 21), "partly", False),
        (date(2026, 12, 28), "not", False),
        (date(2027, 1, 4), "engaged", False),
    ]
    team = await sam.send("/team")
    assert "Engagement: 1 engaged · 0 partly · 0 not" in team.text

    # Evaluation and closing: the close offered at once, and a prompt weekly until closed.
    await alex.send("/cases")
    await alex.press("FAM-0142")
    await alex.tap_until("Change stage", "Which stage")
    closing = await alex.tap_until("Evaluation and closing", "is now at: Evaluation and closing")
    assert closing.labels[0] == "🏁 Close the case"
    await next_tick(bot, clock, at(date(2027, 1, 15)))
    await arrives(emulator, ALEX, "is at evaluation and closing")
    async with database.unit_of_work() as uow:
        moves = (
            await uow.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "case.stage_changed")
            )
        ).all()
    assert [m.detail["to"] for m in moves] == ["family_meeting", "support_plan", "closing"]
