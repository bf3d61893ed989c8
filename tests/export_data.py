"""A case with one of everything an export holds, made through the real services, for the
export tests (integration, end-to-end and command line)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from bot.clock import MovableClock
from bot.domain.bearings import Check
from bot.domain.flags import FlagAction, Urgency
from bot.domain.stuck import StuckEnding
from bot.services import cases, flags, notes, stuck, supervision, visits
from storage.db import Database
from storage.models import BearingsCheck, Flag, StuckWalkthrough, Visit
from tests.team import OTHER_WORKER_ID, SUPERVISOR_ID, WORKER_ID
from tests.team import person_of as _person

REFERENCE, OTHER_REFERENCE = "FAM-0142", "FAM-0200"
EMOJI, UNSHOWABLE, ARABIC = "😀", "🚩", "مرحبا بالعالم"
ACCENTS, MARKUP = "Café naïve, déjà vu", "<b>Dad</b> & Mum"
VISIT_NOTE = f"{ACCENTS} {EMOJI} {UNSHOWABLE}\n{MARKUP}\n{ARABIC}"
NEXT_STEP, CORRECTED_NEXT_STEP = "Ask the school", "Ask the school about a joint meeting"
TASK, DECISIONS = "Plan the family meeting", "Hold it at school, because Dad trusts them"
ACTION = "Book the room at school"
FLAG_SUMMARY, OUTCOME = "Dad won't open the door on visit days", "Joint visit with school booked"
SAVED_STUCK, PRIVATE_STUCK = "Stuck on getting through the door", "Private worry kept to myself"
CHECK_NOTE = "Tired this week"
KIMS_NOTE = "Kim's own visit note"
SEEDED_TEXTS = (
    VISIT_NOTE,
    CORRECTED_NEXT_STEP,
    TASK,
    DECISIONS,
    ACTION,
    FLAG_SUMMARY,
    OUTCOME,
    SAVED_STUCK,
)
"""Every note, flag, action and walk-through text of the case that a case export must hold."""


@dataclass(frozen=True)
class Seeded:
    """Ids of what was made."""

    case_id: int
    other_case_id: int
    flag_id: int


async def seed_case_with_everything(database: Database, clock: MovableClock) -> Seeded:
    """Alex's FAM-0142: a corrected visit note, Sam's supervision note with an action, a flag
    acknowledged then resolved, a walk-through saved to the case and a private one, and a
    bearings check; Kim's FAM-0200 with a visit note of her own. Needs ``seed_team``."""
    alex, sam, kim = [
        await _person(database, i) for i in (WORKER_ID, SUPERVISOR_ID, OTHER_WORKER_ID)
    ]
    today = clock.now().date()
    async with database.unit_of_work() as uow:
        for who, reference in ((alex, REFERENCE), (kim, OTHER_REFERENCE)):
            answers = {"reference": reference, "stage": "assessment", "cadence": 7}
            await cases.create_case(uow, clock, who, answers)
        case = await uow.cases.by_reference(alex.team_id, REFERENCE)
        other = await uow.cases.by_reference(alex.team_id, OTHER_REFERENCE)
        assert case is not None and other is not None
        case_id, other_case_id = case.id, other.id
    async with database.unit_of_work() as uow:
        day = today.isoformat()
        await visits.save_visit(
            uow,
            clock,
            alex,
            {"case": case_id, "date": day, "how": VISIT_NOTE, "risk": "up", "next": NEXT_STEP},
        )
        await visits.save_visit(
            uow, clock, kim, {"case": other_case_id, "date": day, "how": KIMS_NOTE, "risk": "same"}
        )
        visit_id = (
            await uow.session.scalars(select(func.min(Visit.id)).where(Visit.case_id == case_id))
        ).one()
    clock.advance(timedelta(hours=1))
    async with database.unit_of_work() as uow:
        answers = {"note": f"v.{visit_id}.1", "text": CORRECTED_NEXT_STEP}
        await notes.correct_note(uow, clock, alex, answers)
        await supervision.save_supervision(
            uow,
            clock,
            sam,
            {
                "case": case_id,
                "held_on": today.isoformat(),
                "kind": "one_to_one",
                "task": TASK,
                "risk": "same",
                "outcome": "decision",
                "decisions": DECISIONS,
                "action_1": ACTION,
                "action_1_owner": alex.member_id,
                "action_1_due": (today + timedelta(days=7)).isoformat(),
                "escalation": "none",
            },
        )
        await flags.raise_flag(
            uow,
            clock,
            alex,
            case_id=case_id,
            urgency=Urgency.WEEK,
            source="case",
            summary=FLAG_SUMMARY,
        )
        flag_id = (await uow.session.scalars(select(func.max(Flag.id)))).one()
    clock.advance(timedelta(minutes=30))
    async with database.unit_of_work() as uow:
        await flags.act_on_flag(
            uow,
            clock,
            telegram_user_id=SUPERVISOR_ID,
            flag_id=flag_id,
            action=FlagAction.ACKNOWLEDGE,
        )
    clock.advance(timedelta(hours=2))
    async with database.unit_of_work() as uow:
        await flags.resolve_flag(uow, clock, sam, {"flag": flag_id, "outcome": OUTCOME})
        for where in (SAVED_STUCK, PRIVATE_STUCK):
            await stuck.save_stuck(
                uow,
                clock,
                alex,
                {"safety": "no", "case": case_id, "where_stuck": where, "phase": "working"},
            )
        saved = await uow.session.scalar(select(func.min(StuckWalkthrough.id)))
        assert saved is not None
        await stuck.choose_ending(
            uow, clock, telegram_user_id=WORKER_ID, walkthrough_id=saved, choice=StuckEnding.NOTE
        )
        ratings = {key: 3 for key in ("relationship", "connected", "scaffolding", "risk")}
        ratings |= {key: 4 for key in ("domains", "integration", "local", "evidence")}
        check = Check.from_answers({**ratings, "steer": 2, "liaison": 5, "boundary_time": "no"})
        await uow.bearings.add(
            BearingsCheck(
                team_id=alex.team_id,
                member_id=alex.member_id,
                taken_at=clock.now(),
                ratings=check.to_stored(),
                note=CHECK_NOTE,
                shared_at=None,
            )
        )
    return Seeded(case_id, other_case_id, flag_id)
