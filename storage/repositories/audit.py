"""The audit log: append and read, never edit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, Member


class AuditRepository:
    """Append-only audit entries."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self,
        *,
        at: datetime,
        action: str,
        subject: str,
        team_id: int | None = None,
        actor_id: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Append one entry (ids and event names only, never content)."""
        self._session.add(
            AuditEntry(
                at=at,
                action=action,
                subject=subject,
                team_id=team_id,
                actor_id=actor_id,
                detail=detail or {},
            )
        )

    async def for_team(self, team_id: int, since: datetime) -> Sequence[AuditEntry]:
        """A team's entries since an instant, oldest first."""
        query = (
            select(AuditEntry)
            .where(AuditEntry.team_id == team_id, AuditEntry.at >= since)
            .order_by(AuditEntry.at, AuditEntry.id)
        )
        return (await self._session.scalars(query)).all()

    async def for_team_with_actors(
        self, team_id: int, since: datetime
    ) -> Sequence[tuple[AuditEntry, Member | None]]:
        """A team's entries since an instant, oldest first, each with its actor (if any)."""
        query = (
            select(AuditEntry, Member)
            .outerjoin(Member, Member.id == AuditEntry.actor_id)
            .where(AuditEntry.team_id == team_id, AuditEntry.at >= since)
            .order_by(AuditEntry.at, AuditEntry.id)
        )
        return [(entry, actor) for entry, actor in (await self._session.execute(query)).all()]
