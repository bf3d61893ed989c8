"""Purging a closed case with everything recorded about it (storage layer).

What belongs to a case: its visits and supervision notes, the earlier
versions of those notes, its actions, flags (and the outbox rows owed for
them), stuck walk-throughs, agenda items, flow sessions and its key-worker
process (network, agreements, assessments, plan, reviews, evaluation); and what points at
it from elsewhere: flows whose answers name it, its flags or notes (found by the
caller, since answers are encrypted), the messages owed about those flows, a
caseload file waiting for Import that names it, and its id in a message listing
cases passed on. The audit log is kept: it holds ids and event names only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, delete, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Action,
    AgendaItem,
    Case,
    EngagementCheck,
    Flag,
    FlowSession,
    NoteRevision,
    OutboxMessage,
    PendingImport,
    StuckWalkthrough,
    SupervisionNote,
    Visit,
)
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

PROCESS_TABLES = (
    "plan_reviews",
    "plan_actions",
    "plan_aims",
    "support_plans",
    "case_evaluations",
    "family_agreements",
    "assessments",
    "case_network",
    "engagement_checks",
)
"""The key-worker process's tables, children before parents."""

PURGED_TABLES = (
    "visits",
    "supervision_notes",
    "note_revisions",
    "actions",
    "flags",
    "outbox",
    "stuck_walkthroughs",
    "agenda_items",
    "flow_sessions",
    "pending_imports",
    *PROCESS_TABLES,
)
"""The tables a case's purge deletes from (besides ``cases``), in the order reported."""


