"""Supervision notes (Thinking Together): saving one, and the actions agreed in it."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.clock import Clock
from bot.domain.errors import Refusal
from bot.domain.flags import Urgency
from bot.domain.roles import Role
from bot.services.access import Person
from bot.services.actions import ActionLine, add_action
from bot.services.agenda import agenda_for, tick_off_offer
from bot.services.cases import changeable_case
from bot.services.flags import raise_flag
from bot.services.flows.replies import Said
from prompts import label
from storage.models import SupervisionNote
from storage.uow import UnitOfWork

ACTION_SLOTS = (1, 2, 3)
"""The action steps of prompts/flows/supervision.yaml (action_1, action_1_owner, ...)."""

NOTE_FIELDS = (
    "supervisor",
    "task",
    "update",
    "feelings_worker",
    "feelings_young_person",
    "feelings_family",
    "feelings_network",
    "risk",
    "risks",
    "strengths",
    "family_view",
    "outcome",
    "enough_people",
    "who_else",
    "decisions",
    "previous_actions",
    "escalation",
    "referral",
    "next_review",
)
"""The answers kept in the note's encrypted content."""

ESCALATION_URGENCY = {"flag_today": Urgency.TODAY, "flag": Urgency.WEEK}
"""An escalation answer that raises a flag, and its urgency."""


async def save_supervision(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of /supervision: the note, and an action for each one agreed."""
    case = await changeable_case(uow, person, answers["case"]) if answers.get("case") else None
    worker_id = await _worker(uow, person, case.worker_id if case else answers.get("worker"))
    await _check_supervisor(uow, person, answers.get("supervisor"))
    now = clock.now()
    note = await uow.notes.add_supervision(
        SupervisionNote(
            team_id=person.team_id,
            worker_id=worker_id,
            author_id=person.member_id,
            case_id=case.id if case else None,
            held_on=date.fromisoformat(answers["held_on"]),
            kind=answers["kind"],
            content={field: answers.get(field) for field in NOTE_FIELDS},
            created_at=now,
            updated_at=now,
        )
    )
    actions: list[ActionLine] = []
    for slot in ACTION_SLOTS:
        text = answers.get(f"action_{slot}")
        if text:
            actions.append(
                await add_action(
                    uow,
                    clock,
                    person,
                    text=text,
                    owner_id=int(answers[f"action_{slot}_owner"]),
                    due_on=date.fromisoformat(answers[f"action_{slot}_due"]),
                    case_id=case.id if case else None,
                    source=f"supervision:{note.id}",
                )
            )
    flagged: list[Said] = []
    urgency = ESCALATION_URGENCY.get(answers.get("escalation") or "")
    if urgency is not None:
        flagged = await raise_flag(
            uow,
            clock,
            person,
            case_id=case.id if case else None,
            urgency=urgency,
            source="supervision",
            summary=label("supervision_flag_summary", task=answers["task"]),
            for_worker=worker_id if person.is_supervisor else None,
        )
    worker = await uow.members.get(worker_id)
    supervisor = (
        await uow.members.get(int(answers["supervisor"])) if answers.get("supervisor") else None
    )
    offer = tick_off_offer(await agenda_for(uow, clock, person, worker_id), note.id)
    return [
        Said(
            "supervision_saved",
            {
                "reference": case.reference if case else None,
                "worker_name": worker.display_name if worker else "",
                "supervisor_name": supervisor.display_name if supervisor else None,
                "actions": actions,
                "escalation": answers.get("escalation"),
                "risk": answers.get("risk"),
            },
        ),
        *flagged,
        *([offer] if offer else []),
    ]


async def _check_supervisor(uow: UnitOfWork, person: Person, chosen: Any) -> None:
    """The supervisor named on the note is of the team (picked from its supervisors when
    answered; by the time the note is saved they may have stepped down or left, and the
    note still records who supervised)."""
    if chosen is None:
        return  # a note begun before the supervisor was asked
    supervisor = await uow.members.get(int(chosen))
    if supervisor is None or supervisor.team_id != person.team_id:
        raise Refusal("member_gone")


async def _worker(uow: UnitOfWork, person: Person, chosen: int | None) -> int:
    """Whose supervision it is: a worker's own; a supervisor's chosen worker of their team."""
    if person.role is Role.WORKER or chosen is None:
        return person.member_id
    worker = await uow.members.get(int(chosen))
    if worker is None or worker.team_id != person.team_id or not worker.active:
        raise Refusal("case_not_yours")
    return worker.id
