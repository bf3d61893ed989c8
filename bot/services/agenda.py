"""The supervision agenda: what a worker brings to their next supervision.

Kept items (flags for "next supervision", stuck walk-throughs kept for it,
bearings tilted twice running, or strongly once) plus what the data says: actions overdue and
plan reviews due before the next supervision. A supervision note offers to
tick off the kept items it covered. Workers see their own; supervisors any
worker of their team; a bearings check's details only if the worker shared it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.clock import Clock
from bot.domain import bearings as bearings_rules
from bot.domain.buttons import ALL_ITEMS, AgendaTick, Offer
from bot.domain.errors import Refusal
from bot.domain.paging import Page, page_of
from bot.domain.roles import Role
from bot.services.access import Person, require_person, require_supervisor
from bot.services.actions import ActionLine, open_action_lines
from bot.services.bearings import names as bearings_names
from bot.services.flows.replies import Said
from bot.services.local_time import local_today
from storage.models import AgendaItem, Member
from storage.repositories.agenda import TEAM_MEETING
from storage.uow import UnitOfWork

DEFAULT_HORIZON = timedelta(days=14)
"""How far ahead "before the next supervision" looks when no date is set."""


@dataclass(frozen=True)
class AgendaEntry:
    """A kept item, as the agenda shows it."""

    id: int
    kind: str
    reference: str | None
    text: str
    detail: list[str]


@dataclass(frozen=True)
class Agenda:
    """One worker's supervision agenda (and what they brought to the team meeting)."""

    worker_id: int
    worker_name: str
    entries: list[AgendaEntry]
    team_meeting: list[AgendaEntry]
    overdue_actions: list[ActionLine]
    reviews_due: list[tuple[str, date]]
    until: date
    own: bool

    @property
    def lines(self) -> list[AgendaLine]:
        """Every line, in the order the pages show them (see ``agenda_lines``)."""
        return agenda_lines(self)


@dataclass(frozen=True)
class AgendaLine:
    """One line of an agenda, in its section: a kept item (numbered as ticked off), an
    action overdue, or a plan review due."""

    section: str
    number: int
    entry: AgendaEntry | None = None
    """A kept item, in the ``kept`` section (for supervision) or ``team`` (the meeting's)."""
    action: ActionLine | None = None
    review: tuple[str, date] | None = None


AGENDA_PAGE = 10
"""Lines of an agenda a page shows (a big caseload's agenda runs to many)."""


def agenda_lines(shown: Agenda) -> list[AgendaLine]:
    """The agenda as one list: kept items, then actions overdue, then reviews due, then what
    is waiting for the team meeting."""
    return [
        *(AgendaLine("kept", n, entry=e) for n, e in enumerate(shown.entries, 1)),
        *(AgendaLine("actions", n, action=a) for n, a in enumerate(shown.overdue_actions, 1)),
        *(AgendaLine("reviews", n, review=r) for n, r in enumerate(shown.reviews_due, 1)),
        *(AgendaLine("team", n, entry=e) for n, e in enumerate(shown.team_meeting, 1)),
    ]


def agenda_page(shown: Agenda, page: int = 0, stamp: str | None = None) -> Page[AgendaLine]:
    """A page of the agenda, in the same order on every page."""
    lines = shown.lines
    keys = [(line.section, line.number, line.entry.id if line.entry else None) for line in lines]
    return page_of(lines, page, keys=keys, stamp=stamp, size=AGENDA_PAGE)


@dataclass(frozen=True)
class WorkerLine:
    """A worker in a supervisor's /agenda list, with how much is waiting."""

    member_id: int
    name: str
    waiting: int


async def agenda(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, worker_id: int | None = None
) -> Agenda:
    """A worker's agenda: one's own, or (supervisors) a worker of the team."""
    person = await require_person(uow, telegram_user_id)
    return await agenda_for(uow, clock, person, worker_id)