class PurgeRepository:
    """Finds closed cases and deletes a case's rows; one case per call, so the caller's
    transaction decides what is purged together."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def closed_before(
        self, cutoffs: dict[int, datetime]
    ) -> Sequence[tuple[int, int, str, datetime]]:
        """Cases closed at or before their team's cutoff (``cutoffs``: team id to instant), as
        (id, team id, reference, closed at), oldest closed first. One query over the index on
        ``closed_at``, bounded by the latest cutoff, whatever the number of teams."""
        if not cutoffs:
            return []
        query = (
            select(Case.id, Case.team_id, Case.reference, Case.closed_at)
            .where(Case.closed_at.is_not(None), Case.closed_at <= max(cutoffs.values()))
            .order_by(Case.closed_at, Case.id)
        )
        rows = (await self._session.execute(query)).all()
        return [
            (case_id, team_id, reference, closed_at)
            for case_id, team_id, reference, closed_at in rows
            if team_id in cutoffs and closed_at <= cutoffs[team_id]
        ]

    async def pointed_at(self, case_id: int) -> tuple[list[int], list[str]]:
        """What of the case other rows may point at: its flags' ids, and its notes as
        ``v.12`` (a visit) and ``s.4`` (a supervision note)."""
        flags = await self._ids(Flag.id, Flag.case_id == case_id)
        visits = await self._ids(Visit.id, Visit.case_id == case_id)
        notes = await self._ids(SupervisionNote.id, SupervisionNote.case_id == case_id)
        return flags, [f"v.{i}" for i in visits] + [f"s.{i}" for i in notes]

    async def answers_kept(self) -> Sequence[tuple[int, dict[str, Any]]]:
        """Every flow that may still hold answers (open, a draft, or closed before closing
        emptied them), as (id, answers)."""
        query = select(FlowSession.id, FlowSession.answers).where(
            or_(FlowSession.status.in_(("open", "draft")), FlowSession.step != "")
        )
        return [(session_id, answers) for session_id, answers in await self._session.execute(query)]

    async def imports_waiting(self, team_id: int) -> Sequence[tuple[int, list[dict[str, Any]]]]:
        """The team's caseload files waiting for Import, as (id, rows)."""
        query = select(PendingImport.id, PendingImport.rows).where(PendingImport.team_id == team_id)
        return [(import_id, rows) for import_id, rows in await self._session.execute(query)]

    async def count_case_rows(
        self, case_id: int, *, flows: Sequence[int] = (), imports: Sequence[int] = ()
    ) -> dict[str, int]:
        """How many rows of each table a purge of this case would delete (``flows`` and
        ``imports``: ids of flows and waiting files found to point at it)."""
        counts: dict[str, int] = {}
        for name, model, condition in await self._conditions(case_id, flows, imports):
            query = select(func.count()).select_from(model).where(condition)
            counts[name] = int(await self._session.scalar(query) or 0)
        return counts

    async def delete_case(
        self, case_id: int, *, flows: Sequence[int] = (), imports: Sequence[int] = ()
    ) -> dict[str, int]:
        """Delete the case and every row that belongs to it or points at it (``flows`` and
        ``imports`` as for ``count_case_rows``); how many rows of each table went.

        Agenda items of other cases that a purged supervision note ticked off
        stay ticked off, without the link to the note. A message listing cases passed on
        loses the case from its list (and goes when none is left).
        """
        conditions = await self._conditions(case_id, flows, imports)
        note_ids = await self._ids(SupervisionNote.id, SupervisionNote.case_id == case_id)
        if note_ids:
            await self._session.execute(
                update(AgendaItem)
                .where(AgendaItem.covered_by_note_id.in_(note_ids))
                .values(covered_by_note_id=None)
            )
        counts = dict.fromkeys(PURGED_TABLES, 0)
        # Children before parents, so foreign keys hold at every statement.
        order = (
            *PROCESS_TABLES,  # a plan action points at an action
            "note_revisions",
            "agenda_items",
            "outbox",
            "actions",
            "stuck_walkthroughs",
            "flow_sessions",
            "flags",
            "visits",
            "supervision_notes",
            "pending_imports",
        )
        by_name = {name: (model, condition) for name, model, condition in conditions}
        for name in order:
            model, condition = by_name[name]
            result: Any = await self._session.execute(delete(model).where(condition))
            counts[name] = int(result.rowcount or 0)
        counts["outbox"] += await self._unlist(case_id)
        await self._session.execute(delete(Case).where(Case.id == case_id))
        return counts

    async def _unlist(self, case_id: int) -> int:
        """Take the case out of messages that list cases (``ref["cases"]``); delete those left
        listing none. How many were deleted."""
        query = select(OutboxMessage).where(cast(OutboxMessage.ref, String).like('%"cases"%'))
        deleted = 0
        for row in (await self._session.scalars(query)).all():
            listed = row.ref.get("cases")
            if not isinstance(listed, list) or case_id not in listed:
                continue
            left = [other for other in listed if other != case_id]
            if left:
                row.ref = {**row.ref, "cases": left}
            else:
                await self._session.delete(row)
                deleted += 1
        await self._session.flush()
        return deleted

    async def _conditions(
        self, case_id: int, flows: Sequence[int], imports: Sequence[int]
    ) -> list[tuple[str, Any, ColumnElement[bool]]]:
        visit_ids = await self._ids(Visit.id, Visit.case_id == case_id)
        note_ids = await self._ids(SupervisionNote.id, SupervisionNote.case_id == case_id)
        flag_ids = await self._ids(Flag.id, Flag.case_id == case_id)
        stuck_ids = await self._ids(StuckWalkthrough.id, StuckWalkthrough.case_id == case_id)
        action_ids = await self._ids(Action.id, Action.case_id == case_id)
        sessions = or_(FlowSession.case_id == case_id, _in(FlowSession.id, list(flows)))
        plans = select(SupportPlan.id).where(SupportPlan.case_id == case_id).scalar_subquery()
        session_ids = await self._ids(FlowSession.id, sessions)
        revisions = or_(
            _in(NoteRevision.note_id, visit_ids, NoteRevision.note_kind == "visit"),
            _in(NoteRevision.note_id, note_ids, NoteRevision.note_kind == "supervision"),
        )
        agenda = or_(
            AgendaItem.case_id == case_id,
            _in(AgendaItem.ref_id, flag_ids, AgendaItem.kind == "flag"),
            _in(AgendaItem.ref_id, stuck_ids, AgendaItem.kind == "stuck"),
        )
        # Outbox rows carry ids in ``ref``: messages owed about the case, its flags or actions.
        outbox = or_(
            OutboxMessage.ref["case"].as_integer() == case_id,
            _in(OutboxMessage.ref["flag"].as_integer(), flag_ids),
            _in(OutboxMessage.ref["action"].as_integer(), action_ids),
            _in(OutboxMessage.ref["session"].as_integer(), session_ids),
        )
        return [
            ("visits", Visit, Visit.case_id == case_id),
            ("supervision_notes", SupervisionNote, SupervisionNote.case_id == case_id),
            ("note_revisions", NoteRevision, revisions),
            ("actions", Action, Action.case_id == case_id),
            ("flags", Flag, Flag.case_id == case_id),
            ("outbox", OutboxMessage, outbox),
            ("stuck_walkthroughs", StuckWalkthrough, StuckWalkthrough.case_id == case_id),
            ("agenda_items", AgendaItem, agenda),
            ("flow_sessions", FlowSession, sessions),
            ("pending_imports", PendingImport, _in(PendingImport.id, list(imports))),
            ("plan_reviews", PlanReview, PlanReview.case_id == case_id),
            ("plan_actions", PlanAction, PlanAction.case_id == case_id),
            ("plan_aims", PlanAim, PlanAim.plan_id.in_(plans)),
            ("support_plans", SupportPlan, SupportPlan.case_id == case_id),
            ("case_evaluations", CaseEvaluation, CaseEvaluation.case_id == case_id),
            ("family_agreements", FamilyAgreement, FamilyAgreement.case_id == case_id),
            ("assessments", Assessment, Assessment.case_id == case_id),
            ("case_network", NetworkEntry, NetworkEntry.case_id == case_id),
            ("engagement_checks", EngagementCheck, EngagementCheck.case_id == case_id),
        ]

    async def _ids(self, key: Any, condition: ColumnElement[bool]) -> list[int]:
        return list((await self._session.scalars(select(key).where(condition))).all())


def _in(
    column: Any, ids: list[int], also: ColumnElement[bool] | None = None
) -> ColumnElement[bool]:
    """``column IN ids`` (and ``also``); plain false for no ids, which every backend accepts."""
    if not ids:
        return false()
    condition = column.in_(ids)
    return and_(condition, also) if also is not None else condition
