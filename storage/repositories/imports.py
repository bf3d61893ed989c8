"""Caseload files waiting for a supervisor's Confirm (storage layer)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PendingImport


class PendingImportRepository:
    """One pending import per person: added (replacing theirs), read, deleted, purged."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def replace_for_member(self, pending: PendingImport) -> PendingImport:
        """Store a new pending import in place of any the same person already had."""
        await self.drop_for_member(pending.member_id)
        self._session.add(pending)
        await self._session.flush()
        return pending

    async def get(self, pending_id: int) -> PendingImport | None:
        """The pending import with this id, if it is still there."""
        return await self._session.get(PendingImport, pending_id)

    async def delete(self, pending: PendingImport) -> None:
        """Drop a pending import (confirmed, cancelled or expired)."""
        await self._session.delete(pending)
        await self._session.flush()

    async def drop_for_member(self, member_id: int) -> int:
        """Drop whatever this person had waiting; how many (0 or 1)."""
        result: Any = await self._session.execute(
            delete(PendingImport).where(PendingImport.member_id == member_id)
        )
        return int(result.rowcount or 0)

    async def purge_expired(self, now: datetime) -> int:
        """Drop every pending import past its expiry; how many."""
        result: Any = await self._session.execute(
            delete(PendingImport).where(PendingImport.expires_at <= now)
        )
        return int(result.rowcount or 0)
