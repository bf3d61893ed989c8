"""The weekly engagement checks: one row per case and week (storage layer)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import EngagementCheck
from storage.repositories._insert import insert_ignoring_duplicates


class EngagementRepository:
    """A case's engagement with its plan, week by week."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_week(self, case_ids: Sequence[int], week: date) -> dict[int, EngagementCheck]:
        """The week's checks of these cases, by case."""
        if not case_ids:
            return {}
        query = select(EngagementCheck).where(
            EngagementCheck.case_id.in_(list(case_ids)), EngagementCheck.week == week
        )
        return {row.case_id: row for row in (await self._session.scalars(query)).all()}

    async def row(
        self, *, team_id: int, case_id: int, worker_id: int, week: date, at: datetime
    ) -> EngagementCheck:
        """The case's check for the week, made empty if there is none yet."""
        fresh = {
            "team_id": team_id,
            "case_id": case_id,
            "worker_id": worker_id,
            "week": week,
            "created_at": at,
            "updated_at": at,
        }
        await insert_ignoring_duplicates(
            self._session, EngagementCheck, [fresh], ["case_id", "week"]
        )
        found = (await self.of_week([case_id], week))[case_id]
        return found

    async def no_incidents(self, case_ids: Sequence[int], week: date, at: datetime) -> None:
        """No incident this week on these cases (where none was reported)."""
        await self._session.execute(
            update(EngagementCheck)
            .where(
                EngagementCheck.case_id.in_(list(case_ids)),
                EngagementCheck.week == week,
                EngagementCheck.incident.is_(None),
            )
            .values(incident=False, updated_at=at)
        )

    async def for_case(self, case_id: int, limit: int = 8) -> Sequence[EngagementCheck]:
        """A case's latest checks, newest first."""
        query = (
            select(EngagementCheck)
            .where(EngagementCheck.case_id == case_id)
            .order_by(EngagementCheck.week.desc())
            .limit(limit)
        )
        return (await self._session.scalars(query)).all()
