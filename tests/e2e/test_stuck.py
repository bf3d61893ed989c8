"""/stuck over the real bot: the walk-through, its summary and each of its four endings,
the safeguarding path, and what was tried last time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from storage.db import Database
from storage.models import Action, AgendaItem, Flag, StuckWalkthrough
from tests.e2e.conftest import Chatter, add_case
from tests.team import seed_team

ALEX, SAM = 1002, 1001

# (how to answer: "tap" a button or "type" text, what, a fragment of the next question)
WALK = [
    ("tap", "No", "What do you need"),
    ("tap", "A next step", "Anything to add"),
    ("tap", "Skip", "Which case"),
    ("tap", "FAM-0142", "where exactly are you stuck"),
    ("type", "Dad won't open the door on visit days", "Where are you in the work"),
    ("tap", "Keeping it going", "face to face"),
    ("tap", "Skip", "How is this case leaving you"),
    ("tap", "Worried", "How strongly"),
    ("tap", "5", "feeling or wanting"),
    ("tap", "Skip", "<b>safety</b>"),
    ("tap", "Yes", "housing"),
    ("tap", "No", "food and money"),
    ("tap", "Skip", "health"),
    ("tap", "Skip", "How engaged"),
    ("tap", "2", "One small thing"),
    ("type", "Text before the visit, not knock", "Lately, have you been more"),
    ("tap", "5", "And more"),
    ("tap", "Skip", "Which other agency"),
    ("type", "School", "Do you and School see the problem"),
    ("tap", "We differ", "what to do"),
    ("tap", "Skip", "who does what"),
    ("tap", "Skip", "Any other agency"),
    ("type", "Housing", "Do you and Housing see the problem"),
    ("tap", "We agree", "what to do"),
    ("tap", "We agree", "who does what"),
    ("tap", "We agree", "Any other agency"),
    ("tap", "No more", "chosen for their needs"),
    ("tap", "Not sure", "yours alone"),
    ("tap", "Not sure", "next step"),
    ("type", "Ask school about a joint meeting", "Who does it"),
    ("tap", "Me", "By when"),
    # Back to purpose brings back the task named at the start (CONTENT §A step 12).
    ("tap", "Tomorrow", "At the start you said you needed a next step"),
    ("tap", "Partly", "I'm stuck · FAM-0142"),
]


async def walk(alex: Chatter, steps: list[tuple[str, str, str]] = WALK) -> ChatMessage:
    first = await alex.send_until("/stuck", "immediate risk")
    assert "step 1 of" in first.text and "Yes – someone's at risk now" in first.labels
    message = first
    for how, what, expect in steps:
        if how == "tap":
            message = await alex.tap_until(what, expect.replace("<b>", "").replace("</b>", ""))
        else:
            message = await alex.send_until(what, expect)
    return message


async def test_stuck_walks_through_to_a_summary_and_each_ending(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    summary = await walk(alex)
    assert "Dad won't open the door on visit days" in summary.text
    assert "Basics first: housing not covered" in summary.text
    assert "go back to agreeing goals" in summary.text  # keeping going, engagement 2
    assert "You and School see things differently: a joining-up conversation" in summary.text
    assert "Housing" not in summary.text.split("Worth thinking about")[1].split("Skipped")[0]
    # Fit "not sure": the assessment is put on the supervision agenda at once.
    assert "Take the assessment to supervision" in summary.text
    assert "It's on your supervision agenda" in summary.text
    assert "Skipped:" in summary.text and "more on that" in summary.text
    assert summary.labels == [
        "🚩 Flag: today",
        "🚩 This week",
        "🚩 Next supervision",
        "📝 Save as a note on the case",
        "✅ Make the quick win and next step actions",
        "🗓 Keep for supervision",
        "👥 Take it to the team meeting",  # got it only partly
        "🤝 Talk with School",  # the one agency that differs
    ]
    notes = [m.text for m in emulator.bot_messages(ALEX)]
    assert any("That's a lot to carry" in t for t in notes)  # strength 5
    assert any("basic need isn't met" in t for t in notes)  # housing: no
    assert any("the other side" in t for t in notes)  # steer at 5

    flagged = await alex.press("This week")
    assert "✓ Flagged to your supervisors" in flagged.text
    assert not any(label.startswith("🚩") for label in flagged.labels)
    await emulator.wait_for_bot_message(SAM, lambda m: "Dad won't open the door" in m.text)
    noted = await alex.press("Save as a note")
    assert "✓ Saved as a note on the case" in noted.text
    acted = await alex.press("Make the quick win")
    assert "✓ Turned into actions" in acted.text
    kept = await alex.press("Keep for supervision")
    assert "✓ Kept for supervision" in kept.text
    met = await alex.press("Take it to the team meeting")
    assert "✓ On the team meeting's agenda" in met.text
    joined = await alex.press("Talk with School")
    assert joined.labels == [] and "Joining-up conversation with School" in joined.text
    assert "What would you like to do" not in joined.text

    async with database.unit_of_work() as uow:
        walkthrough = (await uow.session.scalars(select(StuckWalkthrough))).one()
        assert walkthrough.endings == "flag_week,note,action,agenda,team_meeting,join_1"
        assert walkthrough.answers["quick_win"] == "Text before the visit, not knock"
        flag = (await uow.session.scalars(select(Flag))).one()
        assert (flag.urgency, flag.source) == ("week", "stuck")
        actions = (await uow.session.scalars(select(Action).order_by(Action.id))).all()
        assert [a.text for a in actions] == [
            "Text before the visit, not knock",
            "Ask school about a joint meeting",
            "Joining-up conversation with School: agree the problem, the plan and who does what",
        ]
        items = (await uow.session.scalars(select(AgendaItem).order_by(AgendaItem.id))).all()
        assert [(i.kind, i.ref_id) for i in items] == [
            ("fit", walkthrough.id),
            ("stuck", walkthrough.id),
            ("team_meeting", walkthrough.id),
        ]

    # Alex's agenda: the fit and the walk-through for supervision, the team meeting apart.
    agenda = await alex.send("/agenda")
    assert "1. 🧭 Is the help the right fit? · FAM-0142" in agenda.text
    assert "2. 🧭 Stuck · FAM-0142" in agenda.text
    assert "For the team meeting" in agenda.text.split("2. 🧭 Stuck")[1]
    # Sam sees what waits for the team meeting, and marks it discussed.
    sam = Chatter(emulator, SAM, "Sam")
    listing = await sam.send("/agenda")
    assert "For the team meeting\n• FAM-0142 · Alex Worker" in listing.text
    discussed = await sam.press("Discussed at the team meeting")
    assert "✓ 1 item marked discussed" in discussed.text
    assert "For the team meeting" not in discussed.text.replace("at the team meeting", "")
    assert "Discussed at the team meeting" not in " ".join(discussed.labels)
    again_agenda = await alex.send("/agenda")
    assert "For the team meeting" not in again_agenda.text

    # A repeated ending changes nothing.
    again = emulator.press(ALEX, kept.message_id, f"sk:{walkthrough.id}:agenda")
    answer = await emulator.wait_for_callback_answer(again["callback_query"]["id"])
    assert answer.get("text") == "Already done."


async def test_the_safeguarding_path_from_the_first_step(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await alex.send_until("/stuck", "immediate risk")
    shown = await alex.tap_until("Yes – someone's at risk now", "Please act on this now")
    assert "Follow your local safeguarding procedure" in shown.text
    assert "never replaces one" in shown.text and shown.labels == ["Stop here"]
    urgent = await emulator.wait_for_bot_message(SAM, lambda m: "🔴 Today" in m.text, after=0)
    assert "Immediate risk of harm" in urgent.text
    # The flow carries on unless stopped.
    await emulator.wait_for_bot_message(ALEX, lambda m: "What do you need" in m.text, after=0)
    stopped = await alex.tap_until("Stop here", "Stopped")
    assert stopped.text.startswith("Stopped: I'm stuck.") and stopped.labels == []
    async with database.unit_of_work() as uow:
        flag = (await uow.session.scalars(select(Flag))).one()
        assert (flag.urgency, flag.source, flag.state) == ("today", "safeguarding", "open")
        assert await uow.flows.open_for((await uow.members.by_telegram_id(ALEX)).id) is None


async def test_a_second_walk_through_on_the_same_case_shows_last_time(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await walk(alex)
    # From the case's card this time: the case is chosen, and last time is shown at once.
    await alex.send("/cases")
    await alex.press("FAM-0142")
    await alex.tap_until("I'm stuck", "immediate risk")
    await alex.tap_until("No", "What do you need")
    last = next(m for m in reversed(emulator.bot_messages(ALEX)) if "stuck on this case" in m.text)
    assert "Text before the visit, not knock" in last.text
    assert "Ask school about a joint meeting" in last.text


async def test_not_seen_face_to_face_for_weeks_reads_as_not_engaged(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    """CONTENT §A step 3: the last face-to-face date feeds "long-running but still not
    engaged" even when the worker rates engagement well."""
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    four_weeks_ago = (clock.now().date() - timedelta(days=28)).strftime("%d/%m/%Y")
    steps = [
        ("tap", "No", "What do you need"),
        ("tap", "Skip", "Anything to add"),
        ("tap", "Skip", "Which case"),
        ("tap", "FAM-0142", "where exactly are you stuck"),
        ("tap", "Skip", "Where are you in the work"),
        ("tap", "Keeping it going", "face to face"),
        ("type", four_weeks_ago, "How is this case leaving you"),
        *[("tap", "Skip", ask) for ask in SKIPS_TO_ENGAGEMENT],
        ("tap", "4", "One small thing"),
        ("tap", "Skip", "Lately, have you been more"),
        ("tap", "Skip", "And more"),
        ("tap", "Skip", "Which other agency"),
        ("tap", "No other agencies", "chosen for their needs"),
        *[("tap", "Skip", ask) for ask in SKIPS_TO_THE_END],
        ("tap", "Skip", "I'm stuck · FAM-0142"),
    ]
    summary = await walk(alex, steps)
    assert "Still not engaged after a while: go back to agreeing goals" in summary.text
    assert "Did you get what you needed" not in summary.text
    assert "👥 Take it to the team meeting" not in summary.labels  # nothing said about it


SKIPS_TO_ENGAGEMENT = [
    "How strongly",
    "feeling or wanting",
    "safety",
    "housing",
    "food and money",
    "health",
    "How engaged",
]
SKIPS_TO_THE_END = [
    "yours alone",
    "next step",
    "Did you get what you needed",
]
