"""The weekly engagement check (CONTENT.md §D, monitoring): each worker, on the team's day
(default Friday), rates each open case's engagement with the plan this week – engaged,
partly or not – with one tap, and says whether there was any incident (a line for each).
It feeds the supervisor's /team and the case's history."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.clock import Clock
from bot.domain.buttons import IncidentAnswer, ListPage, Offer, Offers, RateEngagement
from bot.domain.buttons_meetings import ENGAGEMENT_RATINGS
from bot.domain.errors import Refusal
from bot.domain.nudges import monday_of
from bot.domain.paging import Page, page_of, turning_row
from bot.services.access import Person, require_person
from bot.services.cases import changeable_case
from bot.services.flows.replies import Said
from bot.services.local_time import local_today
from bot.services.outgoing import Outgoing
from storage.models import OutboxMessage
from storage.uow import UnitOfWork

SHEET = "engagement"
"""The list name of a check's pages."""
PER_PAGE = 6
"""Cases a page of the check shows (three buttons each, on a phone)."""
WEEKS_OPEN = 2
"""How many weeks back a check can still be answered (a late Monday answer counts)."""


@dataclass(frozen=True)
class SheetLine:
    """One case on the check: its reference and this week's answer, if given."""

    case_id: int
    reference: str
    rating: str | None
    incident: bool | None


@dataclass(frozen=True)
class EngagementSheet:
    """A worker's check for a week, a page at a time."""

    week: date
    page: Page[SheetLine]
    rated: int
    total: int
    incidents: bool | None
    """None until answered; False "no incidents"; True when one was reported."""


async def sheet_for(
    uow: UnitOfWork, worker_id: int, week: date, page: int = 0, stamp: str | None = None
) -> EngagementSheet | None:
    """The check of a worker's open cases for a week (None with no open case)."""
    cases = sorted(await uow.cases.open_for_worker(worker_id), key=lambda c: c.reference)
    if not cases:
        return None
    rows = await uow.engagement.of_week([c.id for c in cases], week)
    lines = [
        SheetLine(
            c.id,
            c.reference,
            rows[c.id].engagement if c.id in rows else None,
            rows[c.id].incident if c.id in rows else None,
        )
        for c in cases
    ]
    answered = [line.incident for line in lines if line.incident is not None]
    return EngagementSheet(
        week=week,
        page=page_of(
            lines, page, keys=[line.case_id for line in lines], stamp=stamp, size=PER_PAGE
        ),
        rated=sum(line.rating is not None for line in lines),
        total=len(lines),
        incidents=None if not answered else any(answered),
    )


def sheet_buttons(sheet: EngagementSheet) -> Offers:
    """Three taps per case, then "Any incident?", then the pages."""
    ordinal = sheet.week.toordinal()
    rows: Offers = [
        [
            Offer(
                RateEngagement(line.case_id, ordinal, rating),
                f"engagement_{rating}",
                {"reference": line.reference, "chosen": line.rating == rating},
            )
            for rating in ENGAGEMENT_RATINGS
        ]
        for line in sheet.page.items
    ]
    rows.append(
        [
            Offer(IncidentAnswer(ordinal, "no"), "engagement_no_incidents"),
            Offer(IncidentAnswer(ordinal, "yes"), "engagement_incident"),
        ]
    )
    turning = turning_row(sheet.page, lambda n: ListPage(SHEET, n, sheet.page.stamp, ordinal))
    return [*rows, turning] if turning else rows


async def compose_engagement_check(
    uow: UnitOfWork, clock: Clock, row: OutboxMessage
) -> Outgoing | None:
    """The week's check, to a worker with open cases (none: nothing to ask)."""
    if row.member_id is None:
        return None
    week = date.fromisoformat(row.key.rsplit(":", 1)[1])
    sheet = await sheet_for(uow, row.member_id, week)
    if sheet is None:
        return None
    return Outgoing("engagement_check", {"sheet": sheet}, sheet_buttons(sheet))


async def _week(uow: UnitOfWork, clock: Clock, person: Person, ordinal: int) -> date:
    """The week a button names, if it can still be answered."""
    today = await local_today(uow, clock, person)
    try:
        week = date.fromordinal(ordinal)
    except (ValueError, OverflowError):
        raise Refusal("already_done") from None
    this_week = monday_of(today)
    if week.weekday() != 0 or not this_week - timedelta(weeks=WEEKS_OPEN) <= week <= this_week:
        raise Refusal("engagement_check_closed")
    return week


async def rate(
    uow: UnitOfWork,
    clock: Clock,
    *,
    telegram_user_id: int,
    case_id: int,
    week: int,
    rating: str,
    page: int = 0,
) -> EngagementSheet:
    """One tap: this week's engagement of a case the person holds."""
    person = await require_person(uow, telegram_user_id)
    case = await changeable_case(uow, person, case_id)
    if case.closed_at is not None or rating not in ENGAGEMENT_RATINGS:
        raise Refusal("already_done")
    monday = await _week(uow, clock, person, week)
    now = clock.now()
    check = await uow.engagement.row(
        team_id=case.team_id, case_id=case.id, worker_id=case.worker_id, week=monday, at=now
    )
    check.engagement, check.updated_at = rating, now
    found = await sheet_for(uow, case.worker_id, monday, page)
    assert found is not None  # the case is open
    return found


async def no_incidents(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, week: int
) -> EngagementSheet:
    """No incident this week on any of the person's cases."""
    person = await require_person(uow, telegram_user_id)
    monday = await _week(uow, clock, person, week)
    now = clock.now()
    cases = await uow.cases.open_for_worker(person.member_id)
    for case in cases:
        await uow.engagement.row(
            team_id=case.team_id, case_id=case.id, worker_id=person.member_id, week=monday, at=now
        )
    await uow.engagement.no_incidents([c.id for c in cases], monday, now)
    found = await sheet_for(uow, person.member_id, monday)
    if found is None:
        raise Refusal("already_done")
    return found


async def sheet_page(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, week: int, page: int, stamp: str
) -> EngagementSheet:
    """Another page of the person's own check."""
    person = await require_person(uow, telegram_user_id)
    monday = await _week(uow, clock, person, week)
    found = await sheet_for(uow, person.member_id, monday, page, stamp or None)
    if found is None:
        raise Refusal("already_done")
    return found


async def record_incident(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of "Report an incident": this week's incident on a case, in a line."""
    case = await changeable_case(uow, person, answers["case"])
    monday = monday_of(await local_today(uow, clock, person))
    now = clock.now()
    check = await uow.engagement.row(
        team_id=case.team_id, case_id=case.id, worker_id=case.worker_id, week=monday, at=now
    )
    check.incident, check.incident_note, check.updated_at = True, answers["what"], now
    return [Said("engagement_incident_saved", {"reference": case.reference})]


@dataclass(frozen=True)
class EngagementFigures:
    """A worker's cases as this week's check rated them (for /team)."""

    engaged: int = 0
    partly: int = 0
    not_engaged: int = 0
    incidents: int = 0

    @property
    def any(self) -> bool:
        """Whether anything was rated or reported."""
        return bool(self.engaged + self.partly + self.not_engaged + self.incidents)


async def worker_figures(uow: UnitOfWork, case_ids: list[int], week: date) -> EngagementFigures:
    """How a worker's cases were rated in a week's check."""
    rows = (await uow.engagement.of_week(case_ids, week)).values()
    counts = Counter(row.engagement for row in rows)
    return EngagementFigures(
        counts["engaged"], counts["partly"], counts["not"], sum(bool(r.incident) for r in rows)
    )
