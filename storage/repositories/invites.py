"""Invites, looked up by the hash of their token."""

from __future__ import annotations

from sqlalchemy import select
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
