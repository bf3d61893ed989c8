"""Long lists page: every case reachable, ‹ › edit the same message, an old page knows the list
has changed. The real bot over HTTP against the Bot API emulator (which refuses anything
Telegram would)."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from bot.services import access, cases
from storage.db import Database
from tests.e2e.conftest import Chatter
from tests.team import SUPERVISOR_ID, WORKER_ID, seed_team

PAGE_LINE = re.compile(r"Page (\d+) of (\d+) · (\d+) in all")


async def give_cases(
    database: Database, clock: MovableClock, user_id: int, count: int, first: int = 0
) -> None:
    """``count`` cases on a person's caseload, through the case service, due on several days."""
    async with database.unit_of_work() as uow:
        person = await access.require_person(uow, user_id)
        for n in range(first, first + count):
            await cases.create_case(
                uow,
                clock,
                person,
                {"reference": f"FAM-{n:04}", "stage": "engagement", "cadence": 7},
            )
        for n, case in enumerate(await uow.cases.open_for_worker(person.member_id)):
            case.next_visit_due = clock.now().date() + timedelta(days=(n * 7) % 23 - 5)


async def test_a_workers_twenty_cases_page_in_one_message_in_due_order(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    await give_cases(database, clock, WORKER_ID, 20)
    alex = Chatter(emulator, WORKER_ID, "Alex")
    message = await alex.send("/cases")
    seen: list[str] = []
    pages = []
    while True:
        found = PAGE_LINE.search(message.text)
        assert found is not None, message.text
        pages.append(found.group(1))
        assert found.group(2) == "3" and found.group(3) == "20"
        case_buttons = [label for label in message.labels if label.startswith("FAM-")]
        assert 0 < len(case_buttons) <= 8
        seen += [label.split(" ·")[0] for label in case_buttons]
        if "Next ›" not in message.labels:
            break
        message = await alex.press("Next ›")  # edits the same message
    assert pages == ["1", "2", "3"]
    assert sorted(seen) == [f"FAM-{n:04}" for n in range(20)] and len(set(seen)) == 20
    async with database.unit_of_work() as uow:
        person = await access.require_person(uow, WORKER_ID)
        due = {
            c.reference: c.next_visit_due for c in await uow.cases.open_for_worker(person.member_id)
        }
    assert [due[ref] for ref in seen] == sorted(due[ref] for ref in seen)  # soonest first
    assert len(emulator.bot_messages(WORKER_ID)) == 1  # one message, edited twice

    back = await alex.press("‹ Previous")
    assert PAGE_LINE.search(back.text).group(1) == "2"  # type: ignore[union-attr]


async def test_an_old_pages_button_says_the_list_has_changed_and_shows_it_as_it_is(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    await give_cases(database, clock, WORKER_ID, 12)
    alex = Chatter(emulator, WORKER_ID, "Alex")
    first = await alex.send("/cases")
    await give_cases(database, clock, WORKER_ID, 1, first=9999)
    second = await alex.press("Next ›")
    assert second.message_id == first.message_id
    assert second.text.startswith("This list has changed since that page")
    assert "13 in all" in second.text


async def test_a_supervisor_sees_the_team_worker_by_worker_or_one_workers_cases(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    await give_cases(database, clock, WORKER_ID, 10)
    sam = Chatter(emulator, SUPERVISOR_ID, "Sam")
    teams = await sam.send("/cases")
    assert "<u>" not in teams.text and "Alex Worker\n• FAM-" in teams.text
    assert "Page 1 of 2 · 10 in all" in teams.text
    workers = await sam.press("👤 One worker's cases")
    assert workers.text.startswith("Whose cases?")
    assert workers.labels[:2] == ["Alex Worker · 10 · ⚠ 2 overdue", "Kim Worker · 0"]
    alexs = await sam.press("Alex Worker · 10 · ⚠ 2 overdue")
    assert alexs.text.startswith("Alex Worker's cases") and "10 in all" in alexs.text
    whole = await sam.press("‹ Whole team")
    assert whole.text.startswith("Your team's cases")


async def test_a_case_picker_offers_every_case_soonest_due_first_and_typed_parts_match(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    await give_cases(database, clock, WORKER_ID, 20)
    alex = Chatter(emulator, WORKER_ID, "Alex")
    question = await alex.send("/visit")
    assert "Page 1 of 3 · 20 in all." in question.text
    assert "Or type its reference, or part of it" in question.text
    offered: list[str] = []
    while True:
        offered += [label for label in question.labels if label.startswith("FAM-")]
        if "Next ›" not in question.labels:
            break
        turned = await alex.press("Next ›")
        assert turned.message_id == question.message_id  # the same question, another page
        question = turned
    assert sorted(offered) == [f"FAM-{n:04}" for n in range(20)]
    async with database.unit_of_work() as uow:
        person = await access.require_person(uow, WORKER_ID)
        open_cases = await uow.cases.open_for_worker(person.member_id)
    due = {c.reference: c.next_visit_due for c in open_cases}
    assert [due[ref] for ref in offered] == sorted(due.values())  # soonest due first

    matches = await alex.send("fam-001")
    assert "10 matches “fam-001” · page 1 of 2." in matches.text
    assert [label for label in matches.labels if label.startswith("FAM-")] == sorted(
        (f"FAM-001{n}" for n in range(10)), key=lambda ref: (due[ref], ref)
    )[:8]
    one = await alex.send("0017")
    assert "1 match “0017”" in one.text and one.labels[0] == "FAM-0017"
    when = await alex.tap("FAM-0017")
    assert "When was the visit?" in when.text
    unknown = await alex.send("nothing like it")
    assert "FAM-" not in unknown.text


async def test_a_member_picker_puts_me_first_and_typed_names_match(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    await give_cases(database, clock, WORKER_ID, 1)
    sam = Chatter(emulator, SUPERVISOR_ID, "Sam")
    await sam.send("/supervision")
    await sam.tap("General – no case")
    kims = await sam.send("ki")
    assert "1 match “ki”" in kims.text and kims.labels[0] == "Kim Worker"


async def test_a_long_supervision_agenda_pages_in_one_message_and_reaches_every_line(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    await give_cases(database, clock, WORKER_ID, 23)
    async with database.unit_of_work() as uow:
        person = await access.require_person(uow, WORKER_ID)
        for n, case in enumerate(await uow.cases.open_for_worker(person.member_id)):
            case.next_review_on = clock.now().date() + timedelta(days=n % 10)
    alex = Chatter(emulator, WORKER_ID, "Alex")
    message = await alex.send("/agenda")
    reviews: list[str] = []
    pages = 0
    while True:
        pages += 1
        found = PAGE_LINE.search(message.text)
        assert found is not None and found.group(3) == "23", message.text
        assert "Plan reviews due by" in message.text  # each page names its section
        reviews += re.findall(r"^• (FAM-\d{4}) – ", message.text, re.M)
        if "Next ›" not in message.labels:
            break
        message = await alex.press("Next ›")
    assert pages == 3 and len(emulator.bot_messages(WORKER_ID)) == 1
    assert sorted(reviews) == [f"FAM-{n:04}" for n in range(23)]
