"""Cases and visit notes end to end: the real bot, over HTTP, against the Bot API emulator."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from storage.db import Database
from tests.e2e.conftest import Chatter, add_case, member, stored_case
from tests.team import (
    OTHER_TEAM_SUPERVISOR_ID,
    OTHER_WORKER_ID,
    SUPERVISOR_ID,
    WORKER_ID,
    seed_team,
)

NOT_YOURS = "That case isn't one you can see or change."


async def forge(chatter: Chatter, message_id: int, data: str) -> list[ChatMessage]:
    """Press made-up button data on a message; return what the bot said in the chat about it."""
    seen = len(chatter.emulator.bot_messages(chatter.user_id))
    await chatter.press_data(message_id, data)
    return chatter.emulator.bot_messages(chatter.user_id)[seen:]


async def test_a_visit_moves_the_next_visit_on_by_the_cadence(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, WORKER_ID, "Alex")
    created = await add_case(alex, "fam-0142 ")
    assert created.text == (
        "Added FAM-0142 (Engagement), visiting every 7 days.\n"
        "Your first visit is due today. Log it with /visit afterwards."
    )
    assert "FAM-0142 · Engagement\nvisit due today" in (await alex.send("/cases")).text

    question = await alex.send("/visit")
    assert question.text.startswith("Visit note · step 1 of 5")
    assert question.labels == ["FAM-0142"]
    when = await alex.tap("FAM-0142")
    await alex.tap("Today")
    answered = emulator.message(WORKER_ID, when.message_id)
    assert answered is not None and answered.text.endswith("When was the visit?\n\n✓ Mon 23 Nov")
    await alex.send("Went well. Mum has talked to the school.")
    await alex.tap("Same")
    saved = await alex.send("Call the school on Thursday")
    assert saved.text == "Saved your visit to FAM-0142.\nNext visit due Mon 30 Nov."

    caseload = await alex.send("/cases")
    assert "FAM-0142 · Engagement\nvisit due Mon 30 Nov" in caseload.text
    assert caseload.labels == ["FAM-0142 · visit 30 Nov"]
    card = await alex.press("FAM-0142")
    assert "Last visit: Mon 23 Nov\nNext visit due: Mon 30 Nov" in card.text

    async with database.unit_of_work() as uow:
        case = await stored_case(uow, WORKER_ID, "FAM-0142")
        assert (case.last_visit_on, case.next_visit_due) == (date(2026, 11, 23), date(2026, 11, 30))
        assert case.cadence_days == 7
        [visit] = await uow.notes.visits_for_case(case.id)
        assert visit.author_id == (await member(uow, WORKER_ID)).id
        assert visit.visited_on == date(2026, 11, 23)
        assert visit.how_it_went == "Went well. Mum has talked to the school."
        assert visit.risk_change == "same"
        assert visit.next_step == "Call the school on Thursday"
        # The note is encrypted in the table: readable only through the model.
        raw = (await uow.session.execute(text("SELECT how_it_went, next_step FROM visits"))).one()
        assert "school" not in raw[0] and "school" not in raw[1]


async def test_a_case_is_seen_only_by_its_worker_and_their_supervisor(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, WORKER_ID, "Alex")
    await add_case(alex, "FAM-0142")
    async with database.unit_of_work() as uow:
        case_id = (await stored_case(uow, WORKER_ID, "FAM-0142")).id
        kim_member_id = (await member(uow, OTHER_WORKER_ID)).id
        pat_member_id = (await member(uow, OTHER_TEAM_SUPERVISOR_ID)).id

    # Kim, a worker in the same team: not on her caseload, and a forged button is refused.
    kim = Chatter(emulator, OTHER_WORKER_ID, "Kim")
    kims = await kim.send("/cases")
    assert kims.text == "You have no open cases yet. Add one with /newcase."
    for forged in (f"cc:{case_id}", f"cf:visit:{case_id}", f"cf:case_close:{case_id}"):
        [refusal] = await forge(kim, kims.message_id, forged)
        assert refusal.text.startswith(NOT_YOURS)
    for forged in (f"ra:{case_id}", f"rw:{case_id}:{kim_member_id}"):
        [refusal] = await forge(kim, kims.message_id, forged)
        assert "FAM-0142" not in refusal.text and "supervisor" in refusal.text.lower()
    assert emulator.message(OTHER_WORKER_ID, kims.message_id) == kims  # her list never changed

    # Pat supervises another team: refused too, even as a supervisor.
    pat = Chatter(emulator, OTHER_TEAM_SUPERVISOR_ID, "Pat")
    pats = await pat.send("/cases")
    assert "FAM-0142" not in pats.text
    for forged in (f"cc:{case_id}", f"ra:{case_id}", f"rw:{case_id}:{pat_member_id}"):
        [refusal] = await forge(pat, pats.message_id, forged)
        assert "FAM-0142" not in refusal.text and "Alex" not in refusal.text

    async with database.unit_of_work() as uow:
        case = await stored_case(uow, WORKER_ID, "FAM-0142")
        assert case.worker_id == (await member(uow, WORKER_ID)).id
        assert await uow.flows.open_for((await member(uow, OTHER_WORKER_ID)).id) is None

    # Sam supervises North Team: he sees it, and gives it to Kim.
    sam = Chatter(emulator, SUPERVISOR_ID, "Sam")
    teams = await sam.send("/cases")
    assert "Alex Worker\n• FAM-0142 · Engagement" in teams.text  # grouped by worker
    card = await sam.press("FAM-0142 (Alex)")
    assert "Key worker: Alex Worker" in card.text and "Reassign" in card.labels
    choose = await sam.press("Reassign")
    assert "Kim Worker" in choose.labels and "Alex Worker" not in choose.labels
    done = await sam.press("Kim Worker")
    assert done.text == "FAM-0142 is now with Kim Worker."

    kims = await kim.send("/cases")
    assert "FAM-0142 · Engagement" in kims.text
    assert (await alex.send("/cases")).text == "You have no open cases yet. Add one with /newcase."
    async with database.unit_of_work() as uow:
        case = await stored_case(uow, WORKER_ID, "FAM-0142")
        assert case.worker_id == (await member(uow, OTHER_WORKER_ID)).id


async def test_closing_a_case_asks_to_confirm_and_why_and_it_leaves_the_caseload(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, WORKER_ID, "Alex")
    await add_case(alex, "FAM-0142")
    await add_case(alex, "FAM-0200")
    await alex.send("/cases")
    await alex.press("FAM-0142")
    # From the card the case is known: the flows start at their first real question.
    visit = await alex.tap("Log visit")
    assert visit.text.startswith("Visit note · step 1 of 4\n\nWhen was the visit?")
    await alex.send("/cancel")

    confirm = await alex.tap("Close case")
    assert confirm.text.startswith("Close case · step 1 of 1\n\nClose FAM-0142?")
    assert confirm.labels == ["Yes, close it", "No, keep it open"]
    kept = await alex.tap("No, keep it open")
    assert kept.text == "No problem – FAM-0142 stays open."
    async with database.unit_of_work() as uow:
        assert (await stored_case(uow, WORKER_ID, "FAM-0142")).closed_at is None

    await alex.tap("Close case")
    reason = await alex.tap("Yes, close it")
    assert reason.text.startswith("Close case · step 2 of 3\n\nIn a line, why is it closing?")
    evaluation = await alex.send("Goals met")
    assert evaluation.labels == ["Yes, evaluate it", "Just close it", "↩ Back"]
    closed = await alex.tap("Just close it")
    assert closed.text == "Closed FAM-0142. Thank you for the work on it."
    # The card's buttons now say it is closed, not that the case is someone else's.
    refusal = await alex.tap("Log visit")
    assert refusal.text == "FAM-0142 is closed, so it can't be changed."

    caseload = await alex.send("/cases")
    assert "FAM-0142" not in caseload.text and "FAM-0200" in caseload.text
    assert caseload.labels == ["FAM-0200 · visit today"]
    async with database.unit_of_work() as uow:
        case = await stored_case(uow, WORKER_ID, "FAM-0142")
        assert case.closed_at == clock.now()
        assert case.closing_reason == "Goals met"


async def test_a_reference_is_unique_in_its_team_and_never_a_name(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, WORKER_ID, "Alex")
    await add_case(alex, "FAM-0142")

    kim = Chatter(emulator, OTHER_WORKER_ID, "Kim")
    await kim.send("/newcase")
    taken, again = await kim.exchange("fam-0142", 2)
    assert taken.text == (
        "Your team already has a case with that reference. Please check it, or use another."
    )
    assert again.text.startswith("New case · step 1 of 4\n\nWhat's the case reference?")
    name, again = await kim.exchange("John Smith", 2)
    assert name.text == (
        "That looks like it could be a name.\nPlease use your team's case reference instead – "
        "it usually has a number, like FAM-0142."
    )
    assert again.text.startswith("New case · step 1 of 4")
    shape, _ = await kim.exchange("FAM 0142!", 2)
    assert shape.text.startswith("A reference is 2 to 32 letters, numbers and dashes")
    assert (await kim.send("FAM-0143")).text.startswith("New case · step 2 of 4")
    assert (await kim.send("/cancel")).text.startswith("Stopped: New case.")

    # South Team keeps its own references.
    pat = Chatter(emulator, OTHER_TEAM_SUPERVISOR_ID, "Pat")
    created = await add_case(pat, "FAM-0142")
    assert created.text.startswith("Added FAM-0142 (Engagement)")

    async with database.unit_of_work() as uow:
        north = await stored_case(uow, WORKER_ID, "FAM-0142")
        south = await stored_case(uow, OTHER_TEAM_SUPERVISOR_ID, "FAM-0142")
        assert north.id != south.id and north.team_id != south.team_id
        assert await uow.cases.by_reference(north.team_id, "FAM-0143") is None
        assert [c.reference for c in await uow.cases.open_for_team(north.team_id)] == ["FAM-0142"]


async def test_a_visit_note_is_shown_back_exactly_as_typed(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    note = "Mum said <b>no</b> & then </i> laughed <script>alert(1)</script> &amp; left"
    step = "Ask about <i>school</i> & GP"
    await seed_team(database, clock)
    alex = Chatter(emulator, WORKER_ID, "Alex")
    await add_case(alex, "FAM-0142")
    await alex.send("/visit")
    await alex.tap("FAM-0142")
    await alex.tap("Yesterday")
    risk = await alex.send(note)
    assert risk.text.startswith("Visit note · step 4 of 5")
    await alex.tap_until("Up", "Please act on this now")  # the safeguarding path (issue 21.1)
    await alex.emulator.wait_for_bot_message(WORKER_ID, lambda m: "next step" in m.text, after=0)
    saved = await alex.send_until(step, "Saved your visit")
    assert saved.text.startswith("Saved your visit to FAM-0142 – risk noted as up.")
    assert "The urgent flag for it is raised" in saved.text

    async with database.unit_of_work() as uow:
        case = await stored_case(uow, WORKER_ID, "FAM-0142")
        [visit] = await uow.notes.visits_for_case(case.id)
        assert (visit.how_it_went, visit.next_step) == (note, step)
        assert visit.visited_on == date(2026, 11, 22)
        assert case.next_visit_due == date(2026, 11, 29)

    # Read back from the case's notes, by Alex and by his supervisor.
    sam = Chatter(emulator, SUPERVISOR_ID, "Sam")
    for reader, case_button in ((alex, "FAM-0142"), (sam, "FAM-0142 (Alex)")):
        await reader.send("/cases")
        await reader.press(case_button)
        await reader.press("History")
        shown = await reader.press("visit")
        assert f"How it went\n{note}\n\nNext step\n{step}" in shown.text
