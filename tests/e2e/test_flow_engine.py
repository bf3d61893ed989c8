"""The flow engine end to end: progress, Back, Skip, /cancel, stale buttons, restarts, drafts.

The real bot runs over HTTP against the Bot API emulator; the flows are the
real ones (/visit, /newcase and the case card's).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from bot.app import Bearings, build
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from storage.models import FlowSession
from storage.repositories.flows import DRAFT, DROPPED, FINISHED, OPEN
from tests.e2e.conftest import Chatter, add_case, bot_settings, member, stored_case
from tests.team import WORKER_ID, seed_team

TEXT_ONLY = (
    "I can only take text here – no photos, stickers, voice notes or files.\n"
    "Please type your answer."
)
ALL_DAY = timedelta(hours=49)  # past the default 48 hours a flow may sit untouched


async def alex_with_a_case(
    emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> Chatter:
    """North Team seeded, and Alex with case FAM-0142 on his caseload."""
    await seed_team(database, clock)
    alex = Chatter(emulator, WORKER_ID, "Alex")
    await add_case(alex, "FAM-0142")
    return alex


async def latest_flow(database: Database) -> FlowSession:
    """Alex's newest flow session."""
    async with database.unit_of_work() as uow:
        alex = await member(uow, WORKER_ID)
        query = select(FlowSession).where(FlowSession.member_id == alex.id)
        found = await uow.session.scalar(query.order_by(FlowSession.id.desc()).limit(1))
        assert found is not None
        return found


async def flow_state(database: Database) -> tuple[str, str, int, dict[str, Any]]:
    """Alex's newest flow session: its status, step, version and answers so far."""
    flow = await latest_flow(database)
    return flow.status, flow.step, flow.version, flow.answers["values"]


async def visit_count(database: Database) -> int:
    async with database.unit_of_work() as uow:
        case = await stored_case(uow, WORKER_ID, "FAM-0142")
        return len(await uow.notes.visits_for_case(case.id))


async def stale(chatter: Chatter, message_id: int, data: str) -> None:
    """Press an old button: the press is answered "Already done." and nothing is said or changed."""
    seen = len(chatter.emulator.bot_messages(chatter.user_id))
    answer = await chatter.press_data(message_id, data)
    assert answer.get("text") == "Already done."
    assert len(chatter.emulator.bot_messages(chatter.user_id)) == seen


# --- restarts ------------------------------------------------------------------------------


async def test_a_flow_carries_on_after_the_bot_restarts(
    bot: Bearings,
    emulator: BotApiEmulator,
    database: Database,
    clock: MovableClock,
    data_keys: list[str],
) -> None:
    alex = await alex_with_a_case(emulator, database, clock)
    await alex.send("/visit")
    await alex.tap("FAM-0142")
    how = await alex.tap("Yesterday")
    assert how.text.startswith("Visit note · step 3 of 5")

    await bot.stop()
    restarted = build(bot_settings(emulator, database.url, data_keys), clock=clock)
    await restarted.start()
    try:
        risk = await alex.send("Quiet visit; dad was home.")
        assert risk.text.startswith("Visit note · step 4 of 5\n\nSince your last visit")
        await alex.tap("Down")
        saved = await alex.tap("Skip")
        assert saved.text == "Saved your visit to FAM-0142.\nNext visit due Sun 29 Nov."
    finally:
        await restarted.stop()
    async with database.unit_of_work() as uow:
        [visit] = await uow.notes.visits_for_case(
            (await stored_case(uow, WORKER_ID, "FAM-0142")).id
        )
        assert visit.visited_on == date(2026, 11, 22)
        assert visit.how_it_went == "Quiet visit; dad was home."
        assert (visit.risk_change, visit.next_step) == ("down", None)


# --- buttons pressed twice, late, or after the flow ended -------------------------------------