async def agenda_for(
    uow: UnitOfWork, clock: Clock, person: Person, worker_id: int | None = None
) -> Agenda:
    """The agenda of ``worker_id`` (default: the person's own), as this person may see it."""
    worker = await _worker(uow, person, worker_id)
    today = await local_today(uow, clock, person)
    until = await next_supervision_on(uow, worker.id, today)
    entries = [
        await _entry(uow, item, shows_private=worker.id == person.member_id)
        for item in await uow.agenda.open_for_worker(worker.id)
    ]
    team_meeting = [
        await _entry(uow, item, shows_private=False)
        for item in await uow.agenda.open_for_team_meeting(worker.team_id, worker.id)
    ]
    overdue = [a for a in await open_action_lines(uow, worker.id, today) if a.overdue]
    reviews = [
        (case.reference, case.next_review_on)
        for case in await uow.cases.open_for_worker(worker.id)
        if case.next_review_on is not None and case.next_review_on <= until
    ]
    return Agenda(
        worker_id=worker.id,
        worker_name=worker.display_name,
        entries=[entry for entry in entries if entry is not None],
        team_meeting=[entry for entry in team_meeting if entry is not None],
        overdue_actions=overdue,
        reviews_due=sorted(reviews, key=lambda pair: pair[1]),
        until=until,
        own=worker.id == person.member_id,
    )


async def team_agendas(uow: UnitOfWork, clock: Clock, *, telegram_user_id: int) -> list[WorkerLine]:
    """A supervisor's /agenda: the team's workers and how many kept items each has waiting."""
    person = await require_supervisor(uow, telegram_user_id)
    workers = await uow.members.of_team(person.team_id, role=Role.WORKER.value)
    return [
        WorkerLine(w.id, w.display_name, len(await uow.agenda.open_for_worker(w.id)))
        for w in sorted(workers, key=lambda w: w.display_name)
    ]


async def team_agendas_page(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, page: int = 0, stamp: str | None = None
) -> Page[WorkerLine]:
    """A page of the supervisor's list of workers' agendas."""
    lines = await team_agendas(uow, clock, telegram_user_id=telegram_user_id)
    return page_of(lines, page, keys=[line.member_id for line in lines], stamp=stamp)


@dataclass(frozen=True)
class TeamMeeting:
    """What workers brought to the team's next meeting (stuck walk-throughs where they did
    not get all they needed), oldest first, with who brought each."""

    items: list[tuple[AgendaEntry, str]]
    """The oldest few (``TEAM_MEETING_SHOWN``)."""
    more: int
    """How many others are waiting."""
    upto: int
    """The newest item shown: "discussed" covers it and those before, not any added since."""


TEAM_MEETING_SHOWN = 10
"""Items a supervisor's /agenda lists for the team meeting (the rest are counted)."""


async def team_meeting(uow: UnitOfWork, clock: Clock, *, telegram_user_id: int) -> TeamMeeting:
    """A supervisor's view of the team meeting's agenda."""
    person = await require_supervisor(uow, telegram_user_id)
    items = await uow.agenda.open_for_team_meeting(person.team_id)
    names = {m.id: m.display_name for m in await uow.members.of_team(person.team_id)}
    shown = [
        (entry, names.get(item.worker_id, ""))
        for item in items
        if (entry := await _entry(uow, item, shows_private=False)) is not None
    ]
    return TeamMeeting(
        shown[:TEAM_MEETING_SHOWN],
        max(len(shown) - TEAM_MEETING_SHOWN, 0),
        max((item.id for item in items), default=0),
    )


async def team_meeting_discussed(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, upto: int
) -> int:
    """A supervisor marks the team meeting's items (up to the newest they saw) discussed;
    how many were."""
    person = await require_supervisor(uow, telegram_user_id)
    now = clock.now()
    items = [i for i in await uow.agenda.open_for_team_meeting(person.team_id) if i.id <= upto]
    for item in items:
        item.covered_at = now
    if items:
        await uow.audit.record(
            at=now,
            action="agenda.team_meeting_discussed",
            subject=f"team:{person.team_id}",
            team_id=person.team_id,
            actor_id=person.member_id,
            detail={"items": len(items)},
        )
    return len(items)


