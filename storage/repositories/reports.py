"""What team reports read: plain columns of cases, visits, flags, checks and audit entries.

Only ids, dates and instants are read (never an encrypted column), so a report over a
year of a big team decrypts nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AuditEntry,
    BearingsCheck,
    Case,
    EngagementCheck,
    Flag,
    StuckWalkthrough,
    SupervisionNote,
    Visit,
)


@dataclass(frozen=True)
class CaseRow:
    """A case's plain columns."""

    id: int
    worker_id: int
    stage: str
    cadence_days: int
    opened_at: datetime
    closed_at: datetime | None
    next_review_on: date | None


@dataclass(frozen=True)
class AuditRow:
    """An audit entry's plain columns."""

    at: datetime
    action: str
    subject: str
    detail: dict[str, Any]


class ReportRepository:
    """Reads for a team's report, all bounded by the report's period."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def cases(self, team_id: int, opened_before: datetime) -> list[CaseRow]:
        """The team's cases opened before an instant (closed ones too)."""
        query = select(
            Case.id,
            Case.worker_id,
            Case.stage,
            Case.cadence_days,
            Case.opened_at,
            Case.closed_at,
            Case.next_review_on,
        ).where(Case.team_id == team_id, Case.opened_at < opened_before)
        return [CaseRow(*row) for row in (await self._session.execute(query)).all()]

    async def visits(self, case_ids: Collection[int]) -> list[tuple[int, date, int]]:
        """(case, day, author) of every visit to these cases."""
        found: list[tuple[int, date, int]] = []
        ids = list(case_ids)
        for start in range(0, len(ids), 500):
            query = select(Visit.case_id, Visit.visited_on, Visit.author_id).where(
                Visit.case_id.in_(ids[start : start + 500])
            )
            found += [(c, d, a) for c, d, a in (await self._session.execute(query)).all()]
        return found

    async def flags(
        self, team_id: int, since: datetime, until: datetime
    ) -> list[tuple[int, datetime, datetime | None, datetime | None]]:
        """(worker, raised, picked up, resolved) of the flags raised in ``[since, until)``."""
        query = select(Flag.worker_id, Flag.raised_at, Flag.handled_at, Flag.resolved_at).where(
            Flag.team_id == team_id, Flag.raised_at >= since, Flag.raised_at < until
        )
        return [(w, r, h, s) for w, r, h, s in (await self._session.execute(query)).all()]

    async def bearings_takers(self, team_id: int, since: datetime, until: datetime) -> list[int]:
        """Who took each bearings check in ``[since, until)`` (one id per check)."""
        query = select(BearingsCheck.member_id).where(
            BearingsCheck.team_id == team_id,
            BearingsCheck.taken_at >= since,
            BearingsCheck.taken_at < until,
        )
        return list((await self._session.scalars(query)).all())

    async def stuck_walkers(self, team_id: int, since: datetime, until: datetime) -> list[int]:
        """Who made each "I'm stuck" walk-through in ``[since, until)``."""
        query = select(StuckWalkthrough.worker_id).where(
            StuckWalkthrough.team_id == team_id,
            StuckWalkthrough.created_at >= since,
            StuckWalkthrough.created_at < until,
        )
        return list((await self._session.scalars(query)).all())

    async def engagement(
        self, team_id: int, since: date, until: date
    ) -> list[tuple[int, int, date, str, bool]]:
        """Each weekly check answered for a week starting in ``[since, until]``: case, worker,
        week, how engaged, and whether there was an incident (never its line)."""
        query = select(
            EngagementCheck.case_id,
            EngagementCheck.worker_id,
            EngagementCheck.week,
            EngagementCheck.engagement,
            EngagementCheck.incident,
        ).where(
            EngagementCheck.team_id == team_id,
            EngagementCheck.week >= since,
            EngagementCheck.week <= until,
            EngagementCheck.engagement.is_not(None),
        )
        return [
            (case_id, worker, week, str(level), bool(incident))
            for case_id, worker, week, level, incident in (await self._session.execute(query))
        ]

    async def supervised(self, team_id: int, since: date, until: date) -> list[int]:
        """The worker of each supervision note held in ``[since, until]``."""
        query = select(SupervisionNote.worker_id).where(
            SupervisionNote.team_id == team_id,
            SupervisionNote.held_on >= since,
            SupervisionNote.held_on <= until,
        )
        return list((await self._session.scalars(query)).all())

    async def audit(
        self, team_id: int, actions: Collection[str], since: datetime
    ) -> list[AuditRow]:
        """The team's audit entries of these kinds since an instant, oldest first."""
        query = (
            select(AuditEntry.at, AuditEntry.action, AuditEntry.subject, AuditEntry.detail)
            .where(
                AuditEntry.team_id == team_id,
                AuditEntry.at >= since,
                AuditEntry.action.in_(list(actions)),
            )
            .order_by(AuditEntry.at, AuditEntry.id)
        )
        return [AuditRow(*row) for row in (await self._session.execute(query)).all()]
