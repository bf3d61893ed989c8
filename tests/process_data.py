"""A case's key-worker process written through the real services, every free-text field with a
distinctive string: for the encryption, rotation, export, purge and erasure tests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from bot.clock import Clock
from bot.services import cases, engagement, plan_reviews, support_plan
from bot.services.access import Person
from storage.db import Database

PROCESS_SECRETS = {
    "standard": "Home by Gildersleeve-standard nine",
    "consequence": "Phone kept Marchbanks-consequence downstairs",
    "risk": "Out late with Pennyworth-risk crowd",
    "protective": "Close to Auntie Ravensworth-protective",
    "build_on": "Build on Cholmondeley-buildon football",
    "reduce": "Reduce Featherstonehaugh-reduce nights out",
    "aim": "Back in Wolstenholme-aim school",
    "family": "Stepgran Dunsinane-family",
    "agency": "Youth club Abercrombie-agency",
    "team_action": "Ring Tregothnan-teamaction head of year",
    "family_action": "Get up Quarrington-familyaction on time",
    "participant": "Uncle Postlethwaite-participant",
    "agreement_note": "Curfew Aldworth-agreementnote moved to ten",
    "worker_words": "Far calmer Hetherington-workerwords at home",
    "impact": "Mum: we Lowestoft-impact talk now",
    "stepped_down": "Locality Saltonstall-steppeddown hub",
    "weekly_incident": "Door kicked Throckmorton-weeklyincident in",
}


async def write_process(
    database: Database,
    clock: Clock,
    worker: Person,
    other: Person,
    case_id: int,
    today: date,
    words: Mapping[str, str] = PROCESS_SECRETS,
) -> None:
    """An agreement, an assessment, a plan (aims scored, a network), an action for ``other``
    and one for a family member, a review, the week's incident, and the closing with its
    evaluation (``words``:
    what is typed, by the keys of ``PROCESS_SECRETS``)."""
    s = words
    base: dict[str, Any] = {"case": case_id}
    async with database.unit_of_work() as uow:
        await support_plan.save_agreement(
            uow,
            clock,
            worker,
            {
                **base,
                "standards": [s["standard"]],
                "consequences": [s["consequence"]],
                "agreed_on": today.isoformat(),
            },
        )
        await support_plan.save_assessment(
            uow,
            clock,
            worker,
            {
                **base,
                "person_risk": [s["risk"]],
                "family_protective": [s["protective"]],
                "build_on": s["build_on"],
                "reduce": s["reduce"],
            },
        )
        await support_plan.save_plan(
            uow,
            clock,
            worker,
            {
                **base,
                "aims": [s["aim"]],
                "scores": {"0": 3, "1": 5},
                "family": [s["family"]],
                "agencies": [s["agency"]],
            },
        )
    due = (today + timedelta(days=7)).isoformat()
    async with database.unit_of_work() as uow:
        await support_plan.save_plan_action(
            uow,
            clock,
            worker,
            {
                **base,
                "what": s["team_action"],
                "owner_kind": "team",
                "owner_member": other.member_id,
                "due": due,
                "quick_win": "yes",
            },
        )
        await support_plan.save_plan_action(
            uow,
            clock,
            worker,
            {
                **base,
                "what": s["family_action"],
                "owner_kind": "family",
                "owner_family": s["family"],
                "due": due,
                "quick_win": "no",
            },
        )
    async with database.unit_of_work() as uow:
        actions = await uow.process.plan_actions(case_id)
        await plan_reviews.save_review(
            uow,
            clock,
            worker,
            {
                **base,
                "held_on": today.isoformat(),
                "participants": [f"member:{worker.member_id}", s["participant"]],
                "agreement": "changed",
                "agreement_note": s["agreement_note"],
                "marks": {str(actions[0].id): "done", str(actions[1].id): "carried"},
                "outcome": "step_down",
                "next_review": (today + timedelta(days=42)).isoformat(),
            },
        )
    async with database.unit_of_work() as uow:
        answers = {**base, "what": s["weekly_incident"]}
        await engagement.record_incident(uow, clock, worker, answers)
    async with database.unit_of_work() as uow:
        plan = await uow.process.plan(case_id)
        assert plan is not None
        aims = await uow.process.aims(plan.id)
        await cases.close_case(
            uow,
            clock,
            worker,
            {
                **base,
                "confirm": "yes",
                "reason": "Goals met",
                "evaluate": "yes",
                "worker_words": s["worker_words"],
                "impacts": [s["impact"]],
                "aim_scores": {str(aim.id): 8 for aim in aims},
                "counts_start": {"Incidents reported": 6},
                "counts_end": {"Incidents reported": 1},
                "stepped_down": s["stepped_down"],
            },
        )
