"""A case's key-worker process as plain records: what the case's card shows of it, and what a
case export holds (JSON and PDF). Domain layer: the services fill them, decrypted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class AgreementRecord:
    """A family agreement: its standards and consequences, when agreed, who recorded it."""

    agreed_on: date
    standards: list[str]
    consequences: list[str]
    by: str


@dataclass(frozen=True)
class AssessmentRecord:
    """An assessment: ``factors`` by level (person, family, community), each with its ``risk``
    and ``protective`` lines; what to build on and reduce."""

    assessed_on: date
    factors: dict[str, dict[str, list[str]]]
    build_on: str | None
    reduce: str | None
    by: str


@dataclass(frozen=True)
class AimRecord:
    """An aim in order of need, with its score when the plan was made and at closing."""

    position: int
    text: str
    start_score: int | None
    end_score: int | None


@dataclass(frozen=True)
class PlanActionRecord:
    """A plan action: what, whose (a team member, a family role or an agency), by when."""

    id: int
    words: str
    owner: str
    due_on: date | None
    status: str
    quick_win: bool
    team_member: bool


@dataclass(frozen=True)
class PlanRecord:
    """The support plan: its aims, actions, and the family roles and agencies involved."""

    made_on: date
    by: str
    aims: list[AimRecord]
    actions: list[PlanActionRecord]
    family: list[str]
    agencies: list[str]


@dataclass(frozen=True)
class ReviewRecord:
    """A plan review meeting."""

    held_on: date
    participants: list[str]
    agreement: str
    agreement_note: str | None
    marks: list[tuple[str, str]]
    """Each action marked: its words and owner, and done / carried / dropped."""
    outcome: str
    next_review_on: date | None
    by: str


@dataclass(frozen=True)
class EngagementRecord:
    """One week's engagement check: engaged, partly or not (None: not rated), and whether
    there was an incident, with its line."""

    week: date
    engagement: str | None
    incident: bool | None
    incident_note: str | None


@dataclass(frozen=True)
class EvaluationRecord:
    """What changed by the closing: in words (the worker's, the family's and agencies') and in
    numbers (the team's counts at the start and the end; the aims' scores are on the plan)."""

    worker_words: str | None
    impacts: list[str]
    counts: dict[str, Any]
    stepped_down_to: str | None
    by: str


@dataclass(frozen=True)
class ProcessRecord:
    """A case's process so far: agreements and assessments (newest first), the plan, the
    reviews (newest first) and the evaluation."""

    agreements: list[AgreementRecord]
    assessments: list[AssessmentRecord]
    plan: PlanRecord | None
    reviews: list[ReviewRecord]
    evaluation: EvaluationRecord | None
    engagement: list[EngagementRecord]
    """The weekly checks, newest first."""

    @property
    def empty(self) -> bool:
        """Nothing of the process is recorded yet."""
        recorded = self.agreements or self.assessments or self.plan or self.reviews
        return not (recorded or self.engagement) and self.evaluation is None
