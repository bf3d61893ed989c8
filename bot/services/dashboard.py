"""The supervisor's dashboard (the Mini App): the team's caseload, open flags, what falls due
this week and each worker's line from /team, as plain data; every read audited.

Access is decided here, from the database, at the moment of each request: only an active
supervisor sees their own team. The Mini App's signature proves who is asking, not what
they may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.clock import Clock
from bot.domain.case_links import case_link_token, linked_case
from bot.domain.cases import STAGE_LABELS, Stage, visit_state
from bot.domain.errors import Refusal
from bot.services import team
from bot.services.access import Person, find_person, member_name, require_person
from bot.services.cases import CaseCard, case_card
from bot.services.local_time import local_today
from storage.uow import UnitOfWork

AUDIT_READ = "dashboard.read"
AUDIT_REFUSED = "dashboard.refused"


@dataclass(frozen=True)
class CaseRow:
    """One open case in the table; ``link`` opens it in the chat and says nothing of it."""

    reference: str
    worker: str
    stage: str
    stage_label: str
    next_visit: date | None
    visit_state: str
    next_review: date | None
    open_flags: int
    link: str
    engagement: str | None = None
    """The latest weekly check (this week's, else last week's): engaged, partly or not."""


@dataclass(frozen=True)
class FlagRow:
    """One open flag: its case, worker, urgency, state and age in hours."""

    reference: str | None
    worker: str
    urgency: str
    state: str
    raised_at: datetime
    age_hours: int


@dataclass(frozen=True)
class DueItem:
    """A visit or a plan review falling due this week (Monday to Sunday)."""

    kind: str
    on: date
    reference: str
    worker: str
    overdue: bool


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows, for one supervisor at one moment."""

    team_name: str
    today: date
    week_start: date
    week_end: date
    cases: list[CaseRow]
    flags: list[FlagRow]
    due: list[DueItem]
    workers: list[team.WorkerRow]
    stages: list[tuple[str, str]]


async def team_dashboard(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, link_key: bytes
) -> Dashboard:
    """The supervisor's team at a glance; anyone else is refused. Audited."""
    overview = await team.team_overview(uow, clock, telegram_user_id=telegram_user_id)
    person = await require_person(uow, telegram_user_id)
    today = await local_today(uow, clock, person)
    now = clock.now()
    names = {
        m.id: member_name(m) for m in await uow.members.of_team(person.team_id, active_only=False)
    }
    open_cases = await uow.cases.open_for_team(person.team_id)
    references = {case.id: case.reference for case in open_cases}
    flags = await uow.flags.open_for_team(person.team_id)
    flags_per_case: dict[int, int] = {}
    for flag in flags:
        if flag.case_id is not None:
            flags_per_case[flag.case_id] = flags_per_case.get(flag.case_id, 0) + 1
            if flag.case_id not in references:
                closed = await uow.cases.get(flag.case_id)
                references[flag.case_id] = closed.reference if closed else ""
    week_start = today - timedelta(days=today.weekday())
    week_end = week_start + timedelta(days=6)
    ids = [case.id for case in open_cases]
    last_week = await uow.engagement.of_week(ids, week_start - timedelta(days=7))
    this_week = await uow.engagement.of_week(ids, week_start)
    engagement = {
        case_id: check.engagement
        for weekly in (last_week, this_week)
        for case_id, check in weekly.items()
        if check.engagement
    }
    rows, due = [], []
    for case in open_cases:
        worker = names.get(case.worker_id, "")
        rows.append(
            CaseRow(
                reference=case.reference,
                worker=worker,
                stage=case.stage,
                stage_label=_stage_label(case.stage),
                next_visit=case.next_visit_due,
                visit_state=visit_state(case.next_visit_due, today),
                next_review=case.next_review_on,
                open_flags=flags_per_case.get(case.id, 0),
                link=case_link_token(link_key, member_id=person.member_id, case_id=case.id, at=now),
                engagement=engagement.get(case.id),
            )
        )
        for kind, on in (("visit", case.next_visit_due), ("review", case.next_review_on)):
            if on is not None and week_start <= on <= week_end:
                due.append(DueItem(kind, on, case.reference, worker, on < today))
    due.sort(key=lambda item: (item.on, item.kind, item.reference))
    await uow.audit.record(
        at=now,
        action=AUDIT_READ,
        subject=f"team:{person.team_id}",
        team_id=person.team_id,
        actor_id=person.member_id,
        detail={"cases": len(rows), "flags": len(flags)},
    )
    return Dashboard(
        team_name=person.team_name,
        today=today,
        week_start=week_start,
        week_end=week_end,
        cases=rows,
        flags=[
            FlagRow(
                reference=references.get(flag.case_id) if flag.case_id is not None else None,
                worker=names.get(flag.worker_id, ""),
                urgency=flag.urgency,
                state=flag.state,
                raised_at=flag.raised_at,
                age_hours=max(0, int((now - flag.raised_at).total_seconds() // 3600)),
            )
            for flag in flags
        ],
        due=due,
        workers=overview.rows,
        stages=[(stage.value, STAGE_LABELS[stage]) for stage in Stage],
    )


async def record_refused(uow: UnitOfWork, clock: Clock, *, telegram_user_id: int) -> None:
    """Audit a dashboard request that was refused (a worker, another team's former member,
    a stranger): who, if Bearings knows them, and that it was refused; never what was asked."""
    person: Person | None = await find_person(uow, telegram_user_id)
    await uow.audit.record(
        at=clock.now(),
        action=AUDIT_REFUSED,
        subject=f"member:{person.member_id}" if person else "stranger",
        team_id=person.team_id if person else None,
        actor_id=person.member_id if person else None,
    )


async def open_case_link(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, token: str, link_key: bytes
) -> CaseCard:
    """The case a dashboard link names, if it was made for this person in the last hour or
    two and they may still read the case; anything else is refused as an old link."""
    person = await require_person(uow, telegram_user_id)
    if person.is_supervisor:
        candidates = await uow.cases.open_for_team(person.team_id)
    else:
        candidates = await uow.cases.open_for_worker(person.member_id)
    case_id = linked_case(
        link_key,
        token,
        member_id=person.member_id,
        case_ids=[case.id for case in candidates],
        now=clock.now(),
    )
    if case_id is None:
        raise Refusal("case_link_stale")
    return await case_card(uow, clock, telegram_user_id=telegram_user_id, case_id=case_id)


def _stage_label(stage: str) -> str:
    try:
        return STAGE_LABELS[Stage(stage)]
    except ValueError:
        return stage
