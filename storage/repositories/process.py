"""The key-worker process's records of a case: network, agreements, assessments, its plan with
aims and actions, reviews and evaluation (storage layer)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models_process import (
    Assessment,
    CaseEvaluation,
    FamilyAgreement,
    NetworkEntry,
    PlanAction,
    PlanAim,
    PlanReview,
    SupportPlan,
)

Row = TypeVar("Row")


class ProcessRepository:
    """One case's process records, read and added in the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, row: Row) -> Row:
        """Store a new row (its id set)."""
        self._session.add(row)
        await self._session.flush()
        return row

    async def remove(self, row: Row) -> None:
        """Delete a row (a plan's aim no longer wanted)."""
        await self._session.delete(row)
        await self._session.flush()

    async def network(self, case_id: int) -> Sequence[NetworkEntry]:
        """The family roles and agencies involved with the case, in the order added."""
        query = select(NetworkEntry).where(NetworkEntry.case_id == case_id)
        return (await self._session.scalars(query.order_by(NetworkEntry.id))).all()

    async def network_entry(self, entry_id: int) -> NetworkEntry | None:
        """One entry of a network."""
        return await self._session.get(NetworkEntry, entry_id)

    async def agreements(self, case_id: int) -> Sequence[FamilyAgreement]:
        """The case's family agreements, newest first (the first is the one that stands)."""
        query = select(FamilyAgreement).where(FamilyAgreement.case_id == case_id)
        order = (FamilyAgreement.agreed_on.desc(), FamilyAgreement.id.desc())
        return (await self._session.scalars(query.order_by(*order))).all()

    async def assessments(self, case_id: int) -> Sequence[Assessment]:
        """The case's assessments, newest first."""
        query = select(Assessment).where(Assessment.case_id == case_id)
        order = (Assessment.assessed_on.desc(), Assessment.id.desc())
        return (await self._session.scalars(query.order_by(*order))).all()

    async def plan(self, case_id: int) -> SupportPlan | None:
        """The case's support plan, if one was made."""
        return await self._session.scalar(select(SupportPlan).where(SupportPlan.case_id == case_id))

    async def aims(self, plan_id: int) -> Sequence[PlanAim]:
        """A plan's aims in order of need."""
        query = select(PlanAim).where(PlanAim.plan_id == plan_id)
        return (await self._session.scalars(query.order_by(PlanAim.position, PlanAim.id))).all()

    async def plan_actions(self, case_id: int) -> Sequence[PlanAction]:
        """The case's plan actions, in the order agreed."""
        query = select(PlanAction).where(PlanAction.case_id == case_id)
        return (await self._session.scalars(query.order_by(PlanAction.id))).all()

    async def reviews(self, case_id: int) -> Sequence[PlanReview]:
        """The case's plan reviews, newest first."""
        query = select(PlanReview).where(PlanReview.case_id == case_id)
        order = (PlanReview.held_on.desc(), PlanReview.id.desc())
        return (await self._session.scalars(query.order_by(*order))).all()

    async def evaluation(self, case_id: int) -> CaseEvaluation | None:
        """The evaluation made when the case closed."""
        return await self._session.scalar(
            select(CaseEvaluation).where(CaseEvaluation.case_id == case_id)
        )
