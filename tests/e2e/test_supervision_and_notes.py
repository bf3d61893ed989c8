"""Supervision notes with their actions, /actions, reading a case's notes and correcting one."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from storage.models import Action, AuditEntry, Flag, NoteRevision, SupervisionNote, Visit
from tests.e2e.conftest import Chatter
from tests.team import seed_team

TODAY = date(2026, 11, 23)


async def add_case(person: Chatter, reference: str) -> None:
    await person.send("/newcase")
    await person.send(reference)
    await person.tap("Engagement")
    await person.tap("Every week")
    await person.tap_until("Skip", "Added")


async def log_visit(person: Chatter, reference: str, how: str) -> None:
    await person.send("/visit")
    await person.tap(reference)
    await person.tap("Today")
    await person.send(how)
    await person.tap("Same")
    await person.send_until("Call the school", "Saved your visit")


async def test_supervision_note_with_two_actions_then_actions_done(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, 1002, "Alex")
    await add_case(alex, "FAM-0142")

    first = await alex.send("/supervision")
    assert "step 1 of" in first.text and "General – no case" in first.labels
    await alex.tap("FAM-0142")
    await alex.tap("Today")
    supervisor = await alex.tap("Thinking Together")
    assert "Who was the supervisor" in supervisor.text
    assert supervisor.labels[:1] == ["Sam Supervisor"]  # the team's supervisors only
    await alex.tap("Sam Supervisor")
    task = await alex.send("Decide about the school plan")
    assert "State the case" in task.text
    feelings = await alex.tap("Skip")
    assert "The feelings" in feelings.text and "First you" in feelings.text
    assert "young person" in (await alex.send("Worried <b>but</b> steady & clear")).text
    assert "the family" in (await alex.send("Wants to stay at school")).text
    assert "the network" in (await alex.tap("Skip")).text
    await alex.send("School sees it as behaviour")
    await alex.tap("Same")
    for _ in range(3):  # risks, strengths, the family's view
        await alex.tap("Skip")
    await alex.tap("A decision")
    await alex.send("Wait a week, because the family asked for time")
    await alex.tap("Skip")  # previous actions
    owner = await alex.send("Call the school")
    assert owner.labels[:3] == ["Me", "Kim Worker", "Sam Supervisor"]
    await alex.tap("Me")
    await alex.tap("Tomorrow")
    await alex.tap("Yes")
    await alex.send("Ring the GP")
    await alex.tap("Sam Supervisor")
    await alex.send("fri")
    await alex.tap("No")  # no third action
    escalate = await emulator.wait_for_bot_message(1002, lambda m: "escalating" in m.text, after=0)
    assert escalate.labels[1:3] == ["🔴 Flag it: today", "🟠 Flag it: this week"]
    await alex.tap("Flag it: today")
    saved = await alex.tap_until("Skip", "Saved the supervision note")
    assert "with Sam Supervisor supervising" in saved.text
    assert "Call the school – Alex Worker, by Tue 24 Nov" in saved.text
    assert "Ring the GP – Sam Supervisor, by Fri 27 Nov" in saved.text

    async with database.unit_of_work() as uow:
        note = (await uow.session.scalars(select(SupervisionNote))).one()
        actions = (await uow.session.scalars(select(Action).order_by(Action.id))).all()
        assert note.kind == "thinking_together" and note.held_on == TODAY
        assert note.content["feelings_worker"] == "Worried <b>but</b> steady & clear"
        assert note.content["feelings_young_person"] == "Wants to stay at school"
        assert note.content["feelings_family"] is None
        assert note.content["feelings_network"] == "School sees it as behaviour"
        assert note.content["update"] is None
        sam_member = await uow.members.by_telegram_id(1001)
        assert sam_member is not None and note.content["supervisor"] == sam_member.id
        flag = (await uow.session.scalars(select(Flag))).one()
        assert (flag.urgency, flag.source, flag.state) == ("today", "supervision", "open")
        assert [(a.text, a.due_on, a.case_id, a.status) for a in actions] == [
            ("Call the school", TODAY + timedelta(days=1), note.case_id, "open"),
            ("Ring the GP", date(2026, 11, 27), note.case_id, "open"),
        ]
        assert actions[0].source == f"supervision:{note.id}"

    listing = await alex.send("/actions")
    assert "Call the school" in listing.text and "Ring the GP" not in listing.text
    done = await alex.press("1 done")
    assert "No open actions" in done.text
    again = emulator.press(1002, listing.message_id, listing.buttons[0][0].callback_data)
    answer = await emulator.wait_for_callback_answer(again["callback_query"]["id"])
    assert answer.get("text") == "Already done."
    async with database.unit_of_work() as uow:
        statuses = (await uow.session.scalars(select(Action.status).order_by(Action.id))).all()
    assert statuses == ["done", "open"]

    sam = Chatter(emulator, 1001, "Sam")
    assert "Ring the GP" in (await sam.send("/actions")).text


async def test_a_supervisor_writes_a_general_note_for_a_chosen_worker(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    sam = Chatter(emulator, 1001, "Sam")
    await sam.send("/supervision")
    worker = await sam.tap("General – no case")
    assert "Whose supervision" in worker.text
    assert worker.labels[:2] == ["Alex Worker", "Kim Worker"]  # workers only
    await sam.tap("Kim Worker")
    await sam.tap("Today")
    me = await sam.tap("One-to-one")
    assert me.labels[0] == "Me"  # a supervisor supervising
    await sam.tap("Me")
    await sam.send("Check in on caseload")
    for _ in range(5):  # the case, and the four feelings
        await sam.tap("Skip")
    await sam.tap("Same")
    for _ in range(3):
        await sam.tap("Skip")
    await sam.tap("Nothing yet")
    more = await sam.tap("No")  # not enough of the right people
    assert "Who else" in more.text
    await sam.tap("The team meeting")
    await sam.tap("Skip")
    await sam.tap("Skip")
    await sam.tap("No actions")
    # A supervisor's escalation is not lost: a flag about Kim, held by Sam until resolved.
    await sam.tap("Flag it: this week")
    saved = await sam.tap_until("Skip", "Saved the supervision note")
    assert "(Kim Worker, general)" in saved.text
    held = await emulator.wait_for_bot_message(1001, lambda m: "it's yours" in m.text, after=0)
    assert "for this week" in held.text
    async with database.unit_of_work() as uow:
        note = (await uow.session.scalars(select(SupervisionNote))).one()
        kim = await uow.members.by_telegram_id(1004)
        sam_member = await uow.members.by_telegram_id(1001)
        assert kim is not None and sam_member is not None
        assert (note.worker_id, note.author_id, note.case_id) == (kim.id, sam_member.id, None)
        assert note.content["who_else"] == "team_meeting"
        assert note.content["supervisor"] == sam_member.id
        assert (await uow.session.scalars(select(Action))).all() == []
        flag = (await uow.session.scalars(select(Flag))).one()
        assert (flag.worker_id, flag.handled_by_id) == (kim.id, sam_member.id)
        assert (flag.urgency, flag.state) == ("week", "acknowledged")

    # Chased like any flag picked up, days later (not left "noted with the supervision").
    clock.advance(timedelta(days=3))
    await bot.tick()
    chased = await emulator.wait_for_bot_message(
        1001, lambda m: "not resolved yet" in m.text or "Still open" in m.text, after=0
    )
    assert "✔ Resolve" in chased.labels


async def test_notes_are_read_in_full_and_corrected_within_the_window(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, 1002, "Alex")
    await add_case(alex, "FAM-0142")
    await log_visit(alex, "FAM-0142", "Calm visit <script>x</script> & tea")

    await alex.send("/cases")
    await alex.press("FAM-0142")
    listing = await alex.press("History")
    assert "history, newest first" in listing.text and len(listing.labels) == 2
    note = await alex.press("visit · Alex")
    assert "Calm visit <script>x</script> & tea" in note.text
    assert "&lt;script&gt;" in (note.html or "")
    assert "✏ Correct: How it went" in note.labels

    ask = await alex.tap("Correct: How it went")
    assert "corrected text" in ask.text
    done = await alex.send("Calm visit, tea with mum")
    assert "Corrected" in done.text
    async with database.unit_of_work() as uow:
        visit = (await uow.session.scalars(select(Visit))).one()
        revision = (await uow.session.scalars(select(NoteRevision))).one()
        assert visit.how_it_went == "Calm visit, tea with mum"
        assert revision.previous == {"how_it_went": "Calm visit <script>x</script> & tea"}
        assert (revision.note_kind, revision.note_id) == ("visit", visit.id)

    # The supervisor reads it (audited) but cannot correct someone else's note.
    sam = Chatter(emulator, 1001, "Sam")
    await sam.send("/cases")
    await sam.press("FAM-0142")
    await sam.press("History")
    seen = await sam.press("visit · Alex")
    assert "tea with mum" in seen.text and "Corrected 1 time" in seen.text
    assert not any("Correct:" in text for text in seen.labels)
    async with database.unit_of_work() as uow:
        reads = (
            await uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "note.read"))
        ).all()
        assert len(reads) == 1

    # Another worker cannot open it, even with forged button data.
    kim = Chatter(emulator, 1004, "Kim")
    own = await kim.send("/cases")
    assert "FAM-0142" not in own.text
    emulator.press(1004, own.message_id, f"nv:v:{visit.id}")
    refusal = await emulator.wait_for_bot_message(1004, lambda m: "isn't one you can see" in m.text)
    assert "Calm visit" not in refusal.text

    # Eight days later the window has closed: no Correct button, and an old one is refused.
    clock.advance(timedelta(days=8))
    await alex.send("/cases")
    await alex.press("FAM-0142")
    await alex.press("History")
    late = await alex.press("visit · Alex")
    assert not any("Correct:" in text for text in late.labels)
    emulator.press(1002, note.message_id, f"nx:v:{visit.id}:0")
    refused = await emulator.wait_for_bot_message(
        1002, lambda m: "can't be corrected any more" in m.text
    )
    assert refused.buttons == []
