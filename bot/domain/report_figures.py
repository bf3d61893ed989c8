"""A report's figures, worked out from its facts (``report_facts``): plain functions, no I/O.

Each figure is guarded by the privacy rule (``report_privacy``) with the workers behind
it. The definitions, and what is approximated, are in docs/reports.md.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.cases import Stage
from bot.domain.report_facts import (
    CaseFact,
    ClosedAims,
    EngagementFact,
    FlagFact,
    Period,
    ReportFacts,
    ReviewEvent,
    StageChange,
    TrackedCount,
    VisitFact,
)
from bot.domain.report_privacy import Figure, guarded

LEVELS = ("engaged", "partly", "not")
"""The answers of a weekly engagement check, best first."""


@dataclass(frozen=True)
class OnTime:
    """Of the occasions due in the period (visits, plan reviews), how many were on time."""

    on_time: int
    due: int

    @property
    def percent(self) -> int:
        """On time as a whole percentage, halves rounded up (4 of 6 is 67)."""
        return math.floor(100 * self.on_time / self.due + 0.5)


@dataclass(frozen=True)
class Spread:
    """How long something took: how many, the median and the 90th percentile."""

    count: int
    median: timedelta
    p90: timedelta


@dataclass(frozen=True)
class Caseload:
    """Open cases by stage on each counting day: ``counts[i][j]`` is the number of cases in
    ``stages[j]`` at the end of ``days[i]``."""

    days: tuple[date, ...]
    stages: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    def total(self, index: int) -> int:
        """Open cases on the ``index``-th counting day."""
        return sum(self.counts[index])


@dataclass(frozen=True)
class Engagement:
    """The weekly engagement checks of the period, summed."""

    checks: int
    cases: int
    engaged: int
    partly: int
    not_engaged: int
    incidents: int

    @property
    def percent_engaged(self) -> int:
        """Checks that found the family engaged, as a whole percentage."""
        return OnTime(self.engaged, self.checks).percent


@dataclass(frozen=True)
class AimsChange:
    """The aims of the cases closed in the period: their scores at the start and at closing."""

    cases: int
    aims: int
    mean_start: float
    mean_end: float
    improved: int
    """Cases whose aims scored higher on average at closing than at the start."""

    @property
    def mean_change(self) -> float:
        """The average change of an aim's score, start to closing."""
        return round(self.mean_end - self.mean_start, 1)


@dataclass(frozen=True)
class BearingsTaken:
    """Keeping-your-bearings checks taken in the period, and by how many people."""

    checks: int
    people: int


@dataclass(frozen=True)
class ReportFigures:
    """Every figure of one report, each shown or withheld."""

    scope: str
    period: Period
    teams: int
    caseload: Figure[Caseload]
    visits: Figure[OnTime]
    reviews: Figure[OnTime]
    pick_up: Figure[Spread]
    resolution: Figure[Spread]
    engagement: Figure[Engagement]
    aims: Figure[AimsChange]
    bearings: Figure[BearingsTaken]
    counts: tuple[tuple[str, Figure[int]], ...]


def figures(facts: ReportFacts) -> ReportFigures:
    """All the figures of a report."""
    period = facts.period
    flags = [f for f in facts.flags if f.raised_at.date() in period]
    return ReportFigures(
        scope=facts.scope,
        period=period,
        teams=facts.teams,
        caseload=caseload(facts.cases, facts.stage_changes, period),
        visits=visits_on_time(facts.cases, facts.visits, period),
        reviews=reviews_on_time(facts.cases, facts.review_events, period),
        pick_up=spread(
            [(f.worker_id, f.picked_up_at - f.raised_at) for f in flags if f.picked_up_at]
        ),
        resolution=spread(
            [(f.worker_id, f.resolved_at - f.raised_at) for f in flags if f.resolved_at]
        ),
        engagement=engagement(facts.engagement, period),
        aims=aims_change(facts.closed_aims),
        bearings=guarded(
            BearingsTaken(len(facts.bearings_people), len(set(facts.bearings_people))),
            facts.bearings_people,
            bearings=True,
        ),
        counts=tracked_counts(facts, flags),
    )


