"""The planner's queries: only the rows that may be due, never every case (storage layer).

The planner runs every few seconds over the whole organisation, so each query
here is bounded by what can be due now — visits and reviews by date, actions
by due date (each behind an index), and the people still owed this week's
summary or prompt (by the week each was last planned for, kept on the member) — and reads plain
columns, not ORM objects, so nothing encrypted is decrypted on the way.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.stages import StageCase
from storage.models import Action, BearingsCheck, Case, Member, OutboxMessage, Team

WEEKLY_COLUMNS = {
    "weekly_summary": Member.summary_week,
    "bearings_prompt": Member.prompt_week,
    "engagement_check": Member.engagement_week,
}
"""Where the week a weekly nudge was last planned for is kept, by nudge kind."""
IN_LIST = 1_000
"""Ids per ``IN (...)`` list, well under every driver's limit on parameters."""


@dataclass(frozen=True)
class DueCase:
    """An open case with a visit or review date close enough to plan for."""

    id: int
    team_id: int
    worker_id: int
    next_visit_due: date | None
    next_review_on: date | None


@dataclass(frozen=True)
class DueAction:
    """An open action due by the date asked about."""

    id: int
    team_id: int
    owner_id: int
    due_on: date


@dataclass(frozen=True)
class MemberTiming:
    """What the planner needs to know about an active member: no name, nothing encrypted."""

    id: int
    team_id: int
    telegram_user_id: int
    role: str
    timezone: str | None
    settings: dict[str, Any]
    away_until: date | None
    away_cover_id: int | None
    unreachable_at: datetime | None
    joined_at: datetime | None = None


def _chunks(ids: Collection[int]) -> list[list[int]]:
    ordered = sorted(ids)
    return [ordered[i : i + IN_LIST] for i in range(0, len(ordered), IN_LIST)]


