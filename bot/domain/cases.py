"""Case rules: references, stages, when the next visit is due, what is due soonest."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Stage(StrEnum):
    """The family-support process, in order (CONTENT.md §D)."""

    ENGAGEMENT = "engagement"
    AGREEMENT = "agreement"
    ASSESSMENT = "assessment"
    FAMILY_MEETING = "family_meeting"
    SUPPORT_PLAN = "support_plan"
    MONITORING = "monitoring"
    CLOSING = "closing"


STAGE_LABELS = {
    Stage.ENGAGEMENT: "Engagement",
    Stage.AGREEMENT: "Agreement",
    Stage.ASSESSMENT: "Assessment",
    Stage.FAMILY_MEETING: "Family meeting",
    Stage.SUPPORT_PLAN: "Support plan",
    Stage.MONITORING: "Monitoring",
    Stage.CLOSING: "Evaluation and closing",
}
EARLIER_LABELS = {
    "Family meeting / plan": Stage.FAMILY_MEETING,
    "Monitoring & review": Stage.MONITORING,
    "Closing": Stage.CLOSING,
}
"""Names the stages had before the seven of CONTENT §D (a caseload file may still use them)."""

DEFAULT_CADENCE_DAYS = 7
_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9/_.-]{1,31}$")


class ReferenceProblem(StrEnum):
    """Why a case reference was not accepted."""

    SHAPE = "shape"
    NAME_LIKE = "name_like"


def normalise_reference(text: str) -> str | ReferenceProblem:
    """Read a case reference as typed ("fam-0142 " -> "FAM-0142"), or say what is wrong.

    Team references carry a number, so a reference without a digit is refused as
    probably a name: that rule has no false alarms on real references, while
    guessing at names in general would.
    """
    cleaned = text.strip().upper()
    if " " in cleaned and re.fullmatch(r"[A-Z' -]+", cleaned):
        return ReferenceProblem.NAME_LIKE
    if not _REFERENCE.match(cleaned):
        return ReferenceProblem.SHAPE
    if not any(character.isdigit() for character in cleaned):
        return ReferenceProblem.NAME_LIKE
    return cleaned


def next_visit_due(last_visit: date, cadence_days: int) -> date:
    """When the next visit is due after a visit on ``last_visit``."""
    return last_visit + timedelta(days=cadence_days)


def after_visit(
    current_last: date | None, visited_on: date, cadence_days: int
) -> tuple[date, date]:
    """The case's (last visit, next visit due) after a visit note; older notes move nothing back."""
    last = visited_on if current_last is None else max(current_last, visited_on)
    return last, next_visit_due(last, cadence_days)


@dataclass(frozen=True)
class CaseDates:
    """The dates that decide what is due on a case."""

    reference: str
    stage: str
    next_visit_due: date | None
    next_review_on: date | None


def due_order(case: CaseDates) -> tuple[date, date, int, str]:
    """Sort key for a caseload: soonest visit, then soonest review, then stage, then reference."""
    far = date.max
    stages = [stage.value for stage in Stage]
    stage_rank = stages.index(case.stage) if case.stage in stages else len(stages)
    return (case.next_visit_due or far, case.next_review_on or far, stage_rank, case.reference)


def visit_state(due: date | None, today: date) -> str:
    """ "overdue", "today", "soon" (within 2 days) or "later"/"none"."""
    if due is None:
        return "none"
    if due < today:
        return "overdue"
    if due == today:
        return "today"
    if due <= today + timedelta(days=2):
        return "soon"
    return "later"
