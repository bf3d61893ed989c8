"""Sent outbox rows recorded together: one transaction for every send that finished meanwhile.

Each message delivered is marked sent (its row, with Telegram's message id) before its
place among the sends in flight is given up, so a crash repeats at most that many sends
(``Delivery``). Marking each in a transaction of its own made every message cost a
commit of its own, one after another behind SQLite's write lock (issue 24: ten times
Telegram's limits reached 90-130 messages a second). The sends that finish while one
batch is written are marked in the next (``GroupCommit``). Each send still waits until its
own mark is committed, so the bound on repeats after a crash is unchanged; a failed
transaction fails every send in it, whose rows are then sent again when their lease runs
out, exactly as when one send's own transaction failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.telegram.group_commit import GroupCommit
from storage.db import Database
from storage.repositories.outbox import Claim
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class _Mark:
    claim: Claim
    at: datetime
    message_id: int | None
    timeouts: int


class SentMarks:
    """Records sends as sent, in batches; each caller waits for its own mark's commit."""

    def __init__(self, database: Database) -> None:
        self._marks: GroupCommit[_Mark, bool] = GroupCommit(
            database, _mark_all, name="outbox-sent-marks"
        )

    async def record(
        self, claim: Claim, at: datetime, message_id: int | None, timeouts: int
    ) -> bool:
        """Mark the claimed row sent; False when the claim no longer held it."""
        return await self._marks.submit(_Mark(claim, at, message_id, timeouts))


async def _mark_all(batch: Sequence[_Mark], uow: UnitOfWork) -> list[bool]:
    return [
        await uow.outbox.mark_sent(mark.claim, mark.at, mark.message_id, mark.timeouts)
        for mark in batch
    ]