class PlanningRepository:
    """Due cases and actions, the people owed a weekly message, and their timing."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def due_cases(self, visit_by: date, review_by: date) -> list[DueCase]:
        """Open cases whose visit falls due by ``visit_by`` or review by ``review_by``."""
        query = select(
            Case.id, Case.team_id, Case.worker_id, Case.next_visit_due, Case.next_review_on
        ).where(
            or_(Case.next_visit_due <= visit_by, Case.next_review_on <= review_by),
            Case.closed_at.is_(None),
        )
        return [DueCase(*row) for row in (await self._session.execute(query)).all()]

    async def stage_cases(self) -> list[tuple[int, StageCase]]:
        """Open cases (team id, what their stage reminders need) at a stage with reminders of
        its own: waiting for a first contact or an assessment, at the family meeting, or
        closing. Cases on their support plan or monitored (most of a caseload) are not read."""
        early = ("engagement", "agreement", "assessment")
        query = select(
            Case.team_id,
            Case.id,
            Case.worker_id,
            Case.stage,
            Case.opened_at,
            Case.stage_since,
            Case.first_contact_on,
            Case.meeting_on,
        ).where(
            Case.closed_at.is_(None),
            or_(Case.stage.in_(early), Case.stage.in_(("family_meeting", "closing"))),
        )
        return [
            (team_id, StageCase(case_id, worker, stage, opened.date(), since, first, meeting))
            for team_id, case_id, worker, stage, opened, since, first, meeting in (
                await self._session.execute(query)
            ).all()
        ]

    async def due_actions(self, by: date) -> list[DueAction]:
        """Open actions due by ``by``."""
        query = select(Action.id, Action.team_id, Action.owner_id, Action.due_on).where(
            Action.status == "open", Action.due_on <= by
        )
        return [DueAction(*row) for row in (await self._session.execute(query)).all()]

    async def members_of(self, team_ids: Collection[int]) -> list[MemberTiming]:
        """The active members of these teams."""
        found: list[MemberTiming] = []
        for chunk in _chunks(team_ids):
            query = select(
                Member.id,
                Member.team_id,
                Member.telegram_user_id,
                Member.role,
                Member.timezone,
                Member.settings,
                Member.away_until,
                Member.away_cover_id,
                Member.unreachable_at,
                Member.joined_at,
            ).where(Member.team_id.in_(chunk), Member.active.is_(True))
            found += [MemberTiming(*row) for row in (await self._session.execute(query)).all()]
        return found

    async def member_zones(self) -> set[str]:
        """The time zones members chose for themselves (most use their team's)."""
        query = select(Member.timezone).where(Member.timezone.is_not(None)).distinct()
        return {zone for zone in (await self._session.scalars(query)).all() if zone}

    async def workers_not_owed(
        self,
        kind: str,
        week_by_zone: Mapping[str, date],
        *,
        team_ids: Collection[int] | None = None,
        no_check_since: date | None = None,
    ) -> list[tuple[int, int]]:
        """Active workers (id, team id) whose ``kind`` (weekly summary or bearings prompt) was
        not yet planned for the week it is in their time zone (``week_by_zone`` maps each zone
        in use to its Monday); with ``no_check_since``, only those with no bearings check
        since that day."""
        zone = func.coalesce(Member.timezone, Team.timezone)
        planned = WEEKLY_COLUMNS[kind]
        query = (
            select(Member.id, Member.team_id)
            .join(Team, Team.id == Member.team_id)
            .where(
                Member.role == "worker",
                Member.active.is_(True),
                or_(planned.is_(None), planned < _week_in_zone(zone, week_by_zone)),
            )
        )
        if no_check_since is not None:
            since = datetime.combine(no_check_since, time(0), UTC)
            query = query.where(
                ~exists().where(
                    and_(BearingsCheck.member_id == Member.id, BearingsCheck.taken_at >= since)
                )
            )
        if team_ids is None:
            return [(m, t) for m, t in (await self._session.execute(query)).all()]
        found: list[tuple[int, int]] = []
        for chunk in _chunks(team_ids):
            rows = await self._session.execute(query.where(Member.team_id.in_(chunk)))
            found += [(m, t) for m, t in rows.all()]
        return found

    async def mark_planned(
        self, kind: str, members_by_week: Mapping[date, Collection[int]]
    ) -> None:
        """Record the week each member's ``kind`` was planned for (see ``workers_not_owed``)."""
        planned = WEEKLY_COLUMNS[kind]
        for week, member_ids in members_by_week.items():
            for chunk in _chunks(member_ids):
                await self._session.execute(
                    update(Member).where(Member.id.in_(chunk)).values({planned: week})
                )

    async def groups_not_owed(self, kind: str, week_by_zone: Mapping[str, date]) -> list[Team]:
        """Teams with a group chat and no outbox row ``<kind>:<team>:<week>`` for the week it
        is in their time zone."""
        key = _weekly_key(kind, Team.id, Team.timezone, week_by_zone)
        query = select(Team).where(
            Team.group_chat_id.is_not(None), ~exists().where(OutboxMessage.key == key)
        )
        return list((await self._session.scalars(query)).all())

    async def latest_checks(self, member_ids: Collection[int]) -> dict[int, datetime]:
        """Each member's latest bearings check (members without one are left out)."""
        found: dict[int, datetime] = {}
        for chunk in _chunks(member_ids):
            query = (
                select(BearingsCheck.member_id, func.max(BearingsCheck.taken_at))
                .where(BearingsCheck.member_id.in_(chunk))
                .group_by(BearingsCheck.member_id)
            )
            for member_id, taken_at in (await self._session.execute(query)).all():
                found[member_id] = _utc(taken_at)
        return found


def _week_in_zone(zone: Any, week_by_zone: Mapping[str, date]) -> ColumnElement[date]:
    """The Monday of this week in the time zone ``zone`` (a column), as SQL."""
    mondays = set(week_by_zone.values())
    if len(mondays) == 1:
        return literal(next(iter(mondays)), Date)
    return case(
        {name: literal(monday, Date) for name, monday in week_by_zone.items()},
        value=zone,
        else_=literal(max(mondays), Date),
    )


def _weekly_key(
    kind: str, owner: Any, zone: Any, week_by_zone: Mapping[str, date]
) -> ColumnElement[str]:
    """``<kind>:<owner id>:<Monday in the owner's zone>`` as SQL, to match outbox keys."""
    weeks = {name: str(monday) for name, monday in week_by_zone.items()}
    week: ColumnElement[str]
    if len(set(weeks.values())) == 1:
        week = literal(next(iter(weeks.values())), String)
    else:
        week = case(weeks, value=zone, else_=literal(max(weeks.values()), String))
    return literal(f"{kind}:", String) + cast(owner, String) + literal(":", String) + week


def _utc(value: datetime) -> datetime:
    """``max()`` of a UTCDateTime column comes back without the type's processing."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
