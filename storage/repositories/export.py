"""What an export reads (storage layer): a person's rows of every kind, a case's rows, and the
audit entries about them. Oldest first, so an export reads as the record was made."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Action,
    AuditEntry,
    BearingsCheck,
    Case,
    Flag,
    StuckWalkthrough,
    SupervisionNote,
    Visit,
)


class ExportRepository:
    """Read-only queries for exports."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def cases_held_by(self, member_id: int) -> Sequence[Case]:
        """Every case the member is key worker of, open or closed."""
        return await self._all(Case, Case.worker_id == member_id, Case.opened_at, Case.id)

    async def visits(
        self, *, author_id: int | None = None, case_id: int | None = None
    ) -> Sequence[Visit]:
        """Visit notes written by a member, or of a case."""
        condition = (
            Visit.author_id == author_id if author_id is not None else Visit.case_id == case_id
        )
        return await self._all(Visit, condition, Visit.visited_on, Visit.id)

    async def supervision_notes(
        self, *, member_id: int | None = None, case_id: int | None = None
    ) -> Sequence[SupervisionNote]:
        """Supervision notes about or written by a member, or of a case."""
        condition = (
            or_(SupervisionNote.worker_id == member_id, SupervisionNote.author_id == member_id)
            if member_id is not None
            else SupervisionNote.case_id == case_id
        )
        return await self._all(
            SupervisionNote, condition, SupervisionNote.held_on, SupervisionNote.id
        )

    async def actions(
        self, *, owner_id: int | None = None, case_id: int | None = None
    ) -> Sequence[Action]:
        """Actions a member owns, or of a case."""
        condition = (
            Action.owner_id == owner_id if owner_id is not None else Action.case_id == case_id
        )
        return await self._all(Action, condition, Action.due_on, Action.id)

    async def flags(
        self, *, worker_id: int | None = None, case_id: int | None = None
    ) -> Sequence[Flag]:
        """Flags a member raised, or about a case."""
        condition = (
            Flag.worker_id == worker_id if worker_id is not None else Flag.case_id == case_id
        )
        return await self._all(Flag, condition, Flag.raised_at, Flag.id)

    async def walkthroughs(
        self, *, worker_id: int | None = None, case_id: int | None = None
    ) -> Sequence[StuckWalkthrough]:
        """ "I'm stuck" walk-throughs of a member, or of a case."""
        condition = (
            StuckWalkthrough.worker_id == worker_id
            if worker_id is not None
            else StuckWalkthrough.case_id == case_id
        )
        order = (StuckWalkthrough.created_at, StuckWalkthrough.id)
        return await self._all(StuckWalkthrough, condition, *order)

    async def bearings_checks(self, member_id: int) -> Sequence[BearingsCheck]:
        """Every bearings check a member took."""
        condition = BearingsCheck.member_id == member_id
        return await self._all(BearingsCheck, condition, BearingsCheck.taken_at, BearingsCheck.id)

    async def audit_about(self, subjects: Sequence[str]) -> Sequence[AuditEntry]:
        """The audit entries about these subjects (``case:12``, ``flag:3``), oldest first."""
        if not subjects:
            return []
        condition = AuditEntry.subject.in_(list(subjects))
        return await self._all(AuditEntry, condition, AuditEntry.at, AuditEntry.id)

    async def _all(self, model: Any, condition: ColumnElement[bool], *order: Any) -> Sequence[Any]:
        query = select(model).where(condition).order_by(*order)
        return (await self._session.scalars(query)).all()
