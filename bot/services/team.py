"""/team: a supervisor's one-screen overview of their workers, the team's flag figures, and
the team as a picture."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot import report_charts
from bot.clock import Clock
from bot.domain.cases import visit_state
from bot.domain.flags import FlagFigures, flag_figures
from bot.domain.nudges import monday_of
from bot.domain.paging import Page, page_of
from bot.domain.roles import Role
from bot.services.access import require_supervisor
from bot.services.engagement import EngagementFigures, worker_figures
from bot.services.local_time import local_today
from prompts import label
from storage.uow import UnitOfWork

FIGURES_PERIOD = timedelta(weeks=4)
REVIEW_HORIZON = timedelta(days=7)


@dataclass(frozen=True)
class WorkerRow:
    """One worker's line in /team."""

    member_id: int
    name: str
    cases: int
    visits_overdue: int
    reviews_due: int
    open_flags: int
    actions_overdue: int
    last_bearings: date | None
    engagement: EngagementFigures = field(default_factory=EngagementFigures)
    """This week's engagement check (last week's until this week's is answered)."""


@dataclass(frozen=True)
class TeamOverview:
    """The team at a glance, and its flags over the last four weeks."""

    team_name: str
    rows: list[WorkerRow]
    figures: FlagFigures
    page: Page[WorkerRow]


async def team_overview(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, page: int = 0, stamp: str | None = None
) -> TeamOverview:
    """A page of workers; per worker: cases, visits overdue, reviews due in 7 days, open
    flags, actions overdue, last bearings check (its date only: the check stays private)."""
    person = await require_supervisor(uow, telegram_user_id)
    today = await local_today(uow, clock, person)
    rows = []
    for worker in await uow.members.of_team(person.team_id, role=Role.WORKER.value):
        cases = await uow.cases.open_for_worker(worker.id)
        actions = await uow.actions.open_for_owner(worker.id)
        checks = await uow.bearings.for_member(worker.id, limit=1)
        rows.append(
            WorkerRow(
                member_id=worker.id,
                name=worker.display_name,
                cases=len(cases),
                visits_overdue=sum(
                    visit_state(case.next_visit_due, today) == "overdue" for case in cases
                ),
                reviews_due=sum(
                    case.next_review_on is not None
                    and today <= case.next_review_on <= today + REVIEW_HORIZON
                    for case in cases
                ),
                open_flags=len(await uow.flags.open_for_worker(worker.id)),
                actions_overdue=sum(action.due_on < today for action in actions),
                last_bearings=checks[0].taken_at.date() if checks else None,
                engagement=await _latest_engagement(uow, [c.id for c in cases], today),
            )
        )
    rows.sort(key=lambda row: (row.name.casefold(), row.member_id))
    return TeamOverview(
        team_name=person.team_name,
        rows=rows,
        figures=await team_flag_figures(uow, clock, person.team_id),
        page=page_of(rows, page, keys=[row.member_id for row in rows], stamp=stamp),
    )


async def _latest_engagement(
    uow: UnitOfWork, case_ids: list[int], today: date
) -> EngagementFigures:
    """This week's check, or last week's until this week's is answered."""
    week = monday_of(today)
    figures = await worker_figures(uow, case_ids, week)
    return figures if figures.any else await worker_figures(uow, case_ids, week - timedelta(7))


async def team_flag_figures(uow: UnitOfWork, clock: Clock, team_id: int) -> FlagFigures:
    """Flags raised in the last four weeks: how many, time to pick-up, how many escalated."""
    flags = await uow.flags.raised_since(team_id, clock.now() - FIGURES_PERIOD)
    return flag_figures([(f.raised_at, f.handled_at, f.escalated_at is not None) for f in flags])


@dataclass(frozen=True)
class TeamPicture:
    """The team as a bar chart: per worker, cases, visits overdue and open flags."""

    team_name: str
    png: bytes


async def team_picture(uow: UnitOfWork, clock: Clock, *, telegram_user_id: int) -> TeamPicture:
    """The team as a picture, for its supervisors only (decided now, from the database), and
    audited. Per worker, as in /team: cases, visits overdue, open flags; never anything of
    their bearings checks."""
    overview = await team_overview(uow, clock, telegram_user_id=telegram_user_id)
    person = await require_supervisor(uow, telegram_user_id)
    await uow.audit.record(
        at=clock.now(),
        action="team.picture_read",
        subject=f"team:{person.team_id}",
        team_id=person.team_id,
        actor_id=person.member_id,
    )
    rows = [(row.name, (row.cases, row.visits_overdue, row.open_flags)) for row in overview.rows]
    legend = [label(f"team_picture_{key}") for key in ("cases", "overdue", "flags")]
    png = await asyncio.to_thread(report_charts.team_png, label("team_picture_title"), legend, rows)
    return TeamPicture(overview.team_name, png)
