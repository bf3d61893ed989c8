"""/forget_me over the real bot: explained, confirmed with a button, done once; the case
goes to the supervisor, who is told; afterwards the person is a stranger."""

from __future__ import annotations

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from tests.e2e.conftest import Chatter, add_case
from tests.team import SUPERVISOR_ID, WORKER_ID, seed_team


async def test_a_worker_erases_their_account_and_their_case_passes_to_the_supervisor(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, WORKER_ID, "Alex")
    sam = Chatter(emulator, SUPERVISOR_ID, "Sam")
    await add_case(alex, "FAM-0142")

    asked = await alex.send("/forget_me")
    assert "Erase your Bearings account?" in asked.text
    assert "Your open cases pass to Sam Supervisor: FAM-0142" in asked.text
    assert "a former worker" in asked.text and "can't be undone" in asked.text
    assert asked.labels == ["Yes, erase my account", "No, keep it"]
    kept = await alex.press("No, keep it")
    assert "Nothing has changed" in kept.text and kept.buttons == []

    await alex.send("/forget_me")
    message_id, data = alex.button("Yes, erase my account")
    sam_before = len(emulator.bot_messages(SUPERVISOR_ID))
    done = await alex.press("Yes, erase my account")
    assert "I've erased your account" in done.text
    assert "FAM-0142 is now with Sam Supervisor" in done.text and done.buttons == []
    told = await emulator.wait_for_bot_message(
        SUPERVISOR_ID, lambda m: "erased their Bearings account" in m.text, after=sam_before
    )
    assert "FAM-0142" in told.text
    async with database.unit_of_work() as uow:
        assert await uow.members.by_telegram_id(WORKER_ID) is None

    # The same button again, and /forget_me again: nothing more happens.
    answer = await alex.press_data(message_id, data)
    assert answer.get("text") == "Already done."
    again = await alex.send("/forget_me")
    assert "nothing to erase" in again.text
    stranger = await alex.send("/cases")
    assert "not a member" in stranger.text
    start = await alex.send("/start")
    assert "invite link" in start.text

    # Sam is now the team's only supervisor: he cannot erase his account yet.
    refused = await sam.send("/forget_me")
    assert "only supervisor of <b>North Team</b>" in (refused.html or "")
    assert "/invite supervisor" in refused.text and "Nothing has been erased" in refused.text
    assert refused.buttons == []
    caseload = await sam.send("/cases")
    assert "FAM-0142" in caseload.text
