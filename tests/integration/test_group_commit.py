"""Work handed in together goes in one transaction (issue 24): delivery composes the rows
whose turn comes together in one, and one item's failure stays its own where it may be."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select
from telegram import Bot

from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from bot.telegram.calls import ApiCaller
from bot.telegram.delivery import Delivery
from bot.telegram.group_commit import GroupCommit
from bot.telegram.pacing import PaceLimits, Pacer
from storage.db import Database
from storage.models import OutboxMessage
from storage.uow import UnitOfWork
from tests.outbox_notes import note_row, owe
from tests.waiting import eventually

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
UNPACED = PaceLimits(overall_per_second=100_000, per_chat_per_second=1_000)
ROWS = 20


class Commits:
    """Counts the engine's commits while in use."""

    def __init__(self, database: Database) -> None:
        self.engine = database.engine.sync_engine
        self.count = 0

    def _committed(self, _connection: Any) -> None:
        self.count += 1

    def __enter__(self) -> Commits:
        event.listen(self.engine, "commit", self._committed)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "commit", self._committed)


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emu:
        yield emu


async def test_rows_due_together_are_composed_in_one_transaction_and_all_sent(
    database: Database, emulator: BotApiEmulator
) -> None:
    await owe(database, [note_row(n, 9000 + n, NOW) for n in range(ROWS)])
    bot = Bot(emulator.token, base_url=emulator.base_url)
    await bot.initialize()
    delivery = Delivery(database, MovableClock(NOW), ApiCaller(bot), pacer=Pacer(UNPACED))
    try:
        with Commits(database) as commits:
            assert await delivery.deliver_due() == ROWS
    finally:
        await bot.shutdown()
    # A transaction each would be 20 to compose, 1 to claim and at least 1 to mark them sent.
    assert commits.count < ROWS, commits.count
    async with database.unit_of_work() as uow:
        rows = (await uow.session.scalars(select(OutboxMessage))).all()
    assert {row.status for row in rows} == {"sent"} and len(rows) == ROWS
    assert emulator.stats["sent_messages"] == ROWS


async def _doubled(items: Sequence[int], uow: UnitOfWork) -> list[int]:
    """Doubles each item; 13 fails (and with it the transaction)."""
    if 13 in items:
        raise ValueError("thirteen")
    return [item * 2 for item in items]


async def test_items_handed_in_together_share_a_transaction_and_get_their_own_results(
    database: Database,
) -> None:
    batches: list[list[int]] = []

    async def recorded(items: Sequence[int], uow: UnitOfWork) -> list[int]:
        batches.append(list(items))
        return await _doubled(items, uow)

    together = GroupCommit(database, recorded, name="test")
    results = await asyncio.gather(*(together.submit(n) for n in range(5)))
    assert results == [0, 2, 4, 6, 8]
    assert batches == [[0, 1, 2, 3, 4]]  # one unit of work for the five


async def test_a_failure_that_may_be_one_items_own_is_tried_again_item_by_item(
    database: Database,
) -> None:
    alone = GroupCommit(database, _doubled, name="test", alone_on=lambda e: True)
    results = await asyncio.gather(*(alone.submit(n) for n in (1, 13, 2)), return_exceptions=True)
    assert results[0] == 2 and results[2] == 4
    assert isinstance(results[1], ValueError)
    # Without alone_on, the transaction's failure is every item's.
    every = GroupCommit(database, _doubled, name="test")
    results = await asyncio.gather(*(every.submit(n) for n in (1, 13, 2)), return_exceptions=True)
    assert all(isinstance(result, ValueError) for result in results)


async def test_callers_are_not_left_waiting_when_the_writer_is_cancelled(
    database: Database,
) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(items: Sequence[int], uow: UnitOfWork) -> list[int]:
        started.set()
        await release.wait()
        return list(items)

    commit = GroupCommit(database, slow, name="test")
    first = asyncio.ensure_future(commit.submit(1))
    await started.wait()
    second = asyncio.ensure_future(commit.submit(2))  # waits for the next transaction

    async def second_waiting() -> bool:
        return len(commit._waiting) == 1

    await eventually(second_waiting)
    assert commit._writer is not None
    commit._writer.cancel()
    done = await asyncio.gather(first, second, return_exceptions=True)
    assert all(isinstance(outcome, asyncio.CancelledError) for outcome in done)
