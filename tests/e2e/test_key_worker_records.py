"""One case from referral to closing over the emulator (issue 22, items 2-5, 7, 8): a family
agreement, an assessment, a support plan with actions for a worker, a family member and an
agency, a plan review six weeks later from the review nudge's Done, closing with its
evaluation, and the case PDF showing all of it."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

from pypdf import PdfReader

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from storage.db import Database
from tests.e2e.conftest import Chatter, stored_case
from tests.e2e.test_export import documents_after
from tests.team import WORKER_ID, seed_team

REF = "FAM-0142"
DONE = "✓ That's all"


async def lines(alex: Chatter, typed: list[str], picked: list[str], then: str) -> ChatMessage:
    """Answer a lines step: each line typed, each common one tapped, then That's all; the
    next message containing ``then``."""
    for line in typed:
        await alex.send_until(line, "So far:")
    for pick in picked:
        await alex.tap_until(pick, "So far:")
    return await alex.tap_until(DONE, then)


async def test_one_case_from_agreement_to_closing_with_everything_in_its_pdf(
    bot_with_nudges: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, WORKER_ID, "Alex")
    await alex.send_until("/newcase", "New case")
    await alex.send_until(REF, "Which stage")
    await alex.tap_until("Engagement", "How often")
    await alex.tap_until("Every week", "next plan review")
    await alex.tap_until("Skip", "Added")
    await alex.send_until("/cases", "Your cases")
    await alex.press(REF)
    menu = await alex.press("Plan & reviews")
    assert "Agreement: not yet" in menu.text and "Plan: not yet" in menu.text
    part = await alex.press("🤝 Agreement")
    assert "No family agreement yet." in part.text

    # The family agreement: standards and consequences a line at a time, the date agreed.
    first = await alex.tap_until("New agreement", "What standards")
    assert "Going to school every day" in first.labels and DONE not in first.labels
    await alex.send_until("Home by 9 on school nights", "So far:")
    so_far = await alex.tap_until("Going to school every day", "So far:")
    assert "• Home by 9 on school nights\n• Going to school every day" in so_far.text
    assert "Going to school every day" not in so_far.labels and DONE in so_far.labels
    await alex.tap_until(DONE, "consequences")
    await lines(alex, ["Phone downstairs for a night"], [], "When was it agreed?")
    saved = await alex.send_until("today", "family agreement")
    assert saved.text.startswith(f"Saved {REF}'s family agreement")

    # The assessment, offered next: three levels, common factors or typed ones.
    await alex.tap_until("Next: the assessment", "risk factors")
    await lines(alex, ["Stays out late"], ["Missing school"], "protective factors")
    await lines(alex, [], ["A trusted adult"], "The family.")
    await alex.tap_until("None to add", "The family.")
    await lines(alex, [], ["Wider family who help"], "Community and school.")
    await lines(alex, ["Friends who offend"], [], "Community and school.")
    await alex.tap_until("None to add", "build on")
    await alex.send_until("Nan's support", "reduce")
    done = await alex.send_until("Late nights", "Saved the assessment")

    # The support plan: aims in order of need (keeping the family engaged added), each scored.
    assert done.labels == ["Next: the support plan"]
    await alex.tap_until("Next: the support plan", "aims")
    await lines(alex, ["Back in school full time", "Calmer evenings at home"], [], "Where are")
    await alex.tap_until("3", "Calmer evenings at home")
    third = await alex.tap_until("4", "Keeping the family engaged")
    assert third.labels[:11] == [str(n) for n in range(11)]
    await alex.tap_until("6", "Who in the family")
    await lines(alex, [], ["Mum"], "which agencies")
    plan = await lines(alex, [], ["School"], "support plan, with 3 aims")
    assert "3. Keeping the family engaged" in plan.text

    # Three actions: Alex's (a quick win, nudged as an action), Mum's and the school's.
    await alex.tap_until("Add an action", "What's the action")
    await alex.send_until("Ring school about a reduced timetable", "Who will do it?")
    await alex.tap_until("Someone in our team", "Which of the team?")
    await alex.tap_until("Me", "By when?")
    await alex.send_until("7 Dec 2026", "quick win")
    added = await alex.tap_until("Yes, a quick win", "Added to")
    assert "as a quick win: Alex Worker, by Mon 7 Dec" in added.text
    await alex.tap_until("Add another action", "What's the action")
    await alex.send_until("Get up for school on time", "Who will do it?")
    offered = await alex.tap_until("Someone in the family", "Who in the family?")
    assert offered.labels[:1] == ["Mum"]
    await alex.tap_until("Mum", "By when?")
    await alex.send_until("14 Dec 2026", "quick win")
    await alex.tap_until("No", "Added to")
    await alex.tap_until("Add another action", "What's the action")
    await alex.send_until("Invite Mum to a meeting about Year 10", "Who will do it?")
    await alex.tap_until("An agency", "Which agency?")
    await alex.tap_until("School", "By when?")
    await alex.send_until("21 Dec 2026", "quick win")
    await alex.tap_until("No", "Added to")
    shown = await alex.press("That's all – show the plan")
    assert "1. Back in school full time – 3/10" in shown.text
    assert "• Ring school about a reduced timetable – Alex Worker, by 7 Dec ⚡ quick win" in (
        shown.text
    )
    assert "• Get up for school on time – Mum, by 14 Dec" in shown.text
    assert "• Invite Mum to a meeting about Year 10 – School, by 21 Dec" in shown.text
    async with database.unit_of_work() as uow:
        case = await stored_case(uow, WORKER_ID, REF)
        own = await uow.actions.open_for_owner(case.worker_id)
        assert [a.text for a in own] == ["Ring school about a reduced timetable"]
        case.next_review_on = datetime(2027, 1, 4).date()  # six weeks on
        case.next_visit_due = None

    # Six weeks later, the review nudge's Done opens the review meeting.
    clock.set(datetime(2027, 1, 5, 9, 0, tzinfo=UTC))
    nudge = await emulator.wait_for_bot_message(
        WORKER_ID, lambda m: f"The plan review for {REF} was due" in m.text, after=0
    )
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
    reviewed = await alex.send_until("15 Feb 2027", "Saved the plan review")
    assert "Next review: Mon 15 Feb 2027." in reviewed.text
    assert reviewed.labels == ["Record the new agreement"]
    async with database.unit_of_work() as uow:
        case = await stored_case(uow, WORKER_ID, REF)
        assert str(case.next_review_on) == "2027-02-15"
        assert await uow.actions.open_for_owner(case.worker_id) == []  # done: no more nudges

    # The reviews are on the case, from its card.
    await alex.send_until("/cases", "Your cases")
    await alex.press(REF)
    await alex.press("Plan & reviews")
    history = await alex.press("🗓 Reviews")
    assert "Took part: Alex Worker, Mum, School" in history.text
    assert "Agreement: has changed – Home by 10 at weekends now" in history.text
    assert "• Ring school about a reduced timetable (Alex Worker): done" in history.text
    assert "• Invite Mum to a meeting about Year 10 (School): dropped" in history.text

    # Closing, with its evaluation: words, impact statements, aim scores, the team's counts.
    await alex.press("‹ Plan & reviews")
    await alex.press("‹ Back")
    await alex.tap_until("Close case", f"Close {REF}?")
    await alex.tap_until("Yes, close it", "why is it closing")
    await alex.send_until("Goals met", "evaluation")
    await alex.tap_until("Yes, evaluate it", "In your words")
    await alex.send_until("School every day and far fewer rows", "difference it made")
    await lines(alex, ["Mum – we talk now", "School – attendance 95%"], [], "Where are")
    await alex.tap_until("8", "Calmer evenings")
    await alex.tap_until("7", "Keeping the family engaged")
    await alex.tap_until("9", "Incidents reported")
    await alex.send_until("lots", "whole number")
    await alex.send_until("6", "School days missed")
    await alex.send_until("12", "Incidents reported")
    await alex.send_until("1", "School days missed")
    await alex.send_until("2", "stepped down to")
    closed = await alex.tap_until("Early help", "Closed")
    assert closed.text == f"Closed {REF}. Thank you for the work on it."

    # The case PDF shows all of it.
    after = len(emulator.bot_messages(WORKER_ID))
    await alex.send_until(f"/export {REF}", "")
    (pdf,) = await documents_after(alex, after, 1)
    assert pdf.file_bytes is not None
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf.file_bytes)).pages)
    flat = " ".join(text.split())
    for words in (
        "Family agreement",
        "Home by 9 on school nights",
        "Phone downstairs for a night",
        "Stays out late",
        "A trusted adult",
        "Nan's support",
        "Back in school full time: 3 → 8",
        "Keeping the family engaged: 6 → 9",
        "Ring school about a reduced timetable – Alex Worker",
        "Get up for school on time – Mum",
        "Invite Mum to a meeting about Year 10 – School",
        "quick win",
        "Took part: Alex Worker, Mum, School",
        "Home by 10 at weekends now",
        "School every day and far fewer rows",
        "Mum – we talk now",
        "Incidents reported: 6 → 1",
        "School days missed: 12 → 2",
        "Stepped down to: Early help",
        "Goals met",
    ):
        assert words in flat, words
