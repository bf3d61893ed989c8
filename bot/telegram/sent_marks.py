"""Sent outbox rows recorded together: one transaction for every send that finished meanwhile.

Each message delivered is marked sent (its row, with Telegram's message id) before its
place among the sends in flight is given up, so a crash repeats at most that many sends
(``Delivery``). Marking each in a transaction of its own made every message cost a
commit of its own, one after another behind SQLite's write lock (issue 24: ten times
Telegram's limits reached 90-130 messages a second). Here the first send to finish
starts a writer; the sends that finish while it writes wait for the next transaction,
which records them all (a group commit). Each send still waits until its own mark is
committed, so the bound on repeats after a crash is unchanged; a failed transaction
fails every send in it, whose rows are then sent again when their lease runs out,
exactly as when one send's own transaction failed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from storage.db import Database
from storage.repositories.outbox import Claim
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class _Mark:
    claim: Claim
    at: datetime
    message_id: int | None
    timeouts: int
    done: asyncio.Future[bool]


class SentMarks:
    """Records sends as sent, in batches; each caller waits for its own mark's commit."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._waiting: list[_Mark] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(
        self, claim: Claim, at: datetime, message_id: int | None, timeouts: int
    ) -> bool:
        """Mark the claimed row sent; False when the claim no longer held it."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Mark(claim, at, message_id, timeouts, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name="outbox-sent-marks")
        return await done

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                held = await self._database.run(partial(_mark_all, batch))
            except Exception as error:
                for mark in batch:
                    if not mark.done.done():
                        mark.done.set_exception(error)
                continue
            for mark, kept in zip(batch, held, strict=True):
                if not mark.done.done():
                    mark.done.set_result(kept)


async def _mark_all(batch: list[_Mark], uow: UnitOfWork) -> list[bool]:
    return [
        await uow.outbox.mark_sent(mark.claim, mark.at, mark.message_id, mark.timeouts)
        for mark in batch
    ]
