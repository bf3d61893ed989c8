"""The key-worker process's stages in use (CONTENT.md §D): a case moved on asks only what its
new stage needs and offers the next step; each stage's reminders, composed at send time
while they still hold (planned in ``nudges.planning`` from ``bot.domain.stages``)."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from bot.clock import Clock
from bot.domain.buttons import Offer, Offers, ShowCase, StartFlowForCase
from bot.domain.cases import STAGE_LABELS, Stage
from bot.domain.process import next_step_flow
from bot.domain.stages import StageCase, still_due
from bot.services.access import Person
from bot.services.cases import changeable_case
from bot.services.flows.replies import Said
from bot.services.local_time import local_today
from bot.services.outgoing import Outgoing
from bot.services.timing import team_rules
from storage.models import Case, OutboxMessage
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

FLOW_WORDS = {
    "visit": "stage_next_visit",
    "case_meeting": "stage_next_meeting",
    "agreement": "stage_next_agreement",
    "assessment": "stage_next_assessment",
    "plan": "stage_next_plan",
    "case_close": "stage_next_close",
}
"""How the button offering each next step reads."""
REVIEWED_FROM = (Stage.SUPPORT_PLAN, Stage.MONITORING)
"""Stages with a plan to review: entering one with no review date sets the first."""


def as_stage_case(case: Case) -> StageCase:
    """What the stage rules read of a case."""
    return StageCase(
        case.id,
        case.worker_id,
        case.stage,
        case.opened_at.date(),
        case.stage_since,
        case.first_contact_on,
        case.meeting_on,
    )


async def change_stage(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of "Change stage": the stage from today (its reminders count from it), what the
    new stage needs (the family meeting's date; a first plan review), audited; then the
    next step offered."""
    case = await changeable_case(uow, person, answers["case"])
    today = await local_today(uow, clock, person)
    before, stage = case.stage, Stage(answers["stage"])
    if stage.value != before:
        case.stage, case.stage_since = stage.value, today
        await uow.audit.record(
            at=clock.now(),
            action="case.stage_changed",
            subject=f"case:{case.id}",
            team_id=case.team_id,
            actor_id=person.member_id,
            detail={"from": before, "to": stage.value},
        )
    if answers.get("meeting_on"):
        case.meeting_on = date.fromisoformat(answers["meeting_on"])
    if stage in REVIEWED_FROM and case.next_review_on is None:
        weeks = (await team_rules(uow, case.team_id)).settings.plan_review_weeks
        case.next_review_on = today + timedelta(weeks=weeks)
    values = {
        "reference": case.reference,
        "stage": STAGE_LABELS[stage],
        "meeting_on": case.meeting_on if stage is Stage.FAMILY_MEETING else None,
        "next_review_on": case.next_review_on if stage in REVIEWED_FROM else None,
    }
    return [Said("case_stage_set", values, next_step(case.id, stage, case.meeting_on))]


def next_step(case_id: int, stage: Stage, meeting_on: date | None) -> Offers:
    """The next step after a move to ``stage`` (a visit to make, the family meeting's date to
    set, or the record the stage is for), and the way back to the case's card."""
    back = [Offer(ShowCase(case_id), "stage_back_to_case")]
    if stage in (Stage.ENGAGEMENT, Stage.MONITORING):
        flow: str | None = "visit"
    elif stage is Stage.FAMILY_MEETING and meeting_on is None:
        flow = "case_meeting"
    else:
        flow = next_step_flow(stage.value)
    if flow is None:
        return [back]
    return [[Offer(StartFlowForCase(flow, case_id), FLOW_WORDS[flow])], back]


async def set_meeting_date(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of "Family meeting date": the meeting booked (its "record the plan" reminder
    comes the day after)."""
    case = await changeable_case(uow, person, answers["case"])
    case.meeting_on = date.fromisoformat(answers["meeting_on"])
    return [Said("case_meeting_set", {"reference": case.reference, "on": case.meeting_on})]


async def compose_stage_nudge(uow: UnitOfWork, clock: Clock, row: OutboxMessage) -> Outgoing | None:
    """A stage reminder, while it still holds (the case open and still where it was), with
    the step it asks for as a button."""
    case = await uow.cases.get(int(row.ref["case"]))
    if case is None or case.closed_at is not None or not still_due(row.kind, as_stage_case(case)):
        log.debug("nudge.dropped", extra={"row": row.id, "kind": row.kind, "why": "moved_on"})
        return None
    worker = await uow.members.get(case.worker_id)
    values = {
        "kind": row.kind,
        "case": case,
        "worker": worker.display_name if worker else "",
        "days": (clock.now().date() - case.opened_at.date()).days,
    }
    return Outgoing("nudge_stage", values, STAGE_NUDGE_STEP[row.kind](case.id))


def _flow(flow: str, words: str) -> Any:
    return lambda case_id: [
        [Offer(StartFlowForCase(flow, case_id), words)],
        [Offer(ShowCase(case_id), "stage_back_to_case")],
    ]


STAGE_NUDGE_STEP = {
    "first_contact": _flow("visit", "stage_next_visit"),
    "first_contact_alert": lambda case_id: [[Offer(ShowCase(case_id), "stage_open_case")]],
    "assessment_due": _flow("case_stage", "stage_move_on"),
    "meeting_to_book": _flow("case_meeting", "stage_next_meeting"),
    "plan_to_record": _flow("case_stage", "stage_move_on"),
    "closing_prompt": _flow("case_close", "stage_next_close"),
}
"""The button under each stage reminder: the step it asks for."""
