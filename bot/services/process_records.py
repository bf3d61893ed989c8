"""A case's key-worker process read as records (service layer), for its card and its export.

The caller has decided the reader may read the case. Team members are named as they are now
(an erased one as a former member); a plan action reads from its action when a team member
owns it.
"""

from __future__ import annotations

from datetime import date

from bot.domain.process_records import (
    AgreementRecord,
    AimRecord,
    AssessmentRecord,
    EngagementRecord,
    EvaluationRecord,
    PlanActionRecord,
    PlanRecord,
    ProcessRecord,
    ReviewRecord,
)
from bot.services.access import member_name
from storage.models import Case
from storage.uow import UnitOfWork

ALL_WEEKS = 520
"""Ten years of weekly checks: every one a case can have had (retention ends it sooner)."""


async def plan_actions(uow: UnitOfWork, case_id: int) -> list[PlanActionRecord]:
    """The case's plan actions in the order agreed, each as it reads now."""
    records = []
    for row in await uow.process.plan_actions(case_id):
        action = await uow.actions.get(row.action_id) if row.action_id else None
        due: date | None
        if action is not None:
            owner = member_name(await uow.members.get(action.owner_id))
            words, due, status = action.text, action.due_on, action.status
        else:
            entry = await uow.process.network_entry(row.network_id) if row.network_id else None
            owner = entry.label if entry else ""
            words, due, status = row.text or "", row.due_on, row.status
        records.append(
            PlanActionRecord(row.id, words, owner, due, status, row.quick_win, action is not None)
        )
    return records


async def process_record(uow: UnitOfWork, case: Case) -> ProcessRecord:
    """Everything of the case's process, read now."""
    names: dict[int, str] = {}

    async def name(member_id: int) -> str:
        if member_id not in names:
            names[member_id] = member_name(await uow.members.get(member_id))
        return names[member_id]

    agreements = [
        AgreementRecord(
            a.agreed_on, list(a.standards), list(a.consequences), await name(a.author_id)
        )
        for a in await uow.process.agreements(case.id)
    ]
    assessments = [
        AssessmentRecord(a.assessed_on, a.factors, a.build_on, a.reduce, await name(a.author_id))
        for a in await uow.process.assessments(case.id)
    ]
    actions = await plan_actions(uow, case.id)
    plan_row = await uow.process.plan(case.id)
    plan = None
    if plan_row is not None:
        network = await uow.process.network(case.id)
        plan = PlanRecord(
            made_on=plan_row.made_on,
            by=await name(plan_row.author_id),
            aims=[
                AimRecord(aim.position, aim.text, aim.start_score, aim.end_score)
                for aim in await uow.process.aims(plan_row.id)
            ],
            actions=actions,
            family=[entry.label for entry in network if entry.kind == "family"],
            agencies=[entry.label for entry in network if entry.kind == "agency"],
        )
    described = {str(a.id): f"{a.words} ({a.owner})" for a in actions}
    reviews = []
    for review in await uow.process.reviews(case.id):
        taking_part = [
            await name(int(p["member"])) if "member" in p else str(p.get("text", ""))
            for p in review.participants
        ]
        reviews.append(
            ReviewRecord(
                held_on=review.held_on,
                participants=taking_part,
                agreement=review.agreement,
                agreement_note=review.agreement_note,
                marks=[(described.get(key, "—"), mark) for key, mark in review.marks.items()],
                outcome=review.outcome,
                next_review_on=review.next_review_on,
                by=await name(review.author_id),
            )
        )
    row = await uow.process.evaluation(case.id)
    evaluation = None
    if row is not None:
        evaluation = EvaluationRecord(
            row.worker_words,
            list(row.impacts),
            row.counts,
            row.stepped_down_to,
            await name(row.author_id),
        )
    engagement = [
        EngagementRecord(c.week, c.engagement, c.incident, c.incident_note)
        for c in await uow.engagement.for_case(case.id, limit=ALL_WEEKS)
    ]
    return ProcessRecord(agreements, assessments, plan, reviews, evaluation, engagement)
