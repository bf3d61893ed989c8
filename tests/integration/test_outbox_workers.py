"""Several processes, one database: on PostgreSQL delivery workers share the outbox and each
message goes out once; on SQLite a second bot on the same file refuses to start."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.app import StartupError, build
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from bot.telegram.calls import ApiCaller
from bot.telegram.delivery import Delivery
from bot.telegram.pacing import PaceLimits, Pacer
from storage.db import Database
from tests.e2e.conftest import bot_settings
from tests.outbox_notes import label, note_row, owe, rows_by_label

ROWS, CHATS, WORKERS = 2000, 200, 3
# The emulator enforces no flood limits here: this is about sharing the work, not pacing.
UNPACED = PaceLimits(overall_per_second=100_000, per_chat_per_second=1_000)


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emu:
        yield emu


@pytest.mark.slow
async def test_three_workers_on_postgresql_send_each_of_2000_messages_exactly_once(
    database: Database, emulator: BotApiEmulator
) -> None:
    if database.is_sqlite:
        pytest.skip("one process owns a SQLite database; sharing the outbox is PostgreSQL's")
    clock = MovableClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    await owe(database, [note_row(n, 8000 + n % CHATS, clock.now()) for n in range(ROWS)])

    # Three "processes": each its own engine, Bot API connection and delivery.
    databases = [Database(database.url) for _ in range(WORKERS)]
    bots = [
        Bot(
            emulator.token,
            base_url=emulator.base_url,
            request=HTTPXRequest(connection_pool_size=24),
        )
        for _ in range(WORKERS)
    ]
    try:
        for bot in bots:
            await bot.initialize()
        workers = [
            Delivery(db, clock, ApiCaller(bot), pacer=Pacer(UNPACED), batch=60)
            for db, bot in zip(databases, bots, strict=True)
        ]
        sent = await asyncio.gather(*(worker.deliver_due() for worker in workers))
    finally:
        for bot in bots:
            await bot.shutdown()
        for db in databases:
            await db.dispose()

    assert sum(sent) == ROWS
    assert all(share > 0 for share in sent), f"the work was not shared: {sent}"
    arrived: Counter[str] = Counter()
    for chat in range(8000, 8000 + CHATS):
        for message in emulator.bot_messages(chat):
            arrived[message.text.split()[1].rstrip(".")] += 1
    assert arrived == Counter({label(n): 1 for n in range(ROWS)})
    rows = await rows_by_label(database)
    assert {row.status for row in rows.values()} == {"sent"}
    assert len({(row.chat_id, row.message_id) for row in rows.values()}) == ROWS


async def test_a_second_bot_on_the_same_sqlite_file_refuses_to_start(
    emulator: BotApiEmulator, tmp_path: Path, data_keys: list[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bearings.db'}"
    clock = MovableClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    first = build(bot_settings(emulator, url, data_keys), clock=clock)
    second = build(bot_settings(emulator, url, data_keys), clock=clock)
    await first.start()
    try:
        with pytest.raises(StartupError) as refused:
            await second.start()
        message = str(refused.value)
        assert "already in use by another Bearings process" in message
        assert str(tmp_path / "bearings.db") in message and "PostgreSQL" in message
    finally:
        await first.stop()
    # Once the first has stopped, the file is free again.
    await second.start()
    await second.stop()
