"""Flow sessions: where each person is in a conversation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FlowSession, Member

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

    async def drafts_before(
        self, cutoffs: dict[int, datetime], limit: int = 500
    ) -> Sequence[FlowSession]:
        """Drafts last answered at or before their person's team's cutoff (``cutoffs``: team
        id to instant), oldest first, locked (others' locks skipped on PostgreSQL)."""
        if not cutoffs:
            return []
        due = or_(
            *(
                and_(Member.team_id == team_id, FlowSession.updated_at <= cutoff)
                for team_id, cutoff in cutoffs.items()
            )
        )
        query = (
            select(FlowSession)
            .join(Member, Member.id == FlowSession.member_id)
            .where(FlowSession.status == DRAFT, due)
            .order_by(FlowSession.updated_at, FlowSession.id)
            .limit(limit)
        )
        if self._session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(of=FlowSession, skip_locked=True)
        return (await self._session.scalars(query)).all()

    async def empty_closed(self) -> int:
        """Empty the answers of closed flows that still hold some (closed before closing
        emptied them; a closed row that kept nothing has no step either); how many."""
        result: Any = await self._session.execute(
            update(FlowSession)
            .where(FlowSession.status.in_((FINISHED, DROPPED)), FlowSession.step != "")
            .values(answers={}, step="")
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)
