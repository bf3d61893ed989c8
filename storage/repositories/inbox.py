"""The durable inbox of Telegram updates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboxUpdate
from storage.repositories._insert import insert_ignoring_duplicates

PENDING, HANDLED, DONE = "pending", "handled", "done"

# The statements every update runs, built once (SQLAlchemy then also keeps each one's cache
# key): building a statement anew on every call cost more than running it (issue 24).
_CLAIM = select(InboxUpdate).where(InboxUpdate.update_id == bindparam("update_id"))
_CLAIM_LOCKED = _CLAIM.with_for_update()
_MARK_DONE = (
    update(InboxUpdate)
    .where(InboxUpdate.update_id.in_(bindparam("update_ids", expanding=True)))
    .values(
        status=DONE,
        replies=None,
        lease_until=None,
        # A failed update keeps its sender with its payload (erasure finds it).
        chat_key=case((InboxUpdate.failed.is_(True), InboxUpdate.chat_key), else_=0),
    )
)


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

    async def lock_chat(self, chat_key: int) -> None:
        """Hold the chat's lock until this transaction ends (PostgreSQL advisory lock).

        Several processes may each hold updates of one chat; taking this lock before
        handling one makes them take turns, so a chat's updates never run side by side.
        SQLite needs none: one process owns the database.
        """
        if self._session.get_bind().dialect.name == "postgresql":
            await self._session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": chat_key}
            )

    async def owed_in_chat(
        self, chat_key: int, before: int, now: datetime, limit: int = 20
    ) -> list[tuple[int, str]]:
        """The chat's updates before ``before`` that must go first, oldest first, with their
        status: still pending, or handled with replies being sent under a live lease."""
        query = (
            select(InboxUpdate.update_id, InboxUpdate.status)
            .where(
                InboxUpdate.chat_key == chat_key,
                InboxUpdate.update_id < before,
                or_(
                    InboxUpdate.status == PENDING,
                    and_(InboxUpdate.status == HANDLED, InboxUpdate.lease_until > now),
                ),
            )
            .order_by(InboxUpdate.update_id)
            .limit(limit)
        )
        return [(int(i), str(status)) for i, status in (await self._session.execute(query))]

    async def release_leases(self) -> None:
        """Let go of every reply lease (the one process on a SQLite database, at start-up:
        whoever held them has gone)."""
        await self._session.execute(
            update(InboxUpdate)
            .where(InboxUpdate.status == HANDLED, InboxUpdate.lease_until.is_not(None))
            .values(lease_until=None)
        )

    async def take_replies(
        self, row: InboxUpdate, now: datetime, lease_until: datetime, *, ours: bool = False
    ) -> list[dict[str, Any]] | None:
        """The replies of a handled row for this process to send, unless another process
        holds a live lease on them (it is sending them). ``ours``: the lease may be this
        process's own, from a commit that went through though its answer was lost."""
        if not ours and row.lease_until is not None and row.lease_until > now:
            return None
        row.lease_until = lease_until
        return list(row.replies or [])

    async def still_owed(
        self, update_id: int, replies: list[dict[str, Any]], lease_until: datetime | None
    ) -> datetime | None:
        """Keep only the replies still to send (those sent already are not sent again after a
        restart) and renew the sender's lease; returns when the update was handled (None if
        the row is no longer waiting for its replies)."""
        row = await self.claim(update_id)
        if row is None or row.status != HANDLED:
            return None
        row.replies = replies
        row.lease_until = lease_until
        return row.handled_at

    async def claim(self, update_id: int) -> InboxUpdate | None:
        """The row, locked for this transaction on PostgreSQL (another process waits)."""
        locked = self._session.get_bind().dialect.name == "postgresql"
        query = _CLAIM_LOCKED if locked else _CLAIM
        return await self._session.scalar(query, {"update_id": update_id})

    async def mark_handled(
        self,
        row: InboxUpdate,
        replies: list[dict[str, Any]],
        at: datetime,
        *,
        failed: bool = False,
        kept: bool = True,
        lease_until: datetime | None = None,
    ) -> None:
        """Record that the update's effects are committed, with the replies still to send
        (by this process, until ``lease_until``). A failed update that is not ``kept`` (a
        stranger's) keeps only its id and outcome: neither its payload nor its chat."""
        row.status = HANDLED
        row.failed = failed
        row.replies = replies
        if failed and not kept:
            row.payload = {}
            row.chat_key = 0
        elif not failed:
            # Once handled, the update itself is no longer needed: keep no text.
            # A failed update keeps its (encrypted) payload, so nothing the person sent is lost.
            # The chat key stays until the replies are delivered: the chat's next update
            # waits for them (``first_owed_in_chat``).
            row.payload = {}
        row.handled_at = at
        row.lease_until = lease_until
        row.attempts += 1

    async def mark_done(self, update_ids: Sequence[int]) -> None:
        """Record that the replies of these updates were delivered; drop their payloads."""
        if update_ids:
            # A Core statement on the session's connection, after what the session holds is
            # written (as the ORM would): the rows are of earlier units of work (the unit of
            # work marking them starts with this), none loaded here to keep in step.
            await self._session.flush()
            connection = await self._session.connection()
            await connection.execute(_MARK_DONE, {"update_ids": list(update_ids)})

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

    async def forget_failed_before(self, before: datetime) -> int:
        """Empty the kept payload of failed updates that arrived at or before an instant (their
        replies delivered): only their id and that they failed remain. How many."""
        result = await self._session.execute(
            update(InboxUpdate)
            .where(
                InboxUpdate.failed.is_(True),
                InboxUpdate.status == DONE,
                # A failed row that kept nothing has no chat either (a stranger's, or done).
                InboxUpdate.chat_key != 0,
                InboxUpdate.received_at <= before,
            )
            .values(payload={}, chat_key=0)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def highest_update_id(self) -> int | None:
        """The largest update id ever stored, to resume polling after it."""
        return await self._session.scalar(select(func.max(InboxUpdate.update_id)))
