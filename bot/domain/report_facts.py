"""What a team or organisation report is worked out from: plain facts, no I/O.

The service gathers these from storage (bot/services/reports.py); the figures are
worked out from them by ``bot.domain.report_figures``. Every fact carries the id of
the worker it belongs to, only so the privacy rule (``report_privacy``) can count
the people behind a figure: no fact carries a name, a case reference or any text.

Two kinds of fact come from the key-worker process (issue 22): the Friday
engagement checks and the aims of a support plan scored 0–10 at its start and at
closing. Their sections take lists of these plain values; ``None`` means this
version of Bearings does not record them, which the report says instead of a figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class Period:
    """The days a report covers, both included, in the team's own calendar."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a report's period ends before it starts")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def week_ends(self) -> list[date]:
        """The days the caseload is counted on: the period's last day and every seventh day
        before it, back to the first (oldest first)."""
        days, day = [], self.end
        while day >= self.start:
            days.append(day)
            day -= timedelta(days=7)
        return days[::-1]


@dataclass(frozen=True)
class CaseFact:
    """A case: when it opened (and closed), its stage and visit cadence now."""

    case_id: int
    worker_id: int
    opened_on: date
    closed_on: date | None
    stage_now: str
    cadence_days: int
    next_review_on: date | None = None


@dataclass(frozen=True)
class StageChange:
    """A case moved from one stage to another on a day."""

    case_id: int
    on: date
    before: str
    after: str


@dataclass(frozen=True)
class VisitFact:
    """A visit made to a case on a day, and by whom."""

    case_id: int
    on: date
    worker_id: int


@dataclass(frozen=True)
class ReviewEvent:
    """A case's next plan review date changed on a day: ``set`` when someone recorded the
    next date after a review (or set the first), ``moved`` when a reminder was put off."""

    case_id: int
    on: date
    kind: str
    before: date | None
    after: date | None


@dataclass(frozen=True)
class FlagFact:
    """A flag raised to the supervisors, and when it was picked up and resolved (instants in
    the team's time zone, so that their dates are the team's days)."""

    worker_id: int
    raised_at: datetime
    picked_up_at: datetime | None
    resolved_at: datetime | None


@dataclass(frozen=True)
class EngagementFact:
    """One Friday engagement check of a case (issue 22): how engaged the family was that
    week (``engaged``, ``partly``, ``not``) and whether there was an incident."""

    case_id: int
    worker_id: int
    week: date
    level: str
    incident: bool


@dataclass(frozen=True)
class AimScores:
    """One aim of a support plan: its score (0–10) at the start and at closing."""

    start: int
    end: int


@dataclass(frozen=True)
class ClosedAims:
    """The aims of a case closed in the period (issue 22)."""

    case_id: int
    worker_id: int
    aims: tuple[AimScores, ...]


@dataclass(frozen=True)
class TrackedCount:
    """A count the team tracks (cases opened, flags raised, incidents reported, ...), with
    the workers behind it."""

    key: str
    value: int
    contributors: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ReportFacts:
    """Everything one report is worked out from."""

    scope: str
    """The team's name, or the organisation's words for every team."""
    period: Period
    today: date
    cases: Sequence[CaseFact] = ()
    stage_changes: Sequence[StageChange] = ()
    visits: Sequence[VisitFact] = ()
    review_events: Sequence[ReviewEvent] = ()
    flags: Sequence[FlagFact] = ()
    bearings_people: Sequence[int] = ()
    """Who took a bearings check in the period (one id per check)."""
    counts: Sequence[TrackedCount] = ()
    engagement: Sequence[EngagementFact] | None = None
    closed_aims: Sequence[ClosedAims] | None = None
    teams: int = 1
    """How many teams the facts come from (an organisation report sums several)."""
