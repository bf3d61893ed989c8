"""Evaluation at closing (service layer): what changed, in words and in numbers.

Asked in the closing flow after the reason: the worker's words, impact statements from the
family and agencies, each aim of the plan scored again (beside its score when the plan was
made), the team's counts at the start of support and now, and who the family was stepped
down to. Closing starts the retention clock (``cases.closed_at``), evaluated or not.
"""

from __future__ import annotations

from typing import Any

from bot.clock import Clock
from bot.domain import process as rules
from bot.domain.flows import SKIPPED, Accepted, Rejected
from bot.services.access import Person
from bot.services.timing import team_rules
from storage.models import Case
from storage.models_process import CaseEvaluation
from storage.uow import UnitOfWork


async def check_whole_number(uow: UnitOfWork, person: Person, value: Any) -> Accepted | Rejected:
    """A count: a whole number from 0."""
    number = rules.whole_number(str(value))
    return Rejected("whole_number") if number is None else Accepted(number)


async def save_evaluation(
    uow: UnitOfWork, clock: Clock, person: Person, case: Case, answers: dict[str, Any]
) -> None:
    """Keep the evaluation of a case its caller (closing) may change: the aims' scores now on
    the plan, the rest on the evaluation."""
    plan = await uow.process.plan(case.id)
    scores = answers.get("aim_scores") or {}
    if plan is not None:
        for aim in await uow.process.aims(plan.id):
            score = scores.get(str(aim.id))
            if score is not None:
                aim.end_score = int(score)
    names = (await team_rules(uow, case.team_id)).settings.evaluation_counts
    stepped = answers.get("stepped_down")
    await uow.process.add(
        CaseEvaluation(
            case_id=case.id,
            worker_words=_words(answers.get("worker_words")),
            impacts=list(answers.get("impacts") or []),
            counts=rules.counts_from(
                names, answers.get("counts_start") or {}, answers.get("counts_end") or {}
            ),
            stepped_down_to=_words(stepped),
            author_id=person.member_id,
            created_at=clock.now(),
        )
    )


def _words(value: Any) -> str | None:
    return None if value is SKIPPED or value is None else str(value)
