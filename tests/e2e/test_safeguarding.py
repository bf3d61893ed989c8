"""The safeguarding path over the real bot (issue 21.1): from /stuck's first step the urgent
flag takes the case as soon as it is picked, every supervisor's copy edited to show it; and
/safeguarding, the case card's "Someone's at risk", a visit note with risk up and a
supervision note naming safeguarding procedures all lead to the same path: the team's
instruction at once, an urgent flag for the case, then carry on or stop."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from storage.db import Database
from storage.models import Flag, Visit
from tests.e2e.conftest import Chatter, add_case
from tests.team import seed_team

ALEX, SAM, DEE = 1002, 1001, 1005
INSTRUCTION = "Follow your local safeguarding procedure"


async def urgent_copy(emulator: BotApiEmulator, chat: int) -> ChatMessage:
    return await emulator.wait_for_bot_message(chat, lambda m: "🔴 Today" in m.text, after=0)


async def the_flag(database: Database) -> Flag:
    async with database.unit_of_work() as uow:
        flag = (await uow.session.scalars(select(Flag))).one()
        case = await uow.cases.get(flag.case_id) if flag.case_id else None
        assert (flag.urgency, flag.source, flag.state) == ("today", "safeguarding", "open")
        assert case is not None and case.reference == "FAM-0142"
        return flag


async def test_the_stuck_flag_takes_the_case_once_picked_and_every_copy_shows_it(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock, second_supervisor=True)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await alex.send_until("/stuck", "immediate risk")
    await alex.tap_until("Yes – someone's at risk now", "Please act on this now")
    copies = {chat: await urgent_copy(emulator, chat) for chat in (SAM, DEE)}
    assert all("FAM-0142" not in copy.text for copy in copies.values())
    await alex.tap_until("Skip", "Anything to add")
    await alex.tap_until("Skip", "Which case")
    await alex.tap_until("FAM-0142", "where exactly are you stuck")
    for chat, copy in copies.items():
        edited = emulator.message(chat, copy.message_id)
        if edited is None or "FAM-0142" not in edited.text:  # not edited yet
            edited = await emulator.wait_for_edit(
                chat, copy.message_id, predicate=lambda m: "FAM-0142" in m.text
            )
        assert "🔴 Today" in edited.text and "✓ Acknowledge" in edited.labels
    await the_flag(database)


async def test_going_back_to_choose_another_case_moves_the_flag_to_it(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await add_case(alex, "FAM-0143")
    await alex.send_until("/stuck", "immediate risk")
    await alex.tap_until("Yes – someone's at risk now", "Please act on this now")
    copy = await urgent_copy(emulator, SAM)
    await alex.tap_until("Skip", "Anything to add")
    await alex.tap_until("Skip", "Which case")
    await alex.tap_until("FAM-0143", "where exactly are you stuck")
    await emulator.wait_for_edit(SAM, copy.message_id, predicate=lambda m: "FAM-0143" in m.text)
    await alex.tap_until("Back", "Which case")
    await alex.tap_until("FAM-0142", "where exactly are you stuck")
    moved = await emulator.wait_for_edit(
        SAM, copy.message_id, predicate=lambda m: "FAM-0142" in m.text
    )
    assert "FAM-0143" not in moved.text
    await the_flag(database)  # one flag, for FAM-0142


async def test_the_stuck_flag_has_the_case_at_once_from_a_case_card(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await alex.send("/cases")
    await alex.press("FAM-0142")
    await alex.tap_until("I'm stuck", "immediate risk")
    shown = await alex.tap_until("Yes – someone's at risk now", "Please act on this now")
    assert "FAM-0142" in shown.text
    assert "FAM-0142" in (await urgent_copy(emulator, SAM)).text
    await the_flag(database)


async def test_the_safeguarding_command_asks_which_case_then_shows_the_instruction(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    asked = await alex.send_until("/safeguarding", "Which case")
    assert "FAM-0142" in asked.labels
    shown = await alex.tap_until("FAM-0142", "Please act on this now")
    assert INSTRUCTION in shown.text and "FAM-0142" in shown.text
    assert "never replaces one" in shown.text and shown.labels == []
    await emulator.wait_for_bot_message(ALEX, lambda m: "as urgent" in m.text, after=0)
    assert "FAM-0142" in (await urgent_copy(emulator, SAM)).text
    await the_flag(database)
    help_text = (await alex.send("/help")).text
    assert "/safeguarding" in help_text


async def test_every_case_card_has_someone_at_risk(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await alex.send("/cases")
    card = await alex.press("FAM-0142")
    assert "🚨 Someone's at risk" in card.labels
    shown = await alex.tap_until("Someone's at risk", "Please act on this now")
    assert INSTRUCTION in shown.text and "FAM-0142" in shown.text
    assert "FAM-0142" in (await urgent_copy(emulator, SAM)).text
    await the_flag(database)
    # The supervisor's card has it too.
    sam = Chatter(emulator, SAM, "Sam")
    await sam.send("/cases")
    sams_card = await sam.press("FAM-0142")
    assert "🚨 Someone's at risk" in sams_card.labels


async def test_a_visit_note_with_risk_up_leads_to_the_path_and_carries_on(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await alex.send_until("/visit", "Which case")
    await alex.tap_until("FAM-0142", "When was the visit")
    await alex.tap_until("Today", "How did it go")
    await alex.send_until("Mum was frightened of her new partner", "has the risk changed")
    shown = await alex.tap_until("Up", "Please act on this now")
    assert INSTRUCTION in shown.text and "FAM-0142" in shown.text
    assert shown.labels == ["Stop here"]
    assert "FAM-0142" in (await urgent_copy(emulator, SAM)).text
    await the_flag(database)
    # The note carries on, and is kept.
    await emulator.wait_for_bot_message(ALEX, lambda m: "next step" in m.text, after=0)
    await alex.tap_until("Skip", "FAM-0142")
    async with database.unit_of_work() as uow:
        assert (await uow.session.scalars(select(Visit))).one().risk_change == "up"


async def test_a_visit_note_stopped_after_the_path_keeps_the_flag(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await alex.send_until("/visit", "Which case")
    await alex.tap_until("FAM-0142", "When was the visit")
    await alex.tap_until("Today", "How did it go")
    await alex.send_until("Worse", "has the risk changed")
    await alex.tap_until("Up", "Please act on this now")
    stopped = await alex.tap_until("Stop here", "Stopped")
    assert stopped.text.startswith("Stopped: Visit note.")
    await the_flag(database)


async def test_a_supervision_note_naming_safeguarding_procedures_leads_to_the_path(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await alex.send_until("/supervision", "Which case")
    await alex.tap("FAM-0142")
    await alex.tap("Today")
    await alex.tap("One-to-one")
    await alex.tap("Sam Supervisor")
    await alex.send("Decide about the school")
    for _ in range(5):  # the case, and the four feelings
        await alex.tap("Skip")
    await alex.tap("Up")
    for _ in range(3):
        await alex.tap("Skip")
    await alex.tap("Nothing yet")
    await alex.tap_until("No", "Who else")
    shown = await alex.tap_until("Safeguarding procedures", "Please act on this now")
    assert INSTRUCTION in shown.text and "FAM-0142" in shown.text
    assert shown.labels == ["Stop here"]
    assert "FAM-0142" in (await urgent_copy(emulator, SAM)).text
    await the_flag(database)
    await emulator.wait_for_bot_message(ALEX, lambda m: "decided" in m.text, after=0)


async def test_someone_at_risk_mid_flow_does_not_wait_and_the_flow_carries_on(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await add_case(alex, "FAM-0207")
    await alex.send("/cases")
    await alex.press("FAM-0207")  # a card left in the chat
    await alex.send_until("/visit", "Which case")
    await alex.tap_until("FAM-0142", "When was the visit")
    # /safeguarding mid-note: the note's case, at once; no "finish or drop?".
    shown = await alex.send_until("/safeguarding", "Please act on this now")
    assert INSTRUCTION in shown.text and "FAM-0142" in shown.text
    still = await emulator.wait_for_bot_message(ALEX, lambda m: "still open" in m.text, after=0)
    assert still.labels == ["Finish visit note", "Stop here"]
    await the_flag(database)
    # The card's button mid-note: that card's case.
    await alex.tap_until("Someone's at risk", "FAM-0207")
    again = await alex.tap_until("Finish visit note", "When was the visit")
    assert "Today" in again.labels
    async with database.unit_of_work() as uow:
        flags = (await uow.session.scalars(select(Flag).order_by(Flag.id))).all()
        references = [(await uow.cases.get(f.case_id or 0)) for f in flags]
        assert [c.reference for c in references if c] == ["FAM-0142", "FAM-0207"]
        assert await uow.flows.open_for((await uow.members.by_telegram_id(ALEX)).id) is not None


async def test_the_safeguarding_command_takes_a_case_given_in_advance(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    kim = Chatter(emulator, 1004, "Kim")
    await add_case(alex, "FAM-0142")
    await add_case(kim, "FAM-0300")
    shown = await alex.send_until("/safeguarding fam-0142", "Please act on this now")
    assert INSTRUCTION in shown.text and "FAM-0142" in shown.text
    await the_flag(database)
    # A colleague's case, or one that does not exist: refused alike, no flag.
    for reference in ("FAM-0300", "FAM-9999"):
        refused = await alex.send(f"/safeguarding {reference}")
        assert "Please act" not in refused.text and reference not in refused.text
    async with database.unit_of_work() as uow:
        assert len((await uow.session.scalars(select(Flag))).all()) == 1
