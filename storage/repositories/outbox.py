"""The outbox: messages owed, each planned once and delivered at least once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage
from storage.repositories._insert import insert_ignoring_duplicates

PENDING, SENDING, SENT, FAILED, DROPPED = "pending", "sending", "sent", "failed", "dropped"


class OutboxRepository:
    """Planning inserts rows by unique key; delivery claims due ones with a lease."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enqueue(self, rows: Sequence[dict[str, Any]]) -> int:
        """Add messages (``key``, ``kind``, ``chat_id``, ``due_at``, ...); existing keys are
        left alone, so planning the same thing twice is harmless. Returns how many are new."""
        full = [{"status": PENDING, "attempts": 0, "ref": {}, **row} for row in rows]
        return len(await insert_ignoring_duplicates(self._session, OutboxMessage, full, ["key"]))

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
        """Take up to ``limit`` due rows (pending, or whose lease ran out) for this process.

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
        return ids

    async def due_count(self, now: datetime) -> int:
        """How many rows are waiting to be sent now."""
        rows = await self._session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.status.in_([PENDING, SENDING]), OutboxMessage.due_at <= now
            )
        )
        return len(rows.all())