# --- caseload by stage ------------------------------------------------------------------


def stage_on(case: CaseFact, changes: Sequence[StageChange], day: date) -> str:
    """A case's stage at the end of ``day``: the stage it left in its first change after
    that day, or, with no change since, the stage it is in now (``changes``: this case's,
    oldest first)."""
    for change in changes:
        if change.on > day:
            return change.before
    return case.stage_now


def caseload(
    cases: Sequence[CaseFact], changes: Sequence[StageChange], period: Period
) -> Figure[Caseload]:
    """Open cases by stage at the end of each week of the period."""
    by_case: dict[int, list[StageChange]] = defaultdict(list)
    for change in sorted(changes, key=lambda c: c.on):
        by_case[change.case_id].append(change)
    days = period.week_ends()
    rows: list[Counter[str]] = []
    workers: set[int] = set()
    for day in days:
        row: Counter[str] = Counter()
        for case in cases:
            if case.opened_on <= day and (case.closed_on is None or case.closed_on > day):
                row[stage_on(case, by_case[case.case_id], day)] += 1
                workers.add(case.worker_id)
        rows.append(row)
    seen = {stage for row in rows for stage in row}
    if not seen:
        return Figure()
    stages = tuple(sorted(seen, key=_stage_order))
    counts = tuple(tuple(row[stage] for stage in stages) for row in rows)
    return guarded(Caseload(tuple(days), stages, counts), workers)


def _stage_order(stage: str) -> tuple[int, str]:
    known = [s.value for s in Stage]
    return (known.index(stage), "") if stage in known else (len(known), stage)


# --- visits and plan reviews on time ------------------------------------------------------


def visits_on_time(
    cases: Sequence[CaseFact], visits: Sequence[VisitFact], period: Period
) -> Figure[OnTime]:
    """Visits due in the period made on time.

    A case's first visit is due ``cadence_days`` after it opened, each next one
    ``cadence_days`` after the visit before. A due visit is on time when a visit came on
    or before its due day; late when it came later, or had not come by the period's end
    (the end itself still counts as in time). A case closed before a visit fell due owes
    none.
    """
    by_case: dict[int, list[VisitFact]] = defaultdict(list)
    for fact in sorted(visits, key=lambda v: v.on):
        by_case[fact.case_id].append(fact)
    on_time = due_count = 0
    workers: set[int] = set()
    for case in cases:
        cadence = timedelta(days=max(1, case.cadence_days))
        made = [v for v in by_case[case.case_id] if v.on >= case.opened_on]
        anchor, index = case.opened_on, 0
        while True:
            due = anchor + cadence
            if due > period.end or (case.closed_on is not None and due >= case.closed_on):
                break
            visit = made[index] if index < len(made) else None
            if visit is None and due >= period.end:
                break  # not yet late
            if due >= period.start:
                due_count += 1
                on_time += visit is not None and visit.on <= due
                workers.add(visit.worker_id if visit is not None else case.worker_id)
            if visit is None:
                break
            anchor, index = visit.on, index + 1
    return guarded(OnTime(on_time, due_count) if due_count else None, workers)


def reviews_on_time(
    cases: Sequence[CaseFact], events: Sequence[ReviewEvent], period: Period
) -> Figure[OnTime]:
    """Plan reviews due in the period held on time.

    A review counts as held on the day the next review date was recorded after it (a
    case's first review date records no review). It was due on the date it was set for,
    before any reminder put it off; on time when held on or before that day. A review
    due before the period's end and not held by then (nor the case closed first) is late.
    """
    by_case: dict[int, list[ReviewEvent]] = defaultdict(list)
    for event in sorted(events, key=lambda e: e.on):
        by_case[event.case_id].append(event)
    on_time = due_count = 0
    workers: set[int] = set()

    def count(due: date, held: date | None, worker: int) -> None:
        nonlocal on_time, due_count
        if due in period and (held is not None or due < period.end):
            due_count += 1
            on_time += held is not None and held <= due
            workers.add(worker)

    for case in cases:
        first_due: date | None = None
        for event in by_case[case.case_id]:
            if event.kind == "moved":
                first_due = first_due or event.before
            elif event.before is not None:
                count(first_due or event.before, event.on, case.worker_id)
                first_due = None
        pending = first_due or case.next_review_on
        if pending is not None and (case.closed_on is None or case.closed_on > pending):
            count(pending, None, case.worker_id)
    return guarded(OnTime(on_time, due_count) if due_count else None, workers)


