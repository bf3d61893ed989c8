"""The outbox: messages owed, each planned once and delivered at least once.

A row is ``pending`` until delivery claims it (``sending``, with a lease), then
``sent``; ``dropped`` when there was nothing left to say at send time;
``failed`` when its person cannot be reached (they blocked the bot) or its kind
is unknown; ``dead`` (the dead letters) when Telegram refused it for good.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage
from storage.repositories._insert import insert_ignoring_duplicates

PENDING, SENDING, SENT, FAILED, DROPPED = "pending", "sending", "sent", "failed", "dropped"
DEAD = "dead"
_ONE_STEP = timedelta(microseconds=1)
ENQUEUE_BATCH = 1_000
"""Rows per INSERT: a planning tick may owe thousands, and every driver caps a statement's
parameters (SQLite at 32,766, asyncpg at 32,767)."""


@dataclass(frozen=True)
class Claim:
    """A row this process has claimed: its id, chat, and the attempt the claim counts as
    (a later claim by someone else, after the lease ran out, has a higher one)."""

    id: int
    chat_id: int
    attempt: int


class OutboxRepository:
    """Planning inserts rows by unique key; delivery claims due ones with a lease."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enqueue(self, rows: Sequence[dict[str, Any]]) -> int:
        """Add messages (``key``, ``kind``, ``chat_id``, ``due_at``, ...); existing keys are
        left alone, so planning the same thing twice is harmless. Returns how many are new."""
        full = [{"status": PENDING, "attempts": 0, "ref": {}, **row} for row in rows]
        new = 0
        for start in range(0, len(full), ENQUEUE_BATCH):
            batch = full[start : start + ENQUEUE_BATCH]
            new += len(
                await insert_ignoring_duplicates(self._session, OutboxMessage, batch, ["key"])
            )
        return new

    async def get(self, row_id: int) -> OutboxMessage | None:
        """One row."""
        return await self._session.get(OutboxMessage, row_id)

    async def by_key(self, key: str) -> OutboxMessage | None:
        """The row with this key."""
        return await self._session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))

    async def with_key_prefix(self, prefix: str) -> Sequence[OutboxMessage]:
        """Rows whose key starts with ``prefix`` (e.g. every copy of one flag)."""
        query = select(OutboxMessage).where(OutboxMessage.key.startswith(prefix, autoescape=True))
        return (await self._session.scalars(query.order_by(OutboxMessage.id))).all()

    async def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[int]:
        """Take up to ``limit`` due rows (see ``claim``); returns their ids."""
        return [claim.id for claim in await self.claim(now, lease_until, limit)]

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[Claim]:
        """Take up to ``limit`` due rows (pending, or whose lease ran out) for this process,
        oldest due first.

        On PostgreSQL rows locked by another process are skipped, so two processes
        never take the same row; on SQLite one process owns the database.
        """
        query = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.due_at <= now,
                or_(
                    OutboxMessage.status == PENDING,
                    (OutboxMessage.status == SENDING) & (OutboxMessage.lease_until < now),
                ),
            )
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .limit(limit)
        )
        if self._session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list((await self._session.scalars(query)).all())
        if ids:
            await self._session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(
                    status=SENDING,
                    lease_until=lease_until,
                    attempts=OutboxMessage.attempts + 1,
                )
            )
        if not ids:
            return []
        claimed = await self._session.execute(
            select(OutboxMessage.id, OutboxMessage.chat_id, OutboxMessage.attempts)
            .where(OutboxMessage.id.in_(ids))
            .execution_options(populate_existing=True)
        )
        found = {row_id: Claim(row_id, chat_id, attempt) for row_id, chat_id, attempt in claimed}
        return [found[row_id] for row_id in ids]

    async def held(self, claim: Claim) -> OutboxMessage | None:
        """The claimed row, if this claim still holds it (nobody re-claimed it since)."""
        row = await self.get(claim.id)
        if row is None or row.status != SENDING or row.attempts != claim.attempt:
            return None
        return row

    async def mark_sent(
        self, claim: Claim, at: datetime, message_id: int | None, timeouts: int
    ) -> bool:
        """Record a claimed row as sent (with Telegram's message id, for a new message);
        False when this claim no longer holds it. One statement: the common case is cheap."""
        values: dict[str, Any] = {
            "status": SENT,
            "sent_at": at,
            "lease_until": None,
            "last_error": None,
            "timeouts": OutboxMessage.timeouts + timeouts,
        }
        if message_id is not None:
            values["message_id"] = message_id
        result = await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == claim.id,
                OutboxMessage.status == SENDING,
                OutboxMessage.attempts == claim.attempt,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def put_back(self, claims: Sequence[Claim], after: datetime | None = None) -> int:
        """Return claimed rows unsent; the claim is not counted as an attempt. With ``after``
        they fall due one after another just after it, in the order given (so a chat's
        messages keep their order behind one that must wait); without, when they were due.
        Returns how many were still held."""
        returned = 0
        for step, claim in enumerate(claims, start=1):
            row = await self.held(claim)
            if row is None:
                continue
            row.status, row.lease_until = PENDING, None
            row.attempts = max(0, row.attempts - 1)
            if after is not None:
                row.due_at = max(row.due_at, after + step * _ONE_STEP)
            returned += 1
        return returned

    async def bring_forward(self, now: datetime, *, keep_waits_told: str) -> int:
        """Make due now the rows put off after failed sends, except those whose last error
        begins with ``keep_waits_told`` (a 429's wait, which must be kept); returns how many."""
        result = await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.status == "pending",
                OutboxMessage.attempts > 0,
                OutboxMessage.due_at > now,
                or_(
                    OutboxMessage.last_error.is_(None),
                    ~OutboxMessage.last_error.startswith(keep_waits_told, autoescape=True),
                ),
            )
            .values(due_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def release_leases(self) -> int:
        """Put every claimed row back unsent (for a process that knows no other one is
        sending: the claims are a dead run's). Returns how many."""
        result = await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == SENDING)
            .values(status=PENDING, lease_until=None)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """Point every unsent row for a chat at its new id (a group became a supergroup)."""
        result = await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.chat_id == old_chat_id,
                OutboxMessage.status.in_([PENDING, SENDING]),
            )
            .values(chat_id=new_chat_id)
            .execution_options(synchronize_session="fetch")
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def due_count(self, now: datetime) -> int:
        """How many rows are waiting to be sent now."""
        rows = await self._session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.status.in_([PENDING, SENDING]), OutboxMessage.due_at <= now
            )
        )
        return len(rows.all())

    async def backlog(self, now: datetime) -> tuple[int, datetime | None]:
        """How many rows are owed (pending or being sent, due or not) and when the oldest
        one that is due now fell due (None when nothing is due)."""
        owed = OutboxMessage.status.in_([PENDING, SENDING])
        depth = await self._session.scalar(select(func.count()).where(owed))
        oldest = await self._session.scalar(
            select(func.min(OutboxMessage.due_at)).where(owed, OutboxMessage.due_at <= now)
        )
        return int(depth or 0), oldest

    async def last_sent_at(self) -> datetime | None:
        """When a message was last sent, by any process."""
        return await self._session.scalar(select(func.max(OutboxMessage.sent_at)))
