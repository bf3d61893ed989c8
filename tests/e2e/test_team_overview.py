"""/team: each worker at a glance, the flag figures, and who may see it."""

from __future__ import annotations

from datetime import timedelta

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from tests.e2e.conftest import Chatter, add_case
from tests.team import seed_team

ALEX, SAM, KIM = 1002, 1001, 1004


async def test_the_team_overview_counts_what_needs_attention(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await add_case(alex, "FAM-0143")
    await alex.send("/cases")
    await alex.press("FAM-0142")
    await alex.tap("Flag to supervisor")
    await alex.tap("This week")
    await alex.send_until("Need a steer", "Flagged")
    sam = Chatter(emulator, SAM, "Sam")
    copy = await emulator.wait_for_bot_message(SAM, lambda m: "🚩 Flag" in m.text, after=0)
    clock.advance(timedelta(minutes=30))
    await sam.press("Acknowledge")
    assert copy.message_id

    clock.advance(timedelta(days=2))  # both first visits (due on the day added) are overdue
    overview = await sam.send("/team")
    assert "North Team" in overview.text
    alex_line = overview.text.split("Alex Worker")[1].split("Kim Worker")[0]
    assert "2 cases" in alex_line and "⚠ 2 visits overdue" in alex_line
    assert "🚩 1 open" in alex_line and "bearings: none yet" in alex_line
    kim_line = overview.text.split("Kim Worker")[1]
    assert "0 cases" in kim_line
    assert "1 raised · 0 escalated" in overview.text
    assert "Picked up in 30 min (median), 30 min (9 in 10)" in overview.text
    assert overview.labels == ["Alex Worker", "Kim Worker", "📊 Team picture"]
    agenda = await sam.tap("Alex Worker")
    assert "Alex Worker's supervision agenda" in agenda.text

    kim = Chatter(emulator, KIM, "Kim")
    assert (await kim.send("/team")).text == "Only supervisors can do that."
    pat = Chatter(emulator, 2001, "Pat")
    assert "Alex" not in (await pat.send("/team")).text
