"""/agenda for a worker and a supervisor, ticking items off after a supervision note, and a
case's history (paged, with walk-throughs saved as notes)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from storage.models import Action, AgendaItem, Case, SupervisionNote
from tests.e2e.conftest import Chatter, add_case, member
from tests.e2e.test_stuck import walk
from tests.team import seed_team

ALEX, SAM, KIM = 1002, 1001, 1004
TODAY = date(2026, 11, 23)


async def agenda_with_everything(
    emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> Chatter:
    """Alex's agenda: a "next supervision" flag, a kept walk-through, an overdue action and a
    plan review due within the fortnight."""
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await alex.send("/cases")
    await alex.press("FAM-0142")
    await alex.tap("Flag to supervisor")
    await alex.tap("At my next supervision")
    await alex.send_until("School keeps excluding him", "Flagged")
    await walk(alex)
    await alex.press("Keep for supervision")
    async with database.unit_of_work() as uow:
        worker = await member(uow, ALEX)
        case = (await uow.session.scalars(select(Case))).one()
        case.next_review_on = TODAY + timedelta(days=5)
        uow.session.add(
            Action(
                team_id=worker.team_id,
                case_id=case.id,
                owner_id=worker.id,
                text="Send the referral form",
                due_on=TODAY - timedelta(days=2),
                status="open",
                source="test",
                created_by_id=worker.id,
                created_at=clock.now(),
            )
        )
    return alex


async def test_a_workers_agenda_gathers_what_is_waiting(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    alex = await agenda_with_everything(emulator, database, clock)
    shown = await alex.send("/agenda")
    assert "Your supervision agenda" in shown.text
    assert "🚩 Flag · FAM-0142" in shown.text and "School keeps excluding him" in shown.text
    assert "🧭 Stuck · FAM-0142" in shown.text
    assert "Dad won't open the door on visit days" in shown.text
    assert "Send the referral form – was due Sat 21 Nov" in shown.text
    assert "FAM-0142 – Sat 28 Nov" in shown.text

    kim = Chatter(emulator, KIM, "Kim")
    assert "Nothing kept for it yet" in (await kim.send("/agenda")).text
    refused = await kim.send("/agenda Alex")
    assert refused.text == "Only supervisors can do that."


async def test_a_supervisor_opens_a_workers_agenda_and_a_note_ticks_items_off(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await agenda_with_everything(emulator, database, clock)
    sam = Chatter(emulator, SAM, "Sam")
    listing = await sam.send("/agenda")
    # The flag, the walk-through kept for supervision, and its "fit of the help" put there.
    assert listing.labels == ["Alex Worker · 3 waiting", "Kim Worker"]
    alex_agenda = await sam.tap("Alex Worker")
    assert "Alex Worker's supervision agenda" in alex_agenda.text
    assert "School keeps excluding him" in alex_agenda.text
    by_name = await sam.send("/agenda kim")
    assert "Kim Worker's supervision agenda" in by_name.text
    unknown = await sam.send("/agenda Nobody")
    assert 'called "Nobody"' in unknown.text
    pat = Chatter(emulator, 2001, "Pat")
    assert "Alex" not in (await pat.send("/agenda")).text

    # A supervision note for Alex's case offers to tick the agenda off.
    await sam.send("/supervision")
    await sam.tap("FAM-0142")
    await sam.tap("Today")
    await sam.tap("One-to-one")
    await sam.tap_until("Me", "What was the conversation for")
    await sam.send("Go through the agenda")
    for _ in range(5):  # the case, and the four feelings
        await sam.tap("Skip")
    await sam.tap("Same")
    for _ in range(3):
        await sam.tap("Skip")
    await sam.tap("A decision")
    for _ in range(2):
        await sam.tap("Skip")
    await sam.tap("No actions")
    await sam.tap("No")
    offer = await sam.tap_until("Skip", "Did this supervision cover")
    assert offer.labels == ["✓ 1 covered", "✓ 2 covered", "✓ 3 covered", "✓ All covered"]
    ticked = await sam.press("1 covered")
    assert "Still on the agenda" in ticked.text and ticked.labels == [
        "✓ 1 covered",
        "✓ 2 covered",
        "✓ All covered",
    ]
    await sam.press("All covered")
    async with database.unit_of_work() as uow:
        note = (await uow.session.scalars(select(SupervisionNote))).one()
        items = (await uow.session.scalars(select(AgendaItem))).all()
        assert [item.covered_by_note_id for item in items] == [note.id] * 3
        assert note.content["supervisor"] == note.author_id  # Sam, as "Me"
    alex = Chatter(emulator, ALEX, "Alex")
    after = await alex.send("/agenda")
    assert "Nothing kept for it yet" in after.text
    assert "Send the referral form" in after.text  # overdue actions stay until done


async def test_a_cases_history_is_paged_and_shows_saved_walkthroughs(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    for day in range(7):
        await alex.send("/visit")
        await alex.tap("FAM-0142")
        await alex.send(f"{20 - day}/11")
        await alex.send(f"Visit number {day}")
        await alex.tap("Same")
        await alex.send_until("Next: ring school", "Saved your visit")
    await walk(alex)
    await alex.press("Save as a note")

    await alex.send("/cases")
    await alex.press("FAM-0142")
    first = await alex.press("History")
    assert first.labels[0].startswith("🧭 Mon 23 Nov · stuck")
    assert first.labels[-2:] == ["Older ›", "‹ Back"]
    assert len(first.labels) == 6 + 2
    second = await alex.press("Older ›")
    assert "page 2" in second.text and "‹ Newer" in second.labels
    assert second.labels[:2] == ["📝 Sun 15 Nov · visit · Alex", "📝 Sat 14 Nov · visit · Alex"]

    sam = Chatter(emulator, SAM, "Sam")
    await sam.send("/cases")
    await sam.press("FAM-0142")
    await sam.press("History")
    seen = await sam.press("stuck · Alex")
    assert "Dad won't open the door on visit days" in seen.text
    assert seen.labels == ["‹ History"]
