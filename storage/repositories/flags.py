"""Flags: stuck cases raised to the supervisors."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Flag

OPEN_STATES = ("open", "acknowledged", "calling", "agenda")


class FlagRepository:
    """Flags by team, worker and state; read locked on PostgreSQL so two supervisors
    acting at once are applied one after the other."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _locked(self, query: Select[tuple[Flag]]) -> Select[tuple[Flag]]:
        if self._session.get_bind().dialect.name == "postgresql":
            return query.with_for_update()
        return query

    async def add(self, flag: Flag) -> Flag:
        """Store a new flag."""
        self._session.add(flag)
        await self._session.flush()
        return flag

    async def get(self, flag_id: int) -> Flag | None:
        """One flag, locked for this transaction."""
        return await self._session.scalar(self._locked(select(Flag).where(Flag.id == flag_id)))

    async def open_for_team(self, team_id: int) -> Sequence[Flag]:
        """A team's flags not yet resolved, oldest first."""
        query = select(Flag).where(Flag.team_id == team_id, Flag.state.in_(OPEN_STATES))
        return (await self._session.scalars(query.order_by(Flag.raised_at, Flag.id))).all()

    async def open_for_worker(self, worker_id: int) -> Sequence[Flag]:
        """A worker's flags not yet resolved, oldest first."""
        query = select(Flag).where(Flag.worker_id == worker_id, Flag.state.in_(OPEN_STATES))
        return (await self._session.scalars(query.order_by(Flag.raised_at, Flag.id))).all()

    async def raised_since(self, team_id: int, since: datetime) -> Sequence[Flag]:
        """A team's flags raised since a moment, whatever their state."""
        query = select(Flag).where(Flag.team_id == team_id, Flag.raised_at >= since)
        return (await self._session.scalars(query.order_by(Flag.raised_at))).all()

    async def waiting(self, raised_before: datetime | None = None) -> Sequence[Flag]:
        """Every flag no supervisor has picked up yet (for reminders and escalation); with
        ``raised_before``, only those raised at or before then."""
        query = select(Flag).where(Flag.state == "open").order_by(Flag.raised_at)
        if raised_before is not None:
            query = query.where(Flag.raised_at <= raised_before)
        return (await self._session.scalars(query)).all()

    async def picked_up(self, before: datetime) -> Sequence[Flag]:
        """Flags picked up (acknowledged, a call promised, on the agenda) at or before a
        moment and not yet resolved: they are followed up until they are."""
        query = select(Flag).where(
            Flag.state.in_([s for s in OPEN_STATES if s != "open"]), Flag.handled_at <= before
        )
        return (await self._session.scalars(query.order_by(Flag.handled_at))).all()

    async def open_counts(self) -> dict[tuple[str, str], int]:
        """How many flags are open, by (urgency, state), across every team (for metrics).

        Urgency is encrypted, so it is counted here rather than grouped in SQL: open flags
        are few (a team's handful), and this runs once a scrape.
        """
        query = select(Flag.urgency, Flag.state).where(Flag.state.in_(OPEN_STATES))
        return dict(Counter((str(u), str(s)) for u, s in await self._session.execute(query)))
