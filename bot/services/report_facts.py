"""Gathering a report's facts from storage (service layer): one team's cases, visits, stage
changes, plan reviews, flags, checks and counts over a period, in the team's calendar.

Engagement checks and the aims of support plans (issue 22) are not recorded by this
version of Bearings: their facts stay ``None`` and the report says so. Once their tables
exist, ``team_facts`` reads them here into ``EngagementFact`` and ``ClosedAims``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.report_facts import (
    AimScores,
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
from storage.models import Team
from storage.uow import UnitOfWork

STAGE_CHANGED, REVIEW_SET, RESCHEDULED = (
    "case.stage_changed",
    "case.review_set",
    "nudge.rescheduled",
)
REVIEW_LOOKBACK = timedelta(days=366)
"""How far before the period plan review dates are read (a review put off before the period
and held in it is counted from the date it was first set for)."""


def bounds(period: Period, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The period as instants: from the first day's midnight to the midnight after the last."""
    start = datetime.combine(period.start, time.min, tzinfo=zone)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


async def team_facts(uow: UnitOfWork, team: Team, period: Period, today: date) -> ReportFacts:
    """Everything one team's report is worked out from."""
    zone = ZoneInfo(team.timezone)
    start, end = bounds(period, zone)
    cases = [
        CaseFact(
            case_id=row.id,
            worker_id=row.worker_id,
            opened_on=row.opened_at.astimezone(zone).date(),
            closed_on=row.closed_at.astimezone(zone).date() if row.closed_at else None,
            stage_now=row.stage,
            cadence_days=row.cadence_days,
            next_review_on=row.next_review_on,
        )
        for row in await uow.reports.cases(team.id, end)
    ]
    visits = [
        VisitFact(case_id, on, author)
        for case_id, on, author in await uow.reports.visits([c.case_id for c in cases])
    ]
    stage_changes = [
        StageChange(_case_id(row.subject), row.at.astimezone(zone).date(), *_moved(row.detail))
        for row in await uow.reports.audit(team.id, [STAGE_CHANGED], start)
    ]
    review_events = [
        ReviewEvent(
            _case_id(row.subject),
            row.at.astimezone(zone).date(),
            "set" if row.action == REVIEW_SET else "moved",
            _day(row.detail.get("from")),
            _day(row.detail.get("to")),
        )
        for row in await uow.reports.audit(
            team.id, [REVIEW_SET, RESCHEDULED], start - REVIEW_LOOKBACK
        )
        if row.action == REVIEW_SET or row.detail.get("date") == "next_review_on"
    ]
    flags = [
        FlagFact(worker, raised.astimezone(zone), _local(picked, zone), _local(resolved, zone))
        for worker, raised, picked, resolved in await uow.reports.flags(team.id, start, end)
    ]
    stuck = await uow.reports.stuck_walkers(team.id, start, end)
    supervised = await uow.reports.supervised(team.id, period.start, period.end)
    return ReportFacts(
        scope=team.name,
        period=period,
        today=today,
        cases=cases,
        stage_changes=stage_changes,
        visits=visits,
        review_events=review_events,
        flags=flags,
        bearings_people=await uow.reports.bearings_takers(team.id, start, end),
        counts=[
            TrackedCount("stuck_walkthroughs", len(stuck), frozenset(stuck)),
            TrackedCount("supervision_notes", len(supervised), frozenset(supervised)),
        ],
        engagement=[
            EngagementFact(case_id, worker, week, level, incident)
            for case_id, worker, week, level, incident in await uow.reports.engagement(
                team.id, period.start - timedelta(days=period.start.weekday()), period.end
            )
        ],
        closed_aims=await _closed_aims(uow, cases, period),
    )


async def _closed_aims(uow: UnitOfWork, cases: list[CaseFact], period: Period) -> list[ClosedAims]:
    """The aims of the cases closed in the period, each scored at the plan's start and at
    closing (an aim without both scores is left out)."""
    found = []
    for case in cases:
        if case.closed_on is None or not period.start <= case.closed_on <= period.end:
            continue
        plan = await uow.process.plan(case.case_id)
        aims = await uow.process.aims(plan.id) if plan else []
        scored = tuple(
            AimScores(int(aim.start_score), int(aim.end_score))
            for aim in aims
            if aim.start_score is not None and aim.end_score is not None
        )
        if scored:
            found.append(ClosedAims(case.case_id, case.worker_id, scored))
    return found


def combined(parts: list[ReportFacts], scope: str, period: Period, today: date) -> ReportFacts:
    """Several teams' facts as one organisation's (ids are the database's, unique across
    teams; counts of the same kind are added up)."""
    counts: dict[str, TrackedCount] = {}
    for part in parts:
        for count in part.counts:
            before = counts.get(count.key, TrackedCount(count.key, 0))
            counts[count.key] = TrackedCount(
                count.key, before.value + count.value, before.contributors | count.contributors
            )
    return ReportFacts(
        scope=scope,
        period=period,
        today=today,
        cases=[c for p in parts for c in p.cases],
        stage_changes=[c for p in parts for c in p.stage_changes],
        visits=[v for p in parts for v in p.visits],
        review_events=[e for p in parts for e in p.review_events],
        flags=[f for p in parts for f in p.flags],
        bearings_people=[b for p in parts for b in p.bearings_people],
        counts=list(counts.values()),
        engagement=[e for p in parts for e in (p.engagement or [])],
        closed_aims=[a for p in parts for a in (p.closed_aims or [])],
        teams=len(parts),
    )


def _case_id(subject: str) -> int:
    return int(subject.removeprefix("case:"))


def _moved(detail: dict[str, Any]) -> tuple[str, str]:
    return str(detail.get("from")), str(detail.get("to"))


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value != "None" else None


def _local(instant: datetime | None, zone: ZoneInfo) -> datetime | None:
    return instant.astimezone(zone) if instant is not None else None
