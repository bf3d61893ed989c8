"""Items kept for a worker's next supervision."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AgendaItem
from storage.repositories._insert import insert_ignoring_duplicates

TEAM_MEETING = "team_meeting"
"""The kind of item kept for the team meeting rather than a worker's supervision."""


class AgendaRepository:
    """A worker's supervision agenda: added once per thing, ticked off by a supervision note."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        team_id: int,
        worker_id: int,
        kind: str,
        ref_id: int,
        case_id: int | None,
        at: datetime,
    ) -> bool:
        """Put something on the agenda; False when it was already there."""
        row = {
            "team_id": team_id,
            "worker_id": worker_id,
            "kind": kind,
            "ref_id": ref_id,
            "case_id": case_id,
            "added_at": at,
        }
        added = await insert_ignoring_duplicates(
            self._session, AgendaItem, [row], ["worker_id", "kind", "ref_id"]
        )
        return bool(added)

    async def get(self, item_id: int) -> AgendaItem | None:
        """One agenda item."""
        return await self._session.get(AgendaItem, item_id)

    async def open_for_worker(self, worker_id: int) -> Sequence[AgendaItem]:
        """What is still waiting for the worker's next supervision, oldest first."""
        query = select(AgendaItem).where(
            AgendaItem.worker_id == worker_id,
            AgendaItem.covered_at.is_(None),
            AgendaItem.kind != TEAM_MEETING,
        )
        return (await self._session.scalars(query.order_by(AgendaItem.added_at))).all()

    async def held_by(self, worker_id: int) -> Sequence[AgendaItem]:
        """Every item still waiting that the worker brought, for supervision or the team
        meeting (a handover moves them all)."""
        query = select(AgendaItem).where(
            AgendaItem.worker_id == worker_id, AgendaItem.covered_at.is_(None)
        )
        return (await self._session.scalars(query)).all()

    async def open_for_team_meeting(
        self, team_id: int, worker_id: int | None = None
    ) -> Sequence[AgendaItem]:
        """What is waiting for the team's next meeting (one worker's, or everyone's), oldest
        first."""
        query = select(AgendaItem).where(
            AgendaItem.team_id == team_id,
            AgendaItem.kind == TEAM_MEETING,
            AgendaItem.covered_at.is_(None),
        )
        if worker_id is not None:
            query = query.where(AgendaItem.worker_id == worker_id)
        return (await self._session.scalars(query.order_by(AgendaItem.added_at))).all()
