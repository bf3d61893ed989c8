"""A case's key-worker process, filled to the limits its flows allow (for the templates that
show it: the card's Plan & reviews, the reviews, the case PDF)."""

from __future__ import annotations

from bot.domain import process as rules
from bot.domain.buttons_process import PARTS
from bot.domain.flow_lists import MAX_LINES
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
from bot.services.case_plan import CaseProcess
from bot.services.plan_reviews import REVIEWS_PAGE, ReviewHistory
from tests.template_samples.fill import Fill, Values
from tests.template_samples.views import card, limit_of, paged


def _lines(f: Fill, flow: str, step: str) -> list[str]:
    return f.many(lambda i: f.text(limit_of(flow, step)), MAX_LINES)


def review(f: Fill) -> ReviewRecord:
    return ReviewRecord(
        held_on=f.day(),
        participants=_lines(f, "plan_review", "participants"),
        agreement=f.pick(("holds", "changed", "none")),
        agreement_note=f.optional(f.text(limit_of("plan_review", "agreement_note"))),
        marks=f.many(
            lambda i: (
                f"{f.text(limit_of('plan_action', 'what'))} ({f.name()})",
                f.pick(tuple(rules.MARKS)),
            ),
            12,
        ),
        outcome=f.pick(rules.OUTCOMES),
        next_review_on=f.optional(f.day()),
        by=f.name(),
    )


def process(f: Fill) -> ProcessRecord:
    score = lambda: f.optional(f.number(0, 10))  # noqa: E731
    action = lambda i: PlanActionRecord(  # noqa: E731
        i, f.text(limit_of("plan_action", "what")), f.name(), f.optional(f.day()),
        f.pick(("open", "done", "dropped")), f.maybe(), f.maybe(),
    )  # fmt: skip
    plan = PlanRecord(
        made_on=f.day(),
        by=f.name(),
        aims=f.many(
            lambda i: AimRecord(i + 1, f.text(limit_of("plan", "aims")), score(), score()),
            MAX_LINES + 1,
        ),
        actions=f.many(action, 20),
        family=_lines(f, "plan", "family"),
        agencies=_lines(f, "plan", "agencies"),
    )
    levels = {
        level: {side: _lines(f, "assessment", f"{level}_{side}") for side in ("risk", "protective")}
        for level in rules.LEVELS
    }
    return ProcessRecord(
        agreements=f.many(
            lambda i: AgreementRecord(
                f.day(),
                _lines(f, "agreement", "standards"),
                _lines(f, "agreement", "consequences"),
                f.name(),
            ),
            3,
        ),
        assessments=f.many(
            lambda i: AssessmentRecord(
                f.day(),
                levels,
                f.optional(f.text(limit_of("assessment", "build_on"))),
                f.optional(f.text(limit_of("assessment", "reduce"))),
                f.name(),
            ),
            2,
        ),
        plan=f.optional(plan),
        reviews=f.many(lambda i: review(f), 6),
        evaluation=f.optional(
            EvaluationRecord(
                f.optional(f.text(limit_of("case_close", "worker_words"))),
                _lines(f, "case_close", "impacts"),
                {f.text(40): {"start": score(), "end": score()} for _ in range(6)},
                f.optional(f.text(limit_of("case_close", "stepped_down"))),
                f.name(),
            )
        ),
        engagement=f.many(
            lambda i: EngagementRecord(
                f.day(),
                f.optional(f.pick(("engaged", "partly", "not"))),
                f.optional(f.maybe()),
                f.optional(f.text(limit_of("incident", "what"))),
            ),
            60,
        ),
    )


def shown(f: Fill, part: bool) -> Values:
    reason = f.optional(f.text(limit_of("case_close", "reason")))
    return {"shown": CaseProcess(card(f), process(f), f.pick(PARTS) if part else None, reason)}


def history(f: Fill) -> Values:
    page = paged(f, lambda i: review(f), 12, size=REVIEWS_PAGE)
    return {"history": ReviewHistory(1, f.reference(), f.maybe(), page)}
