"""Issue 22, done when: one case from referral to closing over the real bot, on the injectable
clock, through all seven stages.

No first contact: the worker is prompted, the supervisor told after a week. The first visit
is the first contact; the family agreement is recorded; two weeks on, the assessment falls
due and is recorded; the family meeting is to be booked, then its plan recorded: a support
plan with actions for the worker, Mum and the school. Four Friday engagement checks (one
with an incident) feed the supervisor's /team; six weeks after the plan, its review is held
from the review nudge's Done; then evaluation and closing. The case's PDF shows all of it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from storage.db import Database
from storage.models import AuditEntry, EngagementCheck
from tests.e2e.conftest import Chatter, stored_case
from tests.e2e.test_export import documents_after
from tests.team import SUPERVISOR_ID, WORKER_ID, seed_team

REF = "FAM-0142"
DONE = "✓ That's all"


def at(day: date, hour: int = 9, minute: int = 5) -> datetime:
    """A moment on a day (London is on UTC in winter)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


async def next_tick(bot: Bearings, clock: MovableClock, moment: datetime) -> None:
    clock.set(moment)
    await bot.tick()


async def arrives(emulator: BotApiEmulator, chat: int, fragment: str) -> ChatMessage:
    return await emulator.wait_for_bot_message(chat, lambda m: fragment in m.text, after=0)


def count(emulator: BotApiEmulator, chat: int, fragment: str) -> int:
    return sum(fragment in m.text for m in emulator.bot_messages(chat))


async def lines(alex: Chatter, typed: list[str], picked: list[str], then: str) -> ChatMessage:
    """Answer a lines step: each line typed, each common one tapped, then That's all; the
    next message containing ``then``."""
    for line in typed:
        await alex.send_until(line, "So far:")
    for pick in picked:
        await alex.tap_until(pick, "So far:")
    return await alex.tap_until(DONE, then)


async def to_stage(alex: Chatter, stage: str) -> ChatMessage:
    """From the case's card: Change stage, to ``stage``; the next message about it."""
    await alex.send_until("/cases", "Your cases")
    await alex.press(REF)
    await alex.tap_until("Change stage", "Which stage")
    return await alex.tap_until(stage, "now at" if stage != "Family meeting" else "booked")


async def friday_check(
    bot: Bearings,
    emulator: BotApiEmulator,
    clock: MovableClock,
    alex: Chatter,
    day: date,
    rating: str,
    incident: str | None = None,
) -> None:
    """The Friday check arrives; Alex rates the one case, then answers "any incident?"."""
    await next_tick(bot, clock, at(day))
    monday = (day - timedelta(days=4)).strftime("%a %-d %b")
    check = await emulator.wait_for_bot_message(
        WORKER_ID, lambda m: f"Weekly check · week of {monday}" in m.text, after=0
    )
    assert check.labels[:3] == [f"{REF} ✅", "◐", "✖"]
    rated = await alex.press(rating)
    assert "1 of 1 done" in rated.text
    if incident is None:
        assert "No incidents this week." in (await alex.press("No incidents")).text
        return
    await alex.tap_until("⚠ Yes – report one", "Which case was the incident on?")
    await alex.tap_until(REF, "In a line, what happened?")
    saved = await alex.send_until(incident, "Noted: an incident this week")
    assert REF in saved.text


