"""/stuck – "I'm stuck: what next?": what was tried last time, the summary, and the endings
a worker chooses (flag, note, actions, agenda). Its first step's safeguarding path is
``bot.services.safeguarding``'s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.clock import Clock
from bot.domain.buttons import Offer, Offers, StuckEndingChoice
from bot.domain.errors import Refusal
from bot.domain.flags import Urgency
from bot.domain.flows import SKIPPED
from bot.domain.stuck import (
    StuckEnding,
    agencies_differing,
    endings_offered,
    fit_for_supervision,
    suggestions,
    unmet_basics,
)
from bot.services.access import Person, require_person
from bot.services.actions import add_action
from bot.services.cases import readable_case
from bot.services.flags import raise_flag
from bot.services.flow_catalogue import catalogue
from bot.services.flows.engine import flow_values
from bot.services.flows.replies import Said
from bot.services.local_time import local_today
from prompts import label
from storage.models import StuckWalkthrough
from storage.uow import UnitOfWork

URGENCY_OF = {
    StuckEnding.FLAG_TODAY: Urgency.TODAY,
    StuckEnding.FLAG_WEEK: Urgency.WEEK,
    StuckEnding.FLAG_SUPERVISION: Urgency.SUPERVISION,
}


@dataclass(frozen=True)
class StuckSummary:
    """A walk-through as its summary shows it."""

    walkthrough_id: int
    case_id: int
    reference: str
    labels: dict[str, str]
    answers: dict[str, Any]
    skipped: list[str]
    suggestions: list[str]
    unmet_basics: list[str]
    chosen: list[str]
    offered: list[StuckEnding]
    differing: dict[int, str]
    """The agencies whose view differs, by slot (each offers a joining-up conversation)."""
    fit_on_agenda: bool
    """The help's fit went on the supervision agenda when the walk-through was saved."""


