"""A case's notes: the list, one note in full, and correcting one's own note.

Reading someone else's note is recorded in the audit log. A correction keeps
the previous wording as a revision, with who changed it and when, and is only
open to the note's author within the team's correction window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain.errors import Refusal
from bot.domain.permissions import may_correct, may_read
from bot.domain.team_settings import team_settings
from bot.services.access import Person, member_name, require_person
from bot.services.cases import actor, readable_case
from bot.services.flows import start_flow
from bot.services.flows.replies import FlowReply, Said
from bot.services.timing import team_rules
from storage.models import Case, NoteRevision, SupervisionNote, Visit
from storage.uow import UnitOfWork

VISIT, SUPERVISION, STUCK = "v", "s", "k"
KIND_NAMES = {VISIT: "visit", SUPERVISION: "supervision"}
VISIT_FIELDS = ("how_it_went", "next_step")
SUPERVISION_FIELDS = (
    "task",
    "update",
    "feelings",
    "risks",
    "strengths",
    "family_view",
    "decisions",
    "previous_actions",
    "referral",
    "feelings_worker",
    "feelings_young_person",
    "feelings_family",
    "feelings_network",
)
"""The correctable text fields of a supervision note: a Correct button carries a field's
place here, so new fields go at the end (notes kept before the feelings were asked one at a
time have ``feelings``)."""
SUPERVISION_SHOWN = (
    "task",
    "update",
    "feelings",
    "feelings_worker",
    "feelings_young_person",
    "feelings_family",
    "feelings_network",
    "risks",
    "strengths",
    "family_view",
    "decisions",
    "previous_actions",
    "referral",
)
"""The same fields in the order a note shows them (the order they were asked in)."""
PAGE = 6


@dataclass(frozen=True)
class NoteItem:
    """A note in a case's list."""

    kind: str
    id: int
    day: date
    author_name: str
    """The author's first name, or "a former worker"."""


@dataclass(frozen=True)
class NoteList:
    """A page of a case's history, newest first."""

    case_id: int
    reference: str
    items: list[NoteItem]
    page: int = 0
    has_older: bool = False


@dataclass(frozen=True)
class NoteView:
    """One note in full, and which of its fields the reader may correct."""

    kind: str
    id: int
    case_id: int | None
    reference: str | None
    day: date
    author_name: str
    fields: list[tuple[str, str]]
    details: dict[str, Any]
    correctable: list[str]
    corrections: int


@dataclass(frozen=True)
class _Loaded:
    note: Visit | SupervisionNote
    owner_id: int
    team_id: int
    case: Case | None


async def case_notes(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, case_id: int, page: int = 0
) -> NoteList:
    """A case's history, newest first, a page at a time: visit and supervision notes, and
    "I'm stuck" walk-throughs saved as notes. For anyone who may read the case; reading
    another worker's case history is audited."""
    person = await require_person(uow, telegram_user_id)
    case = await readable_case(uow, person, case_id)
    if case.worker_id != person.member_id:
        await uow.audit.record(
            at=clock.now(),
            action="case.history_read",
            subject=f"case:{case.id}",
            team_id=case.team_id,
            actor_id=person.member_id,
            detail={"page": max(page, 0)},
        )
    items = [
        NoteItem(VISIT, visit.id, visit.visited_on, await _name(uow, visit.author_id, first=True))
        for visit in await uow.notes.visits_for_case(case.id)
    ]
    items += [
        NoteItem(SUPERVISION, note.id, note.held_on, await _name(uow, note.author_id, first=True))
        for note in await uow.notes.supervision_for_case(case.id)
    ]
    zone = ZoneInfo((await team_rules(uow, case.team_id)).hours.zone)
    items += [
        NoteItem(
            STUCK,
            walk.id,
            walk.created_at.astimezone(zone).date(),
            await _name(uow, walk.worker_id, first=True),
        )
        for walk in await uow.stuck.for_case(case.id)
        if "note" in walk.endings.split(",")
    ]
    items.sort(key=lambda item: (item.day, item.id), reverse=True)
    start = max(page, 0) * PAGE
    return NoteList(
        case.id,
        case.reference,
        items[start : start + PAGE],
        page=max(page, 0),
        has_older=len(items) > start + PAGE,
    )


async def note_view(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, kind: str, note_id: int
) -> NoteView:
    """One note in full; reading another person's note is audited."""
    person = await require_person(uow, telegram_user_id)
    loaded = await _readable(uow, person, kind, note_id)
    note = loaded.note
    if note.author_id != person.member_id:
        await uow.audit.record(
            at=clock.now(),
            action="note.read",
            subject=f"{KIND_NAMES[kind]}:{note.id}",
            team_id=loaded.team_id,
            actor_id=person.member_id,
        )
    if isinstance(note, Visit):
        fields = [("how_it_went", note.how_it_went), ("next_step", note.next_step or "")]
        details: dict[str, Any] = {"risk": note.risk_change}
        day = note.visited_on
    else:
        content = note.content or {}
        fields = [(name, content.get(name) or "") for name in SUPERVISION_SHOWN]
        details = {k: content.get(k) for k in ("risk", "outcome", "escalation", "next_review")}
        details["kind"] = note.kind
        day = note.held_on
    open_to_correct = await _may_correct(uow, clock, person, loaded)
    return NoteView(
        kind=kind,
        id=note.id,
        case_id=loaded.case.id if loaded.case else None,
        reference=loaded.case.reference if loaded.case else None,
        day=day,
        author_name=await _name(uow, note.author_id),
        fields=[(name, text) for name, text in fields if text],
        details=details,
        correctable=[name for name, text in fields if text] if open_to_correct else [],
        corrections=len(await uow.notes.revisions(KIND_NAMES[kind], note.id)),
    )


