"""Invites, looked up by the hash of their token, and claimed once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Invite


class InviteRepository:
    """Invites by token hash."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, invite: Invite) -> Invite:
        """Store a new invite."""
        self._session.add(invite)
        await self._session.flush()
        return invite

    async def by_hash(self, token_hash: str) -> Invite | None:
        """The invite whose token hashes to this value."""
        return await self._session.scalar(select(Invite).where(Invite.token_hash == token_hash))

    async def get(self, invite_id: int) -> Invite | None:
        """One invite by its id."""
        return await self._session.get(Invite, invite_id)

    async def open_for_team(self, team_id: int, now: datetime) -> Sequence[Invite]:
        """The team's invites not yet used and not expired, newest first."""
        query = select(Invite).where(
            Invite.team_id == team_id, Invite.used_at.is_(None), Invite.expires_at > now
        )
        return (await self._session.scalars(query.order_by(Invite.created_at.desc()))).all()

    async def claim(self, invite_id: int, at: datetime) -> bool:
        """Mark an unused, unexpired invite used, atomically: of two redemptions racing (two
        processes on PostgreSQL), the second waits for the first's row lock, then finds it
        used (a revocation at the same moment wins the same way). Returns whether this one
        claimed it."""
        claimed = await self._session.execute(
            update(Invite)
            .where(Invite.id == invite_id, Invite.used_at.is_(None), Invite.expires_at > at)
            .values(used_at=at)
            .returning(Invite.id)
        )
        return claimed.first() is not None
