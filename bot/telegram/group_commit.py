"""Work handed in while a transaction runs, done together in the next one (a group commit).

Delivery does two things per message in the database: composing it (its lease renewed, what
to say read from current data) and marking it sent. Each in a transaction of its own made
every message cost transactions of its own, one after another behind SQLite's write lock
(issue 24). Here the first item handed in starts a writer; the items handed in while it
writes wait for the next transaction, which does them all. Each caller still waits for its
own item's commit and gets its own result.

A transaction that fails fails every item in it, as each item's own transaction would have.
With ``alone_on`` saying which errors may be one item's doing (a row that cannot be
composed, say, which on PostgreSQL aborts the whole transaction), such a batch is done again
an item at a time, so that one item's failure stays its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Generic, TypeVar

from storage.db import Database
from storage.uow import UnitOfWork

Item = TypeVar("Item")
Result = TypeVar("Result")
Work = Callable[[Sequence[Item], UnitOfWork], Awaitable[list[Result]]]


@dataclass(frozen=True)
class _Waiting(Generic[Item, Result]):
    item: Item
    done: asyncio.Future[Result]


class GroupCommit(Generic[Item, Result]):
    """Runs ``work`` over the items handed in meanwhile, in one transaction at a time."""

    def __init__(
        self,
        database: Database,
        work: Work[Item, Result],
        *,
        name: str,
        alone_on: Callable[[BaseException], bool] | None = None,
    ) -> None:
        self._database = database
        self._work = work
        self._name = name
        self._alone_on = alone_on
        self._waiting: list[_Waiting[Item, Result]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        """Do ``item`` in the next transaction; its result once that has committed."""
        done: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiting(item, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name=self._name)
        return await done

    async def _write(self) -> None:
        batch: list[_Waiting[Item, Result]] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    results = await self._run(batch)
                except Exception as error:
                    if len(batch) > 1 and self._alone_on is not None and self._alone_on(error):
                        for waiting in batch:
                            await self._settle([waiting])
                    else:
                        _fail(batch, error)
                    continue
                _succeed(batch, results)
        finally:
            # Cancelled (the process stopping): no caller waits for ever on a transaction
            # that will not come.
            for waiting in [*batch, *self._waiting]:
                waiting.done.cancel()
            self._waiting = []

    async def _settle(self, batch: list[_Waiting[Item, Result]]) -> None:
        try:
            results = await self._run(batch)
        except Exception as error:
            _fail(batch, error)
            return
        _succeed(batch, results)

    async def _run(self, batch: list[_Waiting[Item, Result]]) -> list[Result]:
        return await self._database.run(partial(self._work, [w.item for w in batch]))


def _succeed(batch: list[_Waiting[Item, Result]], results: list[Result]) -> None:
    for waiting, result in zip(batch, results, strict=True):
        if not waiting.done.done():
            waiting.done.set_result(result)


def _fail(batch: list[_Waiting[Item, Result]], error: Exception) -> None:
    for waiting in batch:
        if not waiting.done.done():
            waiting.done.set_exception(error)