async def begin_correction(
    uow: UnitOfWork,
    clock: Clock,
    *,
    telegram_user_id: int,
    kind: str,
    note_id: int,
    field_number: int,
    idle: timedelta,
) -> FlowReply:
    """Correct (from a note's button): ask for the new wording, if the window is still open."""
    return await start_flow(
        uow,
        clock,
        telegram_user_id=telegram_user_id,
        flow_name="note_correction",
        prefill={"note": f"{kind}.{note_id}.{field_number}"},
        idle=idle,
    )


async def check_note_to_correct(uow: UnitOfWork, clock: Clock, person: Person, value: Any) -> None:
    """A correction starts with the note and the part (``v.12.0``): the person's own note,
    still inside the correction window."""
    kind, note_id, _ = _note_part(value)
    loaded = await _readable(uow, person, kind, note_id)
    if not await _may_correct(uow, clock, person, loaded):
        raise Refusal("note_correction_closed")


def _note_part(value: Any) -> tuple[str, int, str]:
    """``v.12.0`` read back: the kind of note, its id and the field; anything else is refused."""
    kind, _, rest = str(value).partition(".")
    note_id, _, number = rest.partition(".")
    fields = fields_of(kind)
    if not (note_id.isdecimal() and number.isdecimal() and int(number) < len(fields)):
        raise Refusal("already_done")
    return kind, int(note_id), fields[int(number)]


def fields_of(kind: str) -> tuple[str, ...]:
    """The correctable text fields of a kind of note, in a fixed order."""
    return {VISIT: VISIT_FIELDS, SUPERVISION: SUPERVISION_FIELDS}.get(kind, ())


async def correct_note(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of a correction: the new wording in place, the old one kept as a revision."""
    kind, note_id, field = _note_part(answers["note"])
    loaded = await _readable(uow, person, kind, note_id)
    if not await _may_correct(uow, clock, person, loaded):
        raise Refusal("note_correction_closed")
    note, now = loaded.note, clock.now()
    if isinstance(note, Visit):
        previous = getattr(note, field)
        setattr(note, field, answers["text"])
    else:
        content = dict(note.content or {})
        previous, content[field] = content.get(field), answers["text"]
        note.content = content
    note.updated_at = now
    await uow.notes.add_revision(
        NoteRevision(
            note_kind=KIND_NAMES[kind],
            note_id=note.id,
            previous={field: previous},
            changed_by_id=person.member_id,
            changed_at=now,
        )
    )
    await uow.audit.record(
        at=now,
        action="note.corrected",
        subject=f"{KIND_NAMES[kind]}:{note.id}",
        team_id=loaded.team_id,
        actor_id=person.member_id,
        detail={"field": field},
    )
    return [Said("note_corrected", {"kind": kind, "note_id": note.id})]


async def _readable(uow: UnitOfWork, person: Person, kind: str, note_id: int) -> _Loaded:
    loaded = await _load(uow, kind, note_id)
    if loaded is None or not (
        loaded.note.author_id == person.member_id
        or may_read(actor(person), owner_id=loaded.owner_id, team_id=loaded.team_id)
    ):
        raise Refusal("note_not_yours")
    return loaded


async def _load(uow: UnitOfWork, kind: str, note_id: int) -> _Loaded | None:
    if kind == VISIT:
        visit = await uow.notes.visit(note_id)
        case = await uow.cases.get(visit.case_id) if visit else None
        if visit is None or case is None:
            return None
        return _Loaded(visit, case.worker_id, case.team_id, case)
    if kind == SUPERVISION:
        note = await uow.notes.supervision(note_id)
        if note is None:
            return None
        case = await uow.cases.get(note.case_id) if note.case_id else None
        return _Loaded(note, note.worker_id, note.team_id, case)
    return None


async def _may_correct(uow: UnitOfWork, clock: Clock, person: Person, loaded: _Loaded) -> bool:
    team = await uow.teams.get(loaded.team_id)
    window = team_settings(team.settings if team else None).correction_days
    return may_correct(
        actor(person),
        author_id=loaded.note.author_id,
        team_id=loaded.team_id,
        age_days=_days_since(loaded.note.created_at, clock.now()),
        window=window,
    )


def _days_since(then: datetime, now: datetime) -> float:
    return (now - then).total_seconds() / 86400


async def _name(uow: UnitOfWork, member_id: int, *, first: bool = False) -> str:
    return member_name(await uow.members.get(member_id), first=first)