async def test_one_case_from_referral_to_closing_through_every_stage(
    bot_with_nudges: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    bot = bot_with_nudges
    await seed_team(database, clock)  # Monday 23 Nov 2026, 09:00
    alex, sam = Chatter(emulator, WORKER_ID, "Alex"), Chatter(emulator, SUPERVISOR_ID, "Sam")

    # Referral: the case is opened at Engagement.
    await alex.send_until("/newcase", "New case")
    await alex.send_until(REF, "Which stage")
    await alex.tap_until("Engagement", "How often")
    await alex.tap_until("Every week", "next plan review")
    await alex.tap_until("Skip", "Added")

    # Engagement, no first contact: prompted the next day and every other day after; the
    # supervisor told once a week has gone by.
    await next_tick(bot, clock, at(date(2026, 11, 24)))
    prompt = await arrives(emulator, WORKER_ID, "has had no first contact yet")
    assert prompt.labels == ["📝 Log a visit", "‹ The case"]
    await next_tick(bot, clock, at(date(2026, 11, 25)))
    assert count(emulator, WORKER_ID, "has had no first contact yet") == 1
    assert count(emulator, SUPERVISOR_ID, "no first contact") == 0
    await next_tick(bot, clock, at(date(2026, 11, 30)))
    alert = await arrives(emulator, SUPERVISOR_ID, "has had no first contact in 7 days")
    assert REF in alert.text and "Alex Worker" in alert.text

    # The visit logged from the prompt is the first contact: the prompts stop.
    await alex.tap_until("Log a visit", "When was the visit")
    await alex.tap_until("Today", "How did it go")
    await alex.send_until("Met mum and the boys at home", "risk")
    await alex.tap_until("Same", "next step")
    await alex.send_until("Agree house rules", "Saved your visit")
    async with database.unit_of_work() as uow:
        assert (await stored_case(uow, WORKER_ID, REF)).first_contact_on == date(2026, 11, 30)
    prompts = count(emulator, WORKER_ID, "has had no first contact yet")
    await next_tick(bot, clock, at(date(2026, 12, 2)))
    assert count(emulator, WORKER_ID, "has had no first contact yet") == prompts

    # Agreement: the stage offers the family agreement, recorded a line at a time.
    await alex.send_until("/cases", "Your cases")
    await alex.press(REF)
    menu = await alex.press("Plan & reviews")
    assert "Agreement: not yet" in menu.text and "Plan: not yet" in menu.text
    moved = await to_stage(alex, "Agreement")
    assert moved.labels[0] == "🤝 Record the family agreement"
    first = await alex.tap_until("Record the family agreement", "What standards")
    assert "Going to school every day" in first.labels and DONE not in first.labels
    await lines(alex, ["Home by 9 on school nights"], ["Going to school every day"], "consequen")
    await lines(alex, ["Phone downstairs for a night"], [], "When was it agreed?")
    saved = await alex.send_until("today", "family agreement")
    assert saved.text.startswith(f"Saved {REF}'s family agreement")

    # Assessment: due two weeks after the first contact, not before; moved on from the nudge.
    await next_tick(bot, clock, at(date(2026, 12, 11)))
    assert count(emulator, WORKER_ID, f"assessment for {REF} is due") == 0
    await next_tick(bot, clock, at(date(2026, 12, 14)))
    due = await arrives(emulator, WORKER_ID, f"assessment for {REF} is due")
    assert due.labels[0] == "➡ Move the case on"
    await alex.tap_until("Move the case on", "Which stage")
    moved = await alex.tap_until("Assessment", "is now at: Assessment")
    await alex.tap_until("Record the assessment", "risk factors")
    await lines(alex, ["Stays out late"], ["Missing school"], "protective factors")
    await lines(alex, [], ["A trusted adult"], "The family.")
    await alex.tap_until("None to add", "The family.")
    await lines(alex, [], ["Wider family who help"], "Community and school.")
    await lines(alex, ["Friends who offend"], [], "Community and school.")
    await alex.tap_until("None to add", "build on")
    await alex.send_until("Nan's support", "reduce")
    await alex.send_until("Late nights", "Saved the assessment")

    # Family meeting: asked only whether it is booked; two days on, the reminder to book it.
    await to_stage(alex, "Family meeting")
    moved = await alex.tap_until("Not booked yet", "is now at: Family meeting")
    assert moved.labels[0] == "👪 Set the family meeting's date"
    await next_tick(bot, clock, at(date(2026, 12, 16)))
    await arrives(emulator, WORKER_ID, "time to book the family meeting")
    await alex.tap_until("Set the family meeting's date", "When is the family meeting")
    await alex.send_until("fri", f"family meeting for {REF} is on Fri 18 Dec")

    # Friday 18: the first weekly check.
    await friday_check(bot, emulator, clock, alex, date(2026, 12, 18), "✅")

    # The day after the meeting (a Saturday: it waits for Monday), record the plan agreed.
    await next_tick(bot, clock, at(date(2026, 12, 19)))
    assert count(emulator, WORKER_ID, "Record the plan agreed") == 0
    await next_tick(bot, clock, at(date(2026, 12, 21)))
    await arrives(emulator, WORKER_ID, "Record the plan agreed")
    await alex.tap_until("Move the case on", "Which stage")
    planned = await alex.tap_until("Support plan", "is now at: Support plan")
    assert "Plan review: Mon 1 Feb" in planned.text  # six weeks on (the team's setting)

    # Support plan: aims in order of need (keeping the family engaged added), each scored;
    # actions for Alex (a quick win, nudged as an action), Mum and the school.
    await alex.tap_until("Record the support plan", "aims")
    await lines(alex, ["Back in school full time", "Calmer evenings at home"], [], "Where are")
    await alex.tap_until("3", "Calmer evenings at home")
    await alex.tap_until("4", "Keeping the family engaged")
    await alex.tap_until("6", "Who in the family")
    await lines(alex, [], ["Mum"], "which agencies")
    plan = await lines(alex, [], ["School"], "support plan, with 3 aims")
    assert "3. Keeping the family engaged" in plan.text
    for n, (what, owner, pick, by, quick) in enumerate(
        [
            ("Ring school about a reduced timetable", "Someone in our team", "Me", "4 Jan 2027", 1),
            ("Get up for school on time", "Someone in the family", "Mum", "11 Jan 2027", 0),
            ("Invite Mum to a meeting about Year 10", "An agency", "School", "18 Jan 2027", 0),
        ]
    ):
        await alex.tap_until("Add another action" if n else "Add an action", "the action")
        await alex.send_until(what, "Who will do it?")
        await alex.tap_until(owner, "?")
        await alex.tap_until(pick, "By when?")
        await alex.send_until(by, "quick win")
        await alex.tap_until("Yes, a quick win" if quick else "No", "Added to")
    shown = await alex.press("That's all – show the plan")
    assert "• Get up for school on time – Mum, by 11 Jan" in shown.text
    async with database.unit_of_work() as uow:
        case = await stored_case(uow, WORKER_ID, REF)
        own = await uow.actions.open_for_owner(case.worker_id)
    assert [a.text for a in own] == ["Ring school about a reduced timetable"]

    # Three more Fridays (one with an incident); then Monitoring.
    row = "Police called after a row"
    await friday_check(bot, emulator, clock, alex, date(2026, 12, 25), "◐", row)
    await friday_check(bot, emulator, clock, alex, date(2027, 1, 1), "✖")
    await friday_check(bot, emulator, clock, alex, date(2027, 1, 8), "✅")
    async with database.unit_of_work() as uow:
        checks = (await uow.session.scalars(select(EngagementCheck))).all()
    assert sorted((c.week, c.engagement, c.incident) for c in checks) == [
        (date(2026, 12, 14), "engaged", False),
        (date(2026, 12, 21), "partly", True),
        (date(2026, 12, 28), "not", False),
        (date(2027, 1, 4), "engaged", False),
    ]
    team = await sam.send("/team")
    assert "Engagement: 1 engaged · 0 partly · 0 not" in team.text
    moved = await to_stage(alex, "Monitoring")
    assert "Plan review: Mon 1 Feb" in moved.text  # the plan's review date stands

    # Six weeks after the plan: the review nudge's Done opens the review meeting.
    await next_tick(bot, clock, at(date(2027, 2, 2)))
    nudge = await arrives(emulator, WORKER_ID, f"The plan review for {REF} was due")
    before = len(emulator.bot_messages(WORKER_ID))
    await alex.press_data(nudge.message_id, nudge.button("Done").callback_data or "")
    await emulator.wait_for_bot_message(
        WORKER_ID, lambda m: "When did the review" in m.text, after=before
    )
    await alex.send_until("yesterday", "Who took part?")
    await alex.tap_until("Alex Worker", "So far:")
    await alex.tap_until("Mum", "So far:")
    await lines(alex, [], ["School"], "agreement still hold")
    await alex.tap_until("It has changed", "What changed")
    await alex.send_until("Home by 10 at weekends now", "(Alex Worker): how did it go?")
    await alex.tap_until("✓ Done", "(Mum): how did it go?")
    await alex.tap_until("Carry it on", "(School): how did it go?")
    await alex.tap_until("Drop it", "What did the review decide?")
    await alex.tap_until("Carry on with the plan", "next review")
    reviewed = await alex.send_until("15 Mar 2027", "Saved the plan review")
    assert "Next review: Mon 15 Mar 2027." in reviewed.text
    async with database.unit_of_work() as uow:
        case = await stored_case(uow, WORKER_ID, REF)
        assert case.next_review_on == date(2027, 3, 15)
        assert await uow.actions.open_for_owner(case.worker_id) == []  # done: no more nudges
    await alex.send_until("/cases", "Your cases")
    await alex.press(REF)
    await alex.press("Plan & reviews")
    history = await alex.press("🗓 Reviews")
    assert "Took part: Alex Worker, Mum, School" in history.text
    assert "• Invite Mum to a meeting about Year 10 (School): dropped" in history.text

    # The review changed the aims: two kept (with their scores), one dropped, one new.
    await alex.press("‹ Plan & reviews")
    await alex.press("🎯 Plan")
    asked = await alex.tap_until("Change the aims", "aims now")
    assert asked.labels[:3] == [
        "Back in school full time",
        "Calmer evenings at home",
        "Keeping the family engaged",
    ]
    await lines(alex, ["Dad back in touch"], ["Back in school full time"], "Dad back in touch")
    # Keeping the family engaged stays without being picked (and was not new: not scored).
    aims = await alex.tap_until("2", "Saved")
    assert "1. Dad back in touch\n2. Back in school full time\n3. Keeping the family" in aims.text

    # Evaluation and closing: the close offered at once, and a prompt a week on.
    closing = await to_stage(alex, "Evaluation and closing")
    assert closing.labels[0] == "🏁 Close the case"
    await next_tick(bot, clock, at(date(2027, 2, 9)))
    await arrives(emulator, WORKER_ID, "is at evaluation and closing")
    await alex.tap_until("Close the case", f"Close {REF}?")
    await alex.tap_until("Yes, close it", "why is it closing")
    await alex.send_until("Goals met", "evaluation")
    await alex.tap_until("Yes, evaluate it", "In your words")
    await alex.send_until("School every day and far fewer rows", "difference it made")
    await lines(alex, ["Mum – we talk now", "School – attendance 95%"], [], "Where are")
    await alex.tap_until("9", "Back in school full time")  # Dad back in touch, first now
    await alex.tap_until("5", "Keeping the family engaged")
    await alex.tap_until("8", "Incidents reported")
    await alex.send_until("lots", "whole number")
    await alex.send_until("6", "School days missed")
    await alex.send_until("12", "Incidents reported")
    await alex.send_until("1", "School days missed")
    await alex.send_until("2", "stepped down to")
    closed = await alex.tap_until("Early help", "Closed")
    assert closed.text == f"Closed {REF}. Thank you for the work on it."
    async with database.unit_of_work() as uow:
        moves = (
            await uow.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "case.stage_changed")
            )
        ).all()
        case = await stored_case(uow, WORKER_ID, REF)
    assert [m.detail["to"] for m in moves] == [
        "agreement",
        "assessment",
        "family_meeting",
        "support_plan",
        "monitoring",
        "closing",
    ]
    assert case.closed_at is not None  # the retention period runs from here

    # The case's PDF shows all of it.
    after = len(emulator.bot_messages(WORKER_ID))
    await alex.send_until(f"/export {REF}", "")
    (pdf,) = await documents_after(alex, after, 1)
    assert pdf.file_bytes is not None
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf.file_bytes)).pages)
    flat = " ".join(text.split())
    for words in (
        "Met mum and the boys at home",
        "Family agreement",
        "Home by 9 on school nights",
        "Phone downstairs for a night",
        "Stays out late",
        "A trusted adult",
        "Nan's support",
        "Back in school full time: 3 → 5",
        "Keeping the family engaged: 6 → 8",
        "Dad back in touch: 2 → 9",
        "Ring school about a reduced timetable – Alex Worker",
        "Get up for school on time – Mum",
        "Invite Mum to a meeting about Year 10 – School",
        "quick win",
        "Took part: Alex Worker, Mum, School",
        "Home by 10 at weekends now",
        "Weekly engagement checks (4)",
        "Week of Mon 14 Dec 2026: engaged · no incident",
        "Week of Mon 21 Dec 2026: partly engaged · incident: Police called after a row",
        "Week of Mon 28 Dec 2026: not engaged · no incident",
        "School every day and far fewer rows",
        "Mum – we talk now",
        "Incidents reported: 6 → 1",
        "School days missed: 12 → 2",
        "Stepped down to: Early help",
        "Goals met",
    ):
        assert words in flat, words
    assert "Calmer evenings at home" not in flat  # dropped from the plan at its review