# --- flags ---------------------------------------------------------------------------------


def percentile(values: Sequence[timedelta], share: float) -> timedelta:
    """The ``share`` percentile of the values by linear interpolation between the two
    nearest ranks (a spreadsheet's PERCENTILE.INC): 1, 2, 5 and 10 hours have a median of
    3.5 hours and a 90th percentile of 8.5."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = share * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def spread(times: Sequence[tuple[int, timedelta]]) -> Figure[Spread]:
    """How long the (worker, time taken) took: median and 90th percentile."""
    if not times:
        return Figure()
    values = [took for _, took in times]
    return guarded(
        Spread(len(values), percentile(values, 0.5), percentile(values, 0.9)),
        [worker for worker, _ in times],
    )


# --- what issue 22's process records ---------------------------------------------------------


def engagement(checks: Sequence[EngagementFact] | None, period: Period) -> Figure[Engagement]:
    """The period's weekly engagement checks, summed (not recorded: said so)."""
    if checks is None:
        return Figure(not_recorded=True)
    within = [c for c in checks if c.week in period]
    if not within:
        return Figure()
    levels = Counter(c.level for c in within)
    summary = Engagement(
        checks=len(within),
        cases=len({c.case_id for c in within}),
        engaged=levels["engaged"],
        partly=levels["partly"],
        not_engaged=levels["not"],
        incidents=sum(c.incident for c in within),
    )
    return guarded(summary, [c.worker_id for c in within])


def aims_change(closed: Sequence[ClosedAims] | None) -> Figure[AimsChange]:
    """How the aims of the cases closed in the period moved, start to closing."""
    if closed is None:
        return Figure(not_recorded=True)
    scored = [c for c in closed if c.aims]
    if not scored:
        return Figure()
    aims = [aim for case in scored for aim in case.aims]
    improved = sum(sum(a.end - a.start for a in case.aims) > 0 for case in scored)
    change = AimsChange(
        cases=len(scored),
        aims=len(aims),
        mean_start=round(sum(a.start for a in aims) / len(aims), 1),
        mean_end=round(sum(a.end for a in aims) / len(aims), 1),
        improved=improved,
    )
    return guarded(change, [c.worker_id for c in scored])


# --- counts ----------------------------------------------------------------------------------


def tracked_counts(
    facts: ReportFacts, flags: Sequence[FlagFact]
) -> tuple[tuple[str, Figure[int]], ...]:
    """The counts the team tracks: cases opened and closed, visits made, flags raised,
    incidents reported (when engagement checks are recorded), then the service's own."""
    period = facts.period
    opened = [c for c in facts.cases if c.opened_on in period]
    closed = [c for c in facts.cases if c.closed_on is not None and c.closed_on in period]
    visits = [v for v in facts.visits if v.on in period]
    counts = [
        TrackedCount("cases_opened", len(opened), frozenset(c.worker_id for c in opened)),
        TrackedCount("cases_closed", len(closed), frozenset(c.worker_id for c in closed)),
        TrackedCount("visits_made", len(visits), frozenset(v.worker_id for v in visits)),
        TrackedCount("flags_raised", len(flags), frozenset(f.worker_id for f in flags)),
    ]
    if facts.engagement is not None:
        incidents = [c for c in facts.engagement if c.week in period and c.incident]
        counts.append(
            TrackedCount(
                "incidents_reported", len(incidents), frozenset(c.worker_id for c in incidents)
            )
        )
    counts += facts.counts
    return tuple((c.key, guarded(c.value, c.contributors)) for c in counts)
