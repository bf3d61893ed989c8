"""Flow sessions: where each person is in a conversation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FlowSession

OPEN, DRAFT, FINISHED, DROPPED = "open", "draft", "finished", "dropped"


class FlowSessionRepository:
    """Flow sessions, read with a row lock on PostgreSQL: two processes never both apply a step."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _locked(self, query: Select[tuple[FlowSession]]) -> Select[tuple[FlowSession]]:
        if self._session.get_bind().dialect.name == "postgresql":
            return query.with_for_update()
        return query

    async def add(self, flow: FlowSession) -> FlowSession:
        """Store a new flow session."""
        self._session.add(flow)
        await self._session.flush()
        return flow

    async def get(self, flow_id: int) -> FlowSession | None:
        """One flow session, locked for this transaction."""
        query = self._locked(select(FlowSession).where(FlowSession.id == flow_id))
        return await self._session.scalar(query)

    async def open_for(self, member_id: int) -> FlowSession | None:
        """The person's open flow, if any, locked for this transaction."""
        query = self._locked(
            select(FlowSession)
            .where(FlowSession.member_id == member_id, FlowSession.status == OPEN)
            .order_by(FlowSession.id.desc())
            .limit(1)
        )
        return await self._session.scalar(query)

    async def open_on_case(self, case_id: int, flow: str) -> bool:
        """Whether anyone has this flow open about this case (a visit note under way, say)."""
        query = select(FlowSession.id).where(
            FlowSession.case_id == case_id, FlowSession.flow == flow, FlowSession.status == OPEN
        )
        return await self._session.scalar(query.limit(1)) is not None

    async def idle_open(self, cutoff: datetime, limit: int = 500) -> Sequence[FlowSession]:
        """Open flows nobody has touched since ``cutoff`` (locked; others' locks skipped)."""
        query = (
            select(FlowSession)
            .where(FlowSession.status == OPEN, FlowSession.updated_at < cutoff)
            .order_by(FlowSession.updated_at)
            .limit(limit)
        )
        if self._session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return (await self._session.scalars(query)).all()

    async def drafts_for(self, member_id: int, flow: str) -> Sequence[FlowSession]:
        """The person's drafts of a flow, newest first."""
        query = (
            select(FlowSession)
            .where(
                FlowSession.member_id == member_id,
                FlowSession.flow == flow,
                FlowSession.status == DRAFT,
            )
            .order_by(FlowSession.id.desc())
        )
        return (await self._session.scalars(query)).all()
