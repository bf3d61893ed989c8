"""Stuck walk-throughs and keeping-your-bearings checks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import BearingsCheck, StuckWalkthrough


class StuckRepository:
    """ "I'm stuck" walk-throughs by case and worker."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, walkthrough: StuckWalkthrough) -> StuckWalkthrough:
        """Store a finished walk-through."""
        self._session.add(walkthrough)
        await self._session.flush()
        return walkthrough

    async def get(self, walkthrough_id: int) -> StuckWalkthrough | None:
        """One walk-through."""
        return await self._session.get(StuckWalkthrough, walkthrough_id)

    async def for_case(self, case_id: int) -> Sequence[StuckWalkthrough]:
        """A case's walk-throughs, newest first."""
        query = select(StuckWalkthrough).where(StuckWalkthrough.case_id == case_id)
        order = (StuckWalkthrough.created_at.desc(), StuckWalkthrough.id.desc())
        return (await self._session.scalars(query.order_by(*order))).all()


class BearingsRepository:
    """Keeping-your-bearings checks by member and team."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, check: BearingsCheck) -> BearingsCheck:
        """Store a check."""
        self._session.add(check)
        await self._session.flush()
        return check

    async def get(self, check_id: int) -> BearingsCheck | None:
        """One check."""
        return await self._session.get(BearingsCheck, check_id)

    async def for_member(self, member_id: int, limit: int = 10) -> Sequence[BearingsCheck]:
        """A member's checks, newest first."""
        query = select(BearingsCheck).where(BearingsCheck.member_id == member_id)
        order = (BearingsCheck.taken_at.desc(), BearingsCheck.id.desc())
        return (await self._session.scalars(query.order_by(*order).limit(limit))).all()

    async def before(self, check: BearingsCheck) -> BearingsCheck | None:
        """The same member's check just before this one (None for their first)."""
        earlier = or_(
            BearingsCheck.taken_at < check.taken_at,
            and_(BearingsCheck.taken_at == check.taken_at, BearingsCheck.id < check.id),
        )
        query = select(BearingsCheck).where(BearingsCheck.member_id == check.member_id, earlier)
        order = (BearingsCheck.taken_at.desc(), BearingsCheck.id.desc())
        return await self._session.scalar(query.order_by(*order).limit(1))

    async def for_team_since(self, team_id: int, since: datetime) -> Sequence[BearingsCheck]:
        """A team's checks taken at or after ``since``, newest first (shared or not: the caller
        decides what may be shown, and to whom)."""
        query = select(BearingsCheck).where(
            BearingsCheck.team_id == team_id, BearingsCheck.taken_at >= since
        )
        order = (BearingsCheck.taken_at.desc(), BearingsCheck.id.desc())
        return (await self._session.scalars(query.order_by(*order))).all()