async def worker_named(uow: UnitOfWork, *, telegram_user_id: int, name: str) -> int:
    """``/agenda Alex``: the team's worker whose name starts with this (supervisors only)."""
    person = await require_supervisor(uow, telegram_user_id)
    wanted = name.strip().casefold()
    workers = await uow.members.of_team(person.team_id, role=Role.WORKER.value)
    found = [w for w in workers if w.display_name.casefold().startswith(wanted)]
    if len(found) != 1:
        raise Refusal("agenda_worker_unknown", name=name.strip())
    return found[0].id


def tick_off_offer(agenda_: Agenda, note_id: int) -> Said | None:
    """After a supervision note: offer to tick off the kept items it covered."""
    if not agenda_.entries:
        return None
    buttons = [
        [Offer(AgendaTick(str(entry.id), note_id), "agenda_tick", {"number": n})]
        for n, entry in enumerate(agenda_.entries, start=1)
    ]
    buttons.append([Offer(AgendaTick(ALL_ITEMS, note_id), "agenda_tick_all")])
    return Said("agenda_tick_offer", {"agenda": agenda_}, buttons)


async def tick_off(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, entry_id: int | None, note_id: int
) -> Agenda:
    """Mark kept items covered by a supervision note (one, or all of them: ``entry_id`` None)."""
    person = await require_person(uow, telegram_user_id)
    note = await uow.notes.supervision(note_id)
    if note is None or note.team_id != person.team_id:
        raise Refusal("already_done")
    worker = await _worker(uow, person, note.worker_id)
    items = await uow.agenda.open_for_worker(worker.id)
    chosen = items if entry_id is None else [i for i in items if i.id == entry_id]
    if not chosen:
        raise Refusal("already_done")
    for agenda_item in chosen:
        agenda_item.covered_at, agenda_item.covered_by_note_id = clock.now(), note.id
    return await agenda_for(uow, clock, person, worker.id)


async def _worker(uow: UnitOfWork, person: Person, worker_id: int | None) -> Member:
    member = await uow.members.get(worker_id or person.member_id)
    if member is None or member.team_id != person.team_id or not member.active:
        raise Refusal("agenda_not_yours")
    if member.id != person.member_id and not person.is_supervisor:
        raise Refusal("agenda_not_yours")
    return member


async def next_supervision_on(uow: UnitOfWork, worker_id: int, today: date) -> date:
    """The next supervision as the last note set it, else a fortnight from today."""
    return await planned_supervision(uow, worker_id, today) or today + DEFAULT_HORIZON


async def planned_supervision(uow: UnitOfWork, worker_id: int, today: date) -> date | None:
    """The worker's next supervision as their last note set it (today or later), if any."""
    latest = await uow.notes.latest_supervision(worker_id)
    planned = (latest.content or {}).get("next_review") if latest else None
    if planned:
        day = date.fromisoformat(planned)
        if day >= today:
            return day
    return None


async def _entry(uow: UnitOfWork, item: AgendaItem, *, shows_private: bool) -> AgendaEntry | None:
    case = await uow.cases.get(item.case_id) if item.case_id else None
    reference = case.reference if case else None
    if item.kind == "flag":
        flag = await uow.flags.get(item.ref_id)
        return AgendaEntry(item.id, "flag", reference, flag.summary if flag else "", [])
    if item.kind in ("stuck", "fit", TEAM_MEETING):
        walk = await uow.stuck.get(item.ref_id)
        answers: dict[str, Any] = walk.answers if walk else {}
        planned = [text for text in (answers.get("next_step"),) if text]
        where = answers.get("where_stuck") or ""
        return AgendaEntry(item.id, item.kind, reference, where, planned)
    if item.kind == "bearings":
        check = await uow.bearings.get(item.ref_id)
        if check is None:
            return None
        tilted: list[str] = []
        if shows_private or check.shared_at is not None:
            previous = await uow.bearings.before(check)
            tilts, _ = bearings_rules.worth_supervision(
                bearings_rules.Check.from_stored(previous.ratings) if previous else None,
                bearings_rules.Check.from_stored(check.ratings),
            )
            words = bearings_names()
            tilted = [words.get(tilt.towards or tilt.key, tilt.key) for tilt in tilts]
        return AgendaEntry(item.id, "bearings", None, check.taken_at.date().isoformat(), tilted)
    return None
