"""What a member who leaves a team still holds, beyond their cases and actions: the people
they cover for, their unfinished conversations, the flags they picked up, the messages
still owed to them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Flag, FlowSession, Member, OutboxMessage
from storage.repositories.flags import OPEN_STATES
from storage.repositories.flows import DRAFT, OPEN
from storage.repositories.outbox import DROPPED, PENDING


class MembershipRepository:
    """Queries for membership changes."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def covered_by(self, member_id: int) -> Sequence[Member]:
        """Active members whose cover (while away) is this member."""
        query = select(Member).where(Member.away_cover_id == member_id, Member.active.is_(True))
        return (await self._session.scalars(query)).all()

    async def unfinished_flows(self, member_id: int) -> Sequence[FlowSession]:
        """The member's open flow and drafts."""
        query = select(FlowSession).where(
            FlowSession.member_id == member_id, FlowSession.status.in_((OPEN, DRAFT))
        )
        return (await self._session.scalars(query)).all()

    async def flags_picked_up_by(self, member_id: int) -> Sequence[Flag]:
        """Flags this member picked up (acknowledged, will call, on the agenda) and nobody has
        resolved yet."""
        picked = [state for state in OPEN_STATES if state != "open"]
        query = select(Flag).where(Flag.handled_by_id == member_id, Flag.state.in_(picked))
        return (await self._session.scalars(query)).all()

    async def drop_owed_to(self, member_id: int) -> int:
        """Drop every message still owed to the member; returns how many."""
        result = await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.member_id == member_id, OutboxMessage.status == PENDING)
            .values(status=DROPPED, lease_until=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)
