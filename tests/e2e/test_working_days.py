"""Snooze, Reschedule and the days a question offers keep to the team's working days (issue
19.5): a Monday-to-Friday team is never offered a Saturday or Sunday first, and a day off
chosen anyway is taken and said plainly."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from tests.e2e.conftest import Chatter
from tests.e2e.test_nudges import ALEX, seed_case
from tests.team import seed_team

FRIDAY = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
WEEKEND = ("Sat", "Sun")


async def test_snooze_on_a_friday_lands_on_monday_and_reschedule_offers_working_days(
    bot_with_nudges: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    clock.set(FRIDAY)
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await seed_case(database, clock, "FAM-0142", date(2026, 12, 4))
    await emulator.wait_for_bot_message(ALEX, lambda m: "is due today" in m.text, after=0)
    choosing = await alex.press("Reschedule")
    assert choosing.labels[0] == "Mon 7 Dec"
    assert not any(label.startswith(WEEKEND) for label in choosing.labels)
    assert len(choosing.labels) == 6

    await seed_case(database, clock, "FAM-0143", date(2026, 12, 4))
    await bot_with_nudges.tick()
    await emulator.wait_for_bot_message(ALEX, lambda m: "FAM-0143 is due today" in m.text, after=0)
    snoozed = await alex.press("Snooze 1 day")
    assert "Snoozed until Mon 7 Dec, your next working day." in snoozed.text


async def test_a_question_ahead_offers_working_days_and_says_so_when_a_day_off_is_typed(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    clock.set(FRIDAY)
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    ask = await alex.send("/away")
    assert "Until when" in ask.text
    assert ask.labels[:3] == ["Mon 7 Dec", "Tue 8 Dec", "Wed 9 Dec"]
    assert not any(label.startswith(WEEKEND) for label in ask.labels)
    noted = await alex.send_until("sat", "working days")
    assert "Saturday 5 December isn't one of your team's working days" in noted.text
    await emulator.wait_for_bot_message(ALEX, lambda m: "Who's covering" in m.text, after=0)