async def last_time(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """Stuck on this case before (a case the person may read): what was planned then."""
    if not answers.get("case"):
        return []
    case = await readable_case(uow, person, int(answers["case"]))
    previous = await uow.stuck.for_case(case.id)
    if not previous:
        return []
    last = previous[0]
    return [
        Said(
            "stuck_last_time",
            {
                "on": last.created_at.date(),
                "quick_win": last.answers.get("quick_win"),
                "next_step": last.answers.get("next_step"),
                "where_stuck": last.answers.get("where_stuck"),
            },
        )
    ]


async def save_stuck(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of /stuck: keep the walk-through, show the summary and the four endings."""
    case = await readable_case(uow, person, int(answers["case"]))
    walkthrough = await uow.stuck.add(
        StuckWalkthrough(
            team_id=case.team_id,
            worker_id=person.member_id,
            case_id=case.id,
            answers=answers,
            endings="",
            created_at=clock.now(),
        )
    )
    if fit_for_supervision(answers):
        await _keep(uow, clock, walkthrough, "fit")
    summary = await stuck_summary(uow, clock, person, walkthrough)
    return [Said("stuck_summary", {"summary": summary, "readonly": False}, ending_buttons(summary))]


async def choose_ending(
    uow: UnitOfWork,
    clock: Clock,
    *,
    telegram_user_id: int,
    walkthrough_id: int,
    choice: StuckEnding,
) -> tuple[StuckSummary, list[Said]]:
    """One of the endings, pressed under the summary; each can be chosen once."""
    person = await require_person(uow, telegram_user_id)
    walkthrough = await uow.stuck.get(walkthrough_id)
    if walkthrough is None or walkthrough.worker_id != person.member_id:
        raise Refusal("already_done")
    chosen = [c for c in walkthrough.endings.split(",") if c]
    picked = choice
    answers = walkthrough.answers
    if picked not in endings_offered(answers, chosen):
        raise Refusal("already_done")
    says: list[Said] = []
    if picked.is_flag:
        says = await raise_flag(
            uow,
            clock,
            person,
            case_id=walkthrough.case_id,
            urgency=URGENCY_OF[picked],
            source="stuck",
            summary=label(
                "stuck_flag_summary",
                where=answers.get("where_stuck") or "",
                next=answers.get("next_step") or "",
            ),
        )
    elif picked is StuckEnding.ACTION:
        says = [await _actions(uow, clock, person, walkthrough)]
    elif picked is StuckEnding.AGENDA:
        await _keep(uow, clock, walkthrough, "stuck")
    elif picked is StuckEnding.TEAM_MEETING:
        await _keep(uow, clock, walkthrough, "team_meeting")
    elif picked.agency is not None:
        says = [await _join_up(uow, clock, person, walkthrough, picked.agency)]
    walkthrough.endings = ",".join([*chosen, picked.value])
    return await stuck_summary(uow, clock, person, walkthrough), says


async def walkthrough_view(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, walkthrough_id: int
) -> StuckSummary:
    """A walk-through in a case's history: its worker's, or one saved as a note on a case the
    reader may see (a supervisor's reading is audited)."""
    person = await require_person(uow, telegram_user_id)
    walkthrough = await uow.stuck.get(walkthrough_id)
    if walkthrough is None:
        raise Refusal("note_not_yours")
    if walkthrough.worker_id != person.member_id:
        saved = "note" in walkthrough.endings.split(",")
        await readable_case(uow, person, walkthrough.case_id)
        if not saved:
            raise Refusal("note_not_yours")
        await uow.audit.record(
            at=clock.now(),
            action="stuck.read",
            subject=f"stuck:{walkthrough.id}",
            team_id=walkthrough.team_id,
            actor_id=person.member_id,
        )
    return await stuck_summary(uow, clock, person, walkthrough)


async def stuck_summary(
    uow: UnitOfWork, clock: Clock, person: Person, walkthrough: StuckWalkthrough
) -> StuckSummary:
    """The summary of a walk-through: answers as read back, what was skipped, suggestions."""
    answers = dict(walkthrough.answers)
    values = await flow_values(uow, clock, person, "stuck", answers)
    case = await uow.cases.get(walkthrough.case_id)
    flow = catalogue()["stuck"]
    chosen = [c for c in walkthrough.endings.split(",") if c]
    skipped = [
        step.summary or step.id
        for step in flow.steps
        if step.id in answers and answers[step.id] is SKIPPED
    ]
    return StuckSummary(
        walkthrough_id=walkthrough.id,
        case_id=walkthrough.case_id,
        reference=case.reference if case else "",
        labels=values["labels"],
        answers=answers,
        skipped=skipped,
        suggestions=suggestions(
            answers, walkthrough.created_at.date(), await _weekly(uow, walkthrough)
        ),
        unmet_basics=[flow.step(step).summary or step for step in unmet_basics(answers)],
        chosen=chosen,
        offered=endings_offered(answers, chosen),
        differing=dict(agencies_differing(answers)),
        fit_on_agenda=fit_for_supervision(answers),
    )


async def _weekly(uow: UnitOfWork, walkthrough: StuckWalkthrough) -> list[str]:
    """The case's weekly engagement checks answered before the walk-through, newest first."""
    return [
        check.engagement
        for check in await uow.engagement.for_case(walkthrough.case_id, limit=4)
        if check.engagement and check.week <= walkthrough.created_at.date()
    ]


def ending_buttons(summary: StuckSummary) -> Offers:
    """The endings still on offer, under the summary: the flags in a row, then one a row."""

    def offer(choice: StuckEnding) -> Offer:
        if choice.agency is not None:
            agency = {"agency": summary.differing[choice.agency]}
            return Offer(StuckEndingChoice(summary.walkthrough_id, choice), "stuck_join", agency)
        return Offer(StuckEndingChoice(summary.walkthrough_id, choice), f"stuck_{choice.value}")

    flags = [offer(e) for e in summary.offered if e.is_flag]
    others = [[offer(e)] for e in summary.offered if not e.is_flag]
    return [flags, *others] if flags else others


async def _keep(uow: UnitOfWork, clock: Clock, walkthrough: StuckWalkthrough, kind: str) -> None:
    """Keep the walk-through for a meeting: the supervision agenda (``stuck``, or ``fit`` for
    the help's fit) or the team meeting's (``team_meeting``)."""
    await uow.agenda.add(
        team_id=walkthrough.team_id,
        worker_id=walkthrough.worker_id,
        kind=kind,
        ref_id=walkthrough.id,
        case_id=walkthrough.case_id,
        at=clock.now(),
    )


async def _join_up(
    uow: UnitOfWork, clock: Clock, person: Person, walkthrough: StuckWalkthrough, slot: int
) -> Said:
    """A joining-up conversation with an agency whose view differs, as the worker's action
    for the coming week."""
    agency = str(walkthrough.answers[f"agency_{slot}"])
    today = await local_today(uow, clock, person)
    action = await add_action(
        uow,
        clock,
        person,
        text=label("stuck_join_up_action", agency=agency),
        owner_id=person.member_id,
        due_on=today + timedelta(days=7),
        case_id=walkthrough.case_id,
        source=f"stuck:{walkthrough.id}",
    )
    return Said("stuck_actions_made", {"actions": [action]})


async def _actions(
    uow: UnitOfWork, clock: Clock, person: Person, walkthrough: StuckWalkthrough
) -> Said:
    """The quick win (due by the next visit) and the next step (its owner, its date)."""
    answers, made = walkthrough.answers, []
    case = await uow.cases.get(walkthrough.case_id)
    today = await local_today(uow, clock, person)
    if answers.get("quick_win"):
        due = case.next_visit_due if case and case.next_visit_due else None
        made.append(
            await add_action(
                uow,
                clock,
                person,
                text=answers["quick_win"],
                owner_id=person.member_id,
                due_on=max(due, today) if due else today + timedelta(days=7),
                case_id=walkthrough.case_id,
                source=f"stuck:{walkthrough.id}",
            )
        )
    if answers.get("next_step"):
        made.append(
            await add_action(
                uow,
                clock,
                person,
                text=answers["next_step"],
                owner_id=int(answers.get("next_owner") or person.member_id),
                due_on=date.fromisoformat(answers["next_due"])
                if answers.get("next_due")
                else today + timedelta(days=7),
                case_id=walkthrough.case_id,
                source=f"stuck:{walkthrough.id}",
            )
        )
    return Said("stuck_actions_made", {"actions": made})
