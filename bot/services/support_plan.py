"""The family agreement, the assessment and the support plan (service layer): the endings of
their flows.

A plan action owned by a team member is an ordinary action (``bot.services.actions``), nudged
as any; one owned by a family member or an agency in the case's network is kept on the plan,
shown on it and at reviews. A role or agency typed for an action joins the case's network.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.clock import Clock
from bot.domain import process as rules
from bot.domain.buttons import Offer, StartFlowForCase
from bot.domain.buttons_process import ShowCasePart
from bot.domain.errors import Refusal
from bot.domain.flows import SKIPPED
from bot.services import actions
from bot.services.access import Person
from bot.services.cases import changeable_case
from bot.services.flows.replies import Said
from bot.services.local_time import local_today
from storage.models_process import (
    Assessment,
    FamilyAgreement,
    NetworkEntry,
    PlanAction,
    PlanAim,
    SupportPlan,
)
from storage.uow import UnitOfWork

PLAN_SOURCE = "plan"
"""The ``source`` of an action made on a support plan."""


async def save_agreement(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of "family agreement": it stands from the day agreed (an older one is kept)."""
    case = await changeable_case(uow, person, answers["case"])
    await uow.process.add(
        FamilyAgreement(
            case_id=case.id,
            standards=list(answers["standards"]),
            consequences=list(answers.get("consequences") or []),
            agreed_on=date.fromisoformat(answers["agreed_on"]),
            author_id=person.member_id,
            created_at=clock.now(),
        )
    )
    return [Said("agreement_saved", {"reference": case.reference}, _next(case.id, "assessment"))]


async def save_assessment(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of "assessment": the factors at three levels, what to build on and reduce."""
    case = await changeable_case(uow, person, answers["case"])
    await uow.process.add(
        Assessment(
            case_id=case.id,
            factors=rules.factors_from(answers),
            build_on=_words(answers.get("build_on")),
            reduce=_words(answers.get("reduce")),
            assessed_on=await local_today(uow, clock, person),
            author_id=person.member_id,
            created_at=clock.now(),
        )
    )
    follow = None if await uow.process.plan(case.id) else _next(case.id, "plan")
    return [Said("assessment_saved", {"reference": case.reference}, follow)]


async def save_plan(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of "support plan": its aims in order of need with their scores now, and the
    family roles and agencies involved; then its actions, one at a time."""
    case = await changeable_case(uow, person, answers["case"])
    if await uow.process.plan(case.id) is not None:
        raise Refusal("plan_exists", reference=case.reference)
    plan = await uow.process.add(
        SupportPlan(
            case_id=case.id,
            made_on=await local_today(uow, clock, person),
            author_id=person.member_id,
            created_at=clock.now(),
        )
    )
    scores = answers.get("scores") or {}
    aims = rules.aims_with_engagement(answers.get("aims") or [])
    for number, aim in enumerate(aims):
        score = scores.get(str(number))
        await uow.process.add(
            PlanAim(plan_id=plan.id, position=number + 1, text=aim, start_score=score)
        )
    for kind, step in (("family", "family"), ("agency", "agencies")):
        for line in answers.get(step) or []:
            await _in_network(uow, clock, case.id, kind, line)
    offers = [
        [Offer(StartFlowForCase("plan_action", case.id), "plan_add_action")],
    ]
    return [Said("plan_saved", {"reference": case.reference, "aims": aims}, offers)]


async def save_plan_aims(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of "change the aims": the plan's aims as now wanted, in order of need. An aim
    kept keeps its scores; a new one is scored now; one no longer wanted goes (audited, by
    count: the words are the case's)."""
    case = await changeable_case(uow, person, answers["case"])
    plan = await uow.process.plan(case.id)
    if plan is None:
        raise Refusal("no_plan", reference=case.reference)
    current = {aim.id: aim for aim in await uow.process.aims(plan.id)}
    aims = rules.aims_with_engagement(answers.get("aims") or [])
    kept = rules.aims_kept([(aim.id, aim.text) for aim in current.values()], aims)
    scores = answers.get("scores") or {}
    for number, (words, aim_id) in enumerate(zip(aims, kept, strict=True)):
        if aim_id is None:
            start = scores.get(str(number))
            await uow.process.add(
                PlanAim(plan_id=plan.id, position=number + 1, text=words, start_score=start)
            )
        else:
            current.pop(aim_id).position = number + 1
    for dropped in current.values():
        await uow.process.remove(dropped)
    await uow.audit.record(
        at=clock.now(),
        action="plan.aims_changed",
        subject=f"case:{case.id}",
        team_id=case.team_id,
        actor_id=person.member_id,
        detail={"aims": len(aims), "new": kept.count(None), "dropped": len(current)},
    )
    back = [[Offer(ShowCasePart(case.id, "plan"), "plan_aims_back")]]
    return [Said("plan_aims_saved", {"reference": case.reference, "aims": aims}, back)]


async def save_plan_action(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of "plan action": a team member's becomes an action (nudged as any); a family
    member's or an agency's is kept on the plan, the role or agency joining the network."""
    case = await changeable_case(uow, person, answers["case"])
    due = date.fromisoformat(answers["due"])
    quick = answers.get("quick_win") == "yes"
    row = PlanAction(
        case_id=case.id, quick_win=quick, created_by_id=person.member_id, created_at=clock.now()
    )
    kind = answers["owner_kind"]
    if kind == "team":
        line = await actions.add_action(
            uow,
            clock,
            person,
            text=answers["what"],
            owner_id=int(answers["owner_member"]),
            due_on=due,
            case_id=case.id,
            source=PLAN_SOURCE,
        )
        row.action_id, owner = line.id, line.owner_name
    else:
        owner = answers["owner_family" if kind == "family" else "owner_agency"]
        entry = await _in_network(uow, clock, case.id, kind, owner)
        row.network_id, row.text, row.due_on, row.status = entry.id, answers["what"], due, "open"
    await uow.process.add(row)
    offers = [
        [Offer(StartFlowForCase("plan_action", case.id), "plan_another_action")],
        [Offer(ShowCasePart(case.id, "plan"), "plan_thats_all")],
    ]
    values = {"reference": case.reference, "owner": owner, "due": due, "quick_win": quick}
    return [Said("plan_action_saved", values, offers)]


async def _in_network(
    uow: UnitOfWork, clock: Clock, case_id: int, kind: str, words: str
) -> NetworkEntry:
    """The case's network entry for this role or agency, added if it is new."""
    for entry in await uow.process.network(case_id):
        if entry.kind == kind and entry.label.casefold() == words.casefold():
            return entry
    return await uow.process.add(
        NetworkEntry(case_id=case_id, kind=kind, label=words, added_at=clock.now())
    )


def _next(case_id: int, flow: str) -> list[list[Offer]]:
    return [[Offer(StartFlowForCase(flow, case_id), f"next_{flow}")]]


def _words(value: Any) -> str | None:
    return None if value is SKIPPED or value is None else str(value)
