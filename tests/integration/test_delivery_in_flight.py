"""DELIVERY_IN_FLIGHT bounds what a crash can repeat: the nudges Telegram has taken whose rows
are not yet marked sent.

To hold sends in exactly that state, PostgreSQL is made slow to record one: a trigger
sleeps whenever a row becomes ``sent`` (composing a row, which also writes it, stays
fast). Delivery must then stop sending while ``in_flight`` sends wait to be recorded.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text
from telegram import Bot

from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from bot.telegram.calls import ApiCaller
from bot.telegram.delivery import Delivery
from bot.telegram.pacing import PaceLimits, Pacer
from storage.db import Database
from storage.models import OutboxMessage
from tests.outbox_notes import note_row, owe

ROWS, IN_FLIGHT = 12, 3
UNPACED = PaceLimits(overall_per_second=100_000, per_chat_per_second=1_000)
SLOW_RECORDING = (
    """CREATE FUNCTION slow_to_record() RETURNS trigger AS $$
       BEGIN PERFORM pg_sleep(0.4); RETURN NEW; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER slow_to_record BEFORE UPDATE ON outbox FOR EACH ROW
       WHEN (NEW.status = 'sent' AND OLD.status <> 'sent') EXECUTE FUNCTION slow_to_record()""",
)


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emu:
        yield emu


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_sends_waiting_to_be_recorded_never_exceed_the_in_flight_limit(
    database: Database, emulator: BotApiEmulator
) -> None:
    clock = MovableClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    await owe(database, [note_row(n, 9000 + n, clock.now()) for n in range(ROWS)])
    async with database.engine.begin() as connection:
        for statement in SLOW_RECORDING:
            await connection.execute(text(statement))
    observer = Database(database.url)
    samples: list[int] = []

    async def watch(stop: asyncio.Event) -> None:
        """Sample sends waiting to be recorded: the emulator's count first, then the rows
        recorded (which only grows), so a sample never overstates it."""
        query = select(func.count()).where(OutboxMessage.status == "sent")
        while not stop.is_set():
            arrived = emulator.stats["sent_messages"]
            async with observer.unit_of_work() as uow:
                recorded = int((await uow.session.execute(query)).scalar_one())
            samples.append(arrived - recorded)

    bot = Bot(emulator.token, base_url=emulator.base_url)
    await bot.initialize()
    delivery = Delivery(database, clock, ApiCaller(bot), pacer=Pacer(UNPACED), in_flight=IN_FLIGHT)
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch(stop))
    try:
        assert await delivery.deliver_due() == ROWS
    finally:
        stop.set()
        await watcher
        await bot.shutdown()
        await observer.dispose()
    # Each send waits 0.4 s to be recorded: the places fill up, and no more go out meanwhile.
    assert max(samples) == IN_FLIGHT, sorted(set(samples))
    assert emulator.stats["sent_messages"] == ROWS
