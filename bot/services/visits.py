"""Visit notes: saving one moves the case's next visit on by its cadence."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.clock import Clock
from bot.domain import cases as rules
from bot.services.access import Person
from bot.services.cases import changeable_case
from bot.services.flows.replies import Said
from bot.services.nudges.messages import withdraw_visit_nudges
from storage.models import Visit
from storage.uow import UnitOfWork


async def save_visit(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of /visit: keep the note, move the case's last visit and next visit due."""
    case = await changeable_case(uow, person, answers["case"])
    visited_on = date.fromisoformat(answers["date"])
    now = clock.now()
    await uow.notes.add_visit(
        Visit(
            case_id=case.id,
            author_id=person.member_id,
            visited_on=visited_on,
            how_it_went=answers["how"],
            risk_change=answers["risk"],
            next_step=answers.get("next"),
            created_at=now,
            updated_at=now,
        )
    )
    due_before = case.next_visit_due
    if case.first_contact_on is None or visited_on < case.first_contact_on:
        case.first_contact_on = visited_on  # engagement has begun (CONTENT §D)
    case.last_visit_on, case.next_visit_due = rules.after_visit(
        case.last_visit_on, visited_on, case.cadence_days
    )
    if case.next_visit_due != due_before:  # the visit the nudges asked for is done
        await withdraw_visit_nudges(uow, case.id, now)
    return [
        Said(
            "visit_saved",
            {"reference": case.reference, "next_due": case.next_visit_due, "risk": answers["risk"]},
        )
    ]
