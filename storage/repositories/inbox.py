"""The durable inbox of Telegram updates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboxUpdate
from storage.repositories._insert import insert_ignoring_duplicates

PENDING, HANDLED, DONE = "pending", "handled", "done"


class InboxRepository:
    """Store updates before confirming them; track handling and reply delivery."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def receive(
        self, updates: Sequence[tuple[int, int, dict[str, Any]]], at: datetime
    ) -> set[int]:
        """Store (update_id, chat_key, payload) rows; repeats are ignored. Returns the new ids."""
        rows = [
            {
                "update_id": update_id,
                "chat_key": chat_key,
                "payload": payload,
                "status": PENDING,
                "attempts": 0,
                "received_at": at,
            }
            for update_id, chat_key, payload in updates
        ]
        return set(
            await insert_ignoring_duplicates(self._session, InboxUpdate, rows, ["update_id"])
        )

    async def get(self, update_id: int) -> InboxUpdate | None:
        """One inbox row."""
        return await self._session.get(InboxUpdate, update_id)

    async def unfinished(self, limit: int = 10_000) -> Sequence[InboxUpdate]:
        """Rows not yet handled, or handled with replies still to deliver, oldest first."""
        query = (
            select(InboxUpdate)
            .where(InboxUpdate.status.in_((PENDING, HANDLED)))
            .order_by(InboxUpdate.update_id)
            .limit(limit)
        )
        return (await self._session.scalars(query)).all()

    async def claim(self, update_id: int) -> InboxUpdate | None:
        """The row, locked for this transaction on PostgreSQL (another process waits)."""
        query = select(InboxUpdate).where(InboxUpdate.update_id == update_id)
        if self._session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        return await self._session.scalar(query)

    async def mark_handled(
        self, row: InboxUpdate, replies: list[dict[str, Any]], at: datetime, *, failed: bool = False
    ) -> None:
        """Record that the update's effects are committed, with the replies still to send."""
        row.status = HANDLED
        row.failed = failed
        row.replies = replies
        if not failed:
            # Once handled, the update itself is no longer needed: keep no text or sender.
            # A failed update keeps its (encrypted) payload, so nothing the person sent is lost.
            row.payload = {}
            row.chat_key = 0
        row.handled_at = at
        row.attempts += 1

    async def mark_done(self, update_ids: Sequence[int]) -> None:
        """Record that the replies of these updates were delivered; drop their payloads."""
        if update_ids:
            await self._session.execute(
                update(InboxUpdate)
                .where(InboxUpdate.update_id.in_(list(update_ids)))
                .values(status=DONE, replies=None)
            )

    async def forget_done_before(self, before: datetime) -> int:
        """Delete finished rows handled before an instant (they only guard against repeats)."""
        result = await self._session.execute(
            delete(InboxUpdate).where(
                InboxUpdate.status == DONE,
                InboxUpdate.failed.is_(False),
                InboxUpdate.handled_at < before,
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def highest_update_id(self) -> int | None:
        """The largest update id ever stored, to resume polling after it."""
        return await self._session.scalar(select(func.max(InboxUpdate.update_id)))