async def test_a_repeated_or_stale_button_changes_nothing(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    alex = await alex_with_a_case(emulator, database, clock)

    # A double tap: the second press would answer the next question with its first option.
    await alex.send("/newcase")
    await alex.send("FAM-0200")
    engagement = alex.button("Engagement")
    seen = len(emulator.bot_messages(WORKER_ID))
    presses = [emulator.press(WORKER_ID, *engagement)["callback_query"]["id"] for _ in range(2)]
    answers = [await emulator.wait_for_callback_answer(query) for query in presses]
    assert [answer.get("text") for answer in answers] == [None, "Already done."]
    [cadence] = emulator.bot_messages(WORKER_ID)[seen:]
    assert cadence.text.startswith("New case · step 3 of 4")
    assert (await flow_state(database))[3] == {"reference": "FAM-0200", "stage": "engagement"}

    # Old buttons pressed later, after Back.
    back = alex.button("Back")
    await alex.tap("Back")
    before = await flow_state(database)
    assert before[:2] == (OPEN, "stage")
    await stale(alex, *engagement)
    await stale(alex, *back)  # not a second step back
    assert await flow_state(database) == before
    await alex.send("/cancel")

    await alex.send("/visit")
    case_button = alex.button("FAM-0142")
    await alex.tap("FAM-0142")
    before = await flow_state(database)
    assert before[:2] == (OPEN, "date")
    await stale(alex, *case_button)  # the same button again
    assert await flow_state(database) == before

    # A typed answer makes the question's buttons old too.
    today_button = alex.button("Today")
    await alex.send("yesterday")
    await stale(alex, *today_button)
    assert (await flow_state(database))[3]["date"] == "2026-11-22"

    # Buttons of a finished flow.
    back_button = alex.button("Back")
    await alex.send("Fine.")
    await alex.tap("Same")
    skip_button = alex.button("Skip")
    await alex.tap("Skip")
    assert (await latest_flow(database)).status == FINISHED
    await stale(alex, *back_button)
    await stale(alex, *skip_button)
    assert await visit_count(database) == 1

    # Buttons of a flow left with /cancel.
    await alex.send("/visit")
    await alex.tap("FAM-0142")
    today_button = alex.button("Today")
    cancelled = await alex.send("/cancel")
    assert cancelled.text == "Stopped: Visit note. The answers you gave in it weren't kept."
    await stale(alex, *today_button)
    assert (await latest_flow(database)).status == DROPPED
    assert await visit_count(database) == 1
    assert (await alex.send("today")).text.startswith("I'm not sure what you meant there.")
    assert (await alex.send("/cancel")).text == (
        "There's nothing to cancel – we weren't in the middle of anything."
    )


# --- what a step accepts ---------------------------------------------------------------------


async def test_media_and_over_long_text_leave_the_flow_on_its_step(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    alex = await alex_with_a_case(emulator, database, clock)
    await alex.send("/visit")
    await alex.tap("FAM-0142")
    await alex.tap("Today")
    at_how = await flow_state(database)
    for kind in ("photo", "sticker", "voice", "document", "location"):
        said, again = await alex.send_media(kind, replies=2)
        assert said.text == TEXT_ONLY, kind
        assert again.text.startswith("Visit note · step 3 of 5\n\nHow did it go?")
    assert await flow_state(database) == at_how

    # Over the step's 2000 characters, and over Telegram's 4096 (the emulator lets it through).
    for typed in ("x" * 2001, "y" * 5000):
        said, again = await alex.exchange(typed, 2)
        assert said.text == (
            "That's a bit long for here – please keep it under 2000 characters.\n"
            "Nothing has been saved yet; send a shorter version."
        )
        assert again.text.startswith("Visit note · step 3 of 5")
    assert await flow_state(database) == at_how

    risk = await alex.send("z" * 2000)
    assert risk.text.startswith("Visit note · step 4 of 5")
    assert (await flow_state(database))[3]["how"] == "z" * 2000


# --- moving through a flow -------------------------------------------------------------------


async def test_each_step_shows_progress_and_back_and_skip_work(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, WORKER_ID, "Alex")
    first = await alex.send("/newcase")
    assert first.text.startswith("New case · step 1 of 4\n\nWhat's the case reference?")
    assert first.labels == []  # nothing to go back to
    stage = await alex.send("FAM-0142")
    assert stage.text.startswith("New case · step 2 of 4\n\nWhich stage is the work at?")
    assert "↩ Back" in stage.labels and "Skip" not in stage.labels

    # Skip is only for optional steps: a forged one on this step changes nothing.
    status, step, version, answers = await flow_state(database)
    await stale(alex, stage.message_id, f"f:{(await latest_flow(database)).id}:{version}:s")
    assert await flow_state(database) == (status, step, version, answers)

    cadence = await alex.tap("Engagement")
    assert cadence.text.startswith("New case · step 3 of 4\n\nHow often will you visit?")
    answered = emulator.message(WORKER_ID, stage.message_id)
    assert answered is not None and answered.text.endswith("✓ Engagement")
    assert answered.buttons == []

    back = await alex.tap("Back")
    assert back.text.startswith("New case · step 2 of 4\n\nWhich stage is the work at?")
    assert (await flow_state(database))[3] == {"reference": "FAM-0142"}
    await alex.tap("Agreement")
    review = await alex.tap("Every 2 weeks")
    assert review.text.startswith("New case · step 4 of 4\n\nWhen is the next plan review?")
    assert review.labels[-2:] == ["↩ Back", "Skip"]
    created = await alex.tap("Skip")
    assert created.text.startswith("Added FAM-0142 (Agreement), visiting every 14 days.")

    async with database.unit_of_work() as uow:
        case = await stored_case(uow, WORKER_ID, "FAM-0142")
        assert (case.stage, case.cadence_days, case.next_review_on) == ("agreement", 14, None)


async def test_cancel_leaves_a_flow_at_any_step_and_saves_nothing(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, WORKER_ID, "Alex")
    for answers in ([], ["FAM-0142"], ["FAM-0142", "Engagement", "Every week"]):
        await alex.send("/newcase")
        for answer in answers:
            await (alex.send(answer) if answer.startswith("FAM") else alex.tap(answer))
        assert (await alex.send("/cancel")).text == (
            "Stopped: New case. The answers you gave in it weren't kept."
        )
        assert (await latest_flow(database)).status == DROPPED
    async with database.unit_of_work() as uow:
        assert await uow.cases.open_for_worker((await member(uow, WORKER_ID)).id) == []


async def test_starting_a_flow_while_another_is_open_asks_first(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    alex = await alex_with_a_case(emulator, database, clock)
    await alex.send("/visit")
    await alex.tap("FAM-0142")
    conflict = await alex.send("/newcase")
    assert conflict.text == (
        "You're partway through a visit note.\n"
        "Would you like to finish it first, or drop it and start the new case?"
    )
    assert conflict.labels == ["Finish visit note", "Drop it, start new case"]
    assert (await latest_flow(database)).flow == "visit"

    # Keep going: the open question again, and the flow carries on.
    keep_button = alex.button("Finish visit note")
    again = await alex.tap("Finish visit note")
    assert again.text.startswith("Visit note · step 2 of 5\n\nWhen was the visit?")
    kept = emulator.message(WORKER_ID, conflict.message_id)
    assert kept is not None and kept.buttons == []
    how = await alex.tap("Today")
    assert how.text.startswith("Visit note · step 3 of 5")
    back_button = alex.button("Back")

    # Drop it: the visit note goes, the new case starts.
    await alex.send("/newcase")
    fresh = await alex.tap("Drop it")
    assert fresh.text.startswith("New case · step 1 of 4")
    async with database.unit_of_work() as uow:
        alex_id = (await member(uow, WORKER_ID)).id
        query = select(FlowSession).where(FlowSession.member_id == alex_id)
        flows = (await uow.session.scalars(query.order_by(FlowSession.id))).all()
        assert [(f.flow, f.status) for f in flows[-2:]] == [("visit", DROPPED), ("newcase", OPEN)]
    await stale(alex, *keep_button)
    await stale(alex, *back_button)
    assert (await alex.send("FAM-0200")).text.startswith("New case · step 2 of 4")


async def test_dates_are_read_as_people_type_them(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    # Today is Monday 23 November 2026.
    alex = await alex_with_a_case(emulator, database, clock)
    await alex.send("/cases")
    await alex.press("FAM-0142")
    question = await alex.tap("Review date")
    assert question.text.startswith("Review date · step 1 of 1\n\nWhen is the next plan review")
    for past in ("yesterday", "20/11/2026", "last fri"):
        refused, again = await alex.exchange(past, 2)
        assert refused.text == (
            "I couldn't read that as a date today or later.\n"
            'Try "tomorrow", "fri", "3 Dec" or "3/12".'
        ), past
        assert again.text == question.text
    async with database.unit_of_work() as uow:
        assert (await stored_case(uow, WORKER_ID, "FAM-0142")).next_review_on is None

    for typed, day in (
        ("tomorrow", date(2026, 11, 24)),
        ("3/12", date(2026, 12, 3)),
        ("fri", date(2026, 11, 27)),
        ("3 Dec", date(2026, 12, 3)),
    ):
        if typed != "tomorrow":
            await alex.tap("Review date")
        done = await alex.send(typed)
        assert done.text == f"Next plan review for FAM-0142: {day.day} {day:%b %Y}.", typed
        async with database.unit_of_work() as uow:
            assert (await stored_case(uow, WORKER_ID, "FAM-0142")).next_review_on == day

    # A visit happened today or earlier: "tomorrow" is refused, "fri" is last Friday.
    await alex.send("/visit")
    await alex.tap("FAM-0142")
    refused, _ = await alex.exchange("tomorrow", 2)
    assert refused.text.startswith("I couldn't read that as a date today or earlier.")
    how = await alex.send("fri")
    assert how.text.startswith("Visit note · step 3 of 5")
    assert (await flow_state(database))[3]["date"] == "2026-11-20"


# --- idle flows and drafts -------------------------------------------------------------------


async def test_an_idle_flow_becomes_a_draft_to_carry_on_with_or_throw_away(
    bot_between_ticks: Bearings,
    emulator: BotApiEmulator,
    database: Database,
    clock: MovableClock,
) -> None:
    """Expiry found when the person comes back, before the planner's tick has."""
    alex = await alex_with_a_case(emulator, database, clock)
    await alex.send("/visit")
    await alex.tap("FAM-0142")
    today_button = alex.button("Today")

    clock.advance(ALL_DAY)
    [expired] = await alex.exchange("today", 1)
    assert expired.text == (
        "Your visit note from Monday 23 November 2026 was left a while, so I've put it aside "
        "as a draft.\nNothing you answered is lost.\n"
        "I haven't used what you just sent: once you carry on, please send it again."
    )
    assert expired.labels == ["Carry on with it", "Throw it away"]
    status, step, _, answers = await flow_state(database)
    assert (status, step, "date" in answers) == (DRAFT, "date", False)
    await stale(alex, *today_button)

    resume_button = alex.button("Carry on with it")
    resumed = await alex.tap("Carry on with it")
    assert resumed.text.startswith("Visit note · step 2 of 5\n\nWhen was the visit?")
    await stale(alex, *resume_button)  # resumed once only
    await alex.tap("Yesterday")  # now Tuesday 24 November
    assert (await flow_state(database))[:2] == (OPEN, "how")

    # Starting the same flow again offers the draft (no separate notice for the same flow).
    clock.advance(ALL_DAY)
    offer = await alex.send("/visit")
    assert offer.text == (
        "You have a visit note you started on Monday 23 November 2026 and didn't finish.\n"
        "Carry on with it, or start afresh?"
    )
    assert offer.labels == ["Carry on with it", "Start afresh"]
    carried_on = await alex.tap("Carry on with it")
    assert carried_on.text.startswith("Visit note · step 3 of 5\n\nHow did it go?")
    status, step, _, answers = await flow_state(database)
    assert (status, step, answers["date"]) == (OPEN, "how", "2026-11-24")

    # Throw it away.
    clock.advance(ALL_DAY)
    await alex.send("Fine.")
    thrown = await alex.tap("Throw it away")
    assert thrown.text == "Thrown away. Nothing from that visit note was kept."
    assert (await latest_flow(database)).status == DROPPED

    # Start afresh from the offer: the draft goes, a new note starts at step 1.
    await alex.send("/visit")
    await alex.tap("FAM-0142")
    clock.advance(ALL_DAY)
    await alex.send("Fine.")
    await alex.send("/visit")
    fresh = await alex.tap("Start afresh")
    assert fresh.text.startswith("Visit note · step 1 of 5")
    async with database.unit_of_work() as uow:
        alex_id = (await member(uow, WORKER_ID)).id
        assert await uow.flows.drafts_for(alex_id, "visit") == []
        open_flow = await uow.flows.open_for(alex_id)
        assert open_flow is not None and (open_flow.flow, open_flow.step) == ("visit", "case")
    assert await visit_count(database) == 0
