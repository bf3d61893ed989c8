"""Teams and their members."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Member, Team

# A member with their team, by Telegram id or by id: built once (see ``_with_team``).
_WITH_TEAM = select(Member, Team).join(Team, Team.id == Member.team_id)
_BY_TELEGRAM_ID = _WITH_TEAM.where(Member.telegram_user_id == bindparam("key"))
_BY_ID = _WITH_TEAM.where(Member.id == bindparam("key"))


class TeamRepository:
    """Teams by name, id and linked group chat."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, team: Team) -> Team:
        """Store a new team and give it an id."""
        self._session.add(team)
        await self._session.flush()
        return team

    async def get(self, team_id: int) -> Team | None:
        """The team with this id."""
        return await self._session.get(Team, team_id)

    async def by_name(self, name: str) -> Team | None:
        """The team with this exact name."""
        return await self._session.scalar(select(Team).where(Team.name == name))

    async def by_group_chat(self, chat_id: int) -> Team | None:
        """The team whose linked group chat this is."""
        return await self._session.scalar(select(Team).where(Team.group_chat_id == chat_id))

    async def many(self, team_ids: Collection[int]) -> Sequence[Team]:
        """These teams (loaded together, so later ``get`` calls need no query)."""
        if not team_ids:
            return []
        return (await self._session.scalars(select(Team).where(Team.id.in_(team_ids)))).all()

    async def zones_and_settings(self) -> dict[int, tuple[str, dict[str, Any]]]:
        """Every team's time zone and stored settings, by id: plain columns, no ORM objects
        (the planner asks on every tick, and most ticks have nothing to do with most teams)."""
        rows = await self._session.execute(select(Team.id, Team.timezone, Team.settings))
        return {team_id: (zone, settings or {}) for team_id, zone, settings in rows.all()}

    async def all(self) -> Sequence[Team]:
        """Every team, by name."""
        return (await self._session.scalars(select(Team).order_by(Team.name))).all()


class MemberRepository:
    """Members by Telegram user id, id and team."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # An update looks its sender up more than once (reachability, then access): within
        # one unit of work the row found first is the row, so the second look costs no query.
        self._by_telegram: dict[int, Member] = {}

    async def add(self, member: Member) -> Member:
        """Store a new member and give them an id."""
        self._session.add(member)
        await self._session.flush()
        return member

    async def get(self, member_id: int) -> Member | None:
        """The member with this id (read with their team, as ``by_telegram_id`` is, unless
        the session has the member already)."""
        if self._session.identity_key(Member, member_id) in self._session.identity_map:
            return await self._session.get(Member, member_id)
        return await self._with_team(_BY_ID, member_id)

    async def _with_team(self, query: Any, key: int) -> Member | None:
        """The one member the query finds by ``key``, their team loaded in the same
        statement: whoever asks about a member asks about their team next, and the session
        then has it."""
        found = (await self._session.execute(query, {"key": key})).first()
        return None if found is None else found[0]

    async def by_telegram_id(self, telegram_user_id: int) -> Member | None:
        """The member with this Telegram user id, active or not."""
        known = self._by_telegram.get(telegram_user_id)
        if (
            known is not None
            and inspect(known).persistent
            and known not in self._session.deleted
            and known.telegram_user_id == telegram_user_id  # not detached since (a rejoin)
        ):
            return known
        member = await self._with_team(_BY_TELEGRAM_ID, telegram_user_id)
        if member is not None:
            self._by_telegram[telegram_user_id] = member
        return member

    async def of_team(
        self, team_id: int, *, role: str | None = None, active_only: bool = True
    ) -> Sequence[Member]:
        """The team's members, optionally of one role, in joining order."""
        query = select(Member).where(Member.team_id == team_id)
        if role is not None:
            query = query.where(Member.role == role)
        if active_only:
            query = query.where(Member.active.is_(True))
        return (await self._session.scalars(query.order_by(Member.id))).all()
