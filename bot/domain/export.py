"""Exports: what a person's data export and a case export hold, as plain records. Domain layer.

The services fill these records from the database, decrypted; this module turns
them into the machine-readable JSON file (stable keys, ISO 8601 dates) and names
the files. The readable PDF is rendered from the same records by a template in
prompts/, so the two files cannot disagree about what is in them.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.domain.process_records import ProcessRecord

FORMAT = "bearings-export"
VERSION = 1
"""Bumped when a key of the JSON changes meaning or goes away (new keys keep the version)."""


@dataclass(frozen=True)
class Answer:
    """One answer of a flow as stored (``value``) and as read back (``words``)."""

    step: str
    question: str
    value: Any
    words: str


@dataclass(frozen=True)
class Event:
    """Something that happened to a case or a flag: what, when, by whom (None: the bot)."""

    at: datetime
    what: str
    by: str | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Revision:
    """The earlier wording of a corrected note's fields, with who changed it and when."""

    changed_at: datetime
    changed_by: str
    previous: dict[str, Any]


@dataclass(frozen=True)
class MemberRecord:
    """A person's own record: who they are to Bearings, and their settings."""

    telegram_user_id: int | None  # None once the person has erased their account
    display_name: str
    role: str
    team: str
    timezone: str | None
    joined_at: datetime
    active: bool
    settings: dict[str, Any]
    away_until: date | None
    away_cover: str | None
    telegram_username: str | None = None


@dataclass(frozen=True)
class CaseRecord:
    """A case's reference, stage and dates, and what is stored of its history."""

    id: int
    reference: str
    key_worker: str
    stage: str
    stage_label: str
    cadence_days: int
    opened_at: datetime
    closed_at: datetime | None
    closing_reason: str | None
    last_visit_on: date | None
    next_visit_due: date | None
    next_review_on: date | None
    history: list[Event]


@dataclass(frozen=True)
class VisitRecord:
    """A visit note."""

    id: int
    case_reference: str
    visited_on: date
    author: str
    how_it_went: str
    risk_change: str
    risk_words: str
    next_step: str | None
    created_at: datetime
    updated_at: datetime
    earlier_versions: list[Revision]


@dataclass(frozen=True)
class SupervisionRecord:
    """A supervision (Thinking Together) note, its answers in order."""

    id: int
    case_reference: str | None
    held_on: date
    kind: str
    kind_words: str
    worker: str
    author: str
    answers: list[Answer]
    created_at: datetime
    updated_at: datetime
    earlier_versions: list[Revision]


@dataclass(frozen=True)
class ActionRecord:
    """An action: what, whose, by when, and whether it is done."""

    id: int
    case_reference: str | None
    text: str
    owner: str
    due_on: date
    status: str
    source: str
    created_by: str
    created_at: datetime
    done_at: datetime | None


@dataclass(frozen=True)
class FlagRecord:
    """A flag to the supervisors, with what became of it and its history."""

    id: int
    case_reference: str | None
    raised_by: str
    urgency: str
    source: str
    summary: str
    state: str
    raised_at: datetime
    picked_up_by: str | None
    picked_up_at: datetime | None
    resolved_by: str | None
    resolved_at: datetime | None
    outcome: str | None
    reminded_at: datetime | None
    escalated_at: datetime | None
    history: list[Event]


@dataclass(frozen=True)
class WalkthroughRecord:
    """An "I'm stuck" walk-through: its answers and the endings chosen."""

    id: int
    case_reference: str
    worker: str
    created_at: datetime
    answers: list[Answer]
    endings: list[str]


@dataclass(frozen=True)
class Rating:
    """One line of a bearings check: an element (1 to 5), a balance (1 = ``low`` end, 5 =
    ``high`` end) or a boundary question (yes / partly / no), with its name."""

    key: str
    kind: str
    name: str
    value: Any
    low: str | None = None
    high: str | None = None


@dataclass(frozen=True)
class CheckRecord:
    """A keeping-your-bearings check."""

    id: int
    taken_at: datetime
    ratings: list[Rating]
    note: str | None
    shared_at: datetime | None


@dataclass(frozen=True)
class PersonalExport:
    """Everything Bearings holds about one person (a worker's /export, a subject access request)."""

    generated_at: datetime
    timezone: str
    member: MemberRecord
    cases: list[CaseRecord]
    visits: list[VisitRecord]
    supervision_notes: list[SupervisionRecord]
    actions: list[ActionRecord]
    flags: list[FlagRecord]
    stuck_walkthroughs: list[WalkthroughRecord]
    bearings_checks: list[CheckRecord]
    kind: str = "personal"


@dataclass(frozen=True)
class CaseExport:
    """One case, for copying into the case record.

    ``walkthroughs_private`` counts the "I'm stuck" walk-throughs left out
    because their worker kept them to themselves (not saved to the case).
    """

    generated_at: datetime
    timezone: str
    team: str
    case: CaseRecord
    visits: list[VisitRecord]
    supervision_notes: list[SupervisionRecord]
    actions: list[ActionRecord]
    flags: list[FlagRecord]
    stuck_walkthroughs: list[WalkthroughRecord]
    walkthroughs_private: int
    process: ProcessRecord | None = None
    """The key-worker process: agreements, assessments, the plan, reviews, the evaluation."""
    kind: str = "case"


Export = PersonalExport | CaseExport


def export_json(export: Export) -> bytes:
    """The export as UTF-8 JSON: stable keys in a fixed order, dates and instants in ISO 8601."""
    body = {"format": FORMAT, "version": VERSION, **dataclasses.asdict(export)}
    text = json.dumps(body, default=_iso, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def _iso(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def file_name(export: Export, extension: str) -> str:
    """A sensible file name: ``bearings-my-data-2026-11-23.pdf``, ``bearings-FAM-0142-….pdf``.

    Only the reference goes in a name, never a person's name; characters a file
    system may dislike become hyphens.
    """
    subject = "my-data" if isinstance(export, PersonalExport) else export.case.reference
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", subject).strip("-") or "case"
    return f"bearings-{safe}-{export.generated_at.date().isoformat()}.{extension}"


def private_walkthrough(endings: list[str]) -> bool:
    """Whether a walk-through stays with its worker: only one saved to the case as a note is
    part of the case's history for others (the same rule as the case's notes)."""
    return "note" not in endings
