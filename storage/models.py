"""SQLAlchemy models: the tables of Bearings.

Every free-text field uses ``EncryptedText``/``EncryptedJSON``, and so do the codes that
say how a case is going (a visit's risk change, a flag's urgency and source). Instants are
UTC (``UTCDateTime``); visit and review dates are local ``Date`` values in the
team's time zone.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.crypto import EncryptedJSON, EncryptedText
from storage.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints stably."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Team(Base):
    """A team of key workers and supervisors."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    quiet_start: Mapped[str] = mapped_column(String(5), default="20:00")
    quiet_end: Mapped[str] = mapped_column(String(5), default="08:00")
    working_days: Mapped[str] = mapped_column(String(7), default="12345")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    group_chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Member(Base):
    """A person in a team: a worker or a supervisor, known by their Telegram user id.

    Erasure (``/forget_me``) keeps the row, because case records still point at it as
    an author, but empties it: no Telegram id, no name, no settings, ``erased_at`` set.
    """

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    role: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(EncryptedText)
    # Their Telegram @username (without the @), as Telegram last told it: a caseload file
    # may name a key worker by it. Refreshed whenever they write; None if they have none.
    telegram_username: Mapped[str | None] = mapped_column(EncryptedText)
    timezone: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    away_until: Mapped[date | None] = mapped_column(Date)
    away_cover_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    # Set when Telegram refused a message to them (they blocked the bot); cleared when they
    # next write. Their supervisors are told once per such spell.
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The Monday of the latest week their weekly summary and bearings prompt were planned
    # for: the planner asks "who is not yet owed this week's?" of these plain columns.
    summary_week: Mapped[date | None] = mapped_column(Date)
    prompt_week: Mapped[date | None] = mapped_column(Date)
    engagement_week: Mapped[date | None] = mapped_column(Date)


class Invite(Base):
    """A single-use invitation to join a team in a role; only the token's hash is kept."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Case(Base):
    """A family or young person on a worker's caseload, known only by a case reference."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("team_id", "reference"),
        # Closed cases by when, for the purge; partial, so that the planner's search for open
        # cases falling due keeps to the indexes on their dates.
        Index(
            "ix_cases_closed",
            "closed_at",
            sqlite_where=text("closed_at IS NOT NULL"),
            postgresql_where=text("closed_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    reference: Mapped[str] = mapped_column(String(32))
    worker_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    stage: Mapped[str] = mapped_column(String(24))
    cadence_days: Mapped[int] = mapped_column(Integer, default=7)
    last_visit_on: Mapped[date | None] = mapped_column(Date)
    next_visit_due: Mapped[date | None] = mapped_column(Date, index=True)
    next_review_on: Mapped[date | None] = mapped_column(Date, index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closing_reason: Mapped[str | None] = mapped_column(EncryptedText)
    first_contact_on: Mapped[date | None] = mapped_column(Date)
    """The first face-to-face contact (the earliest visit note): engagement has begun."""
    stage_since: Mapped[date | None] = mapped_column(Date)
    """The day the case entered its stage (its stage's reminders count from it)."""
    meeting_on: Mapped[date | None] = mapped_column(Date)
    """The family meeting's date, once booked."""


class EngagementCheck(Base):
    """A week's engagement with the plan for one case (the Friday check): engaged, partly or
    not, and whether there was an incident (a line, encrypted)."""

    __tablename__ = "engagement_checks"
    __table_args__ = (
        UniqueConstraint("case_id", "week", name="uq_engagement_checks_case_week"),
        Index("ix_engagement_checks_team_week", "team_id", "week"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    week: Mapped[date] = mapped_column(Date)
    engagement: Mapped[str | None] = mapped_column(String(8))
    incident: Mapped[bool | None] = mapped_column(Boolean)
    incident_note: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PendingImport(Base):
    """A caseload file a supervisor sent in chat, read and checked, waiting for Confirm.

    Only the rows that read cleanly are kept (references, key workers as written, stages,
    cadences, dates), encrypted, never the file itself; one per person (a new file
    replaces it), deleted on Confirm or Cancel, and purged by the planner once expired.
    """

    __tablename__ = "pending_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), unique=True)
    rows: Mapped[list[dict[str, Any]]] = mapped_column(EncryptedJSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class FlowSession(Base):
    """One person's walk through a flow: where they are and what they answered so far."""

    __tablename__ = "flow_sessions"
    __table_args__ = (
        Index("ix_flow_sessions_member_status", "member_id", "status"),
        # The planner's search for idle open flows.
        Index("ix_flow_sessions_status_updated", "status", "updated_at"),
        # One open flow per person, even when two processes start one at the same moment.
        Index(
            "uq_flow_sessions_one_open",
            "member_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    flow: Mapped[str] = mapped_column(String(40))
    step: Mapped[str] = mapped_column(String(40))
    answers: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    version: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="open")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Who did what to which thing, and when: ids and event names, never content."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_team_at", "team_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(80))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class InboxUpdate(Base):
    """The durable inbox: every update from Telegram, committed before it is confirmed.

    ``status`` goes pending -> handled (effects committed, replies stored) ->
    done (replies delivered). A crash at any point leaves a row that start-up
    finishes, and a repeated ``update_id`` is ignored. Once handled the payload
    is dropped, except for ``failed`` updates, whose (encrypted) payload is kept
    so that nothing the person sent is lost.
    """

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_status_update", "status", "update_id"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_key: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    failed: Mapped[bool] = mapped_column(Boolean, default=False)
    replies: Mapped[list[dict[str, Any]] | None] = mapped_column(EncryptedJSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # While a handled update's replies are being sent, the process sending them holds this
    # lease (real time); another process takes the replies over only once it has run out.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Visit(Base):
    """A visit note: when, how it went, the change in risk, the next step."""

    __tablename__ = "visits"
    __table_args__ = (Index("ix_visits_case_on", "case_id", "visited_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    visited_on: Mapped[date] = mapped_column(Date)
    how_it_went: Mapped[str] = mapped_column(EncryptedText)
    risk_change: Mapped[str] = mapped_column(EncryptedText)  # "up", "same", "down"
    next_step: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SupervisionNote(Base):
    """A Thinking Together supervision note, for a case or general; its fields are encrypted."""

    __tablename__ = "supervision_notes"
    __table_args__ = (Index("ix_supervision_notes_worker", "worker_id", "held_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    held_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(24))
    content: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Action(Base):
    """Something agreed to be done: what, who owns it, by when, for which case."""

    __tablename__ = "actions"
    __table_args__ = (
        Index("ix_actions_owner_status_due", "owner_id", "status", "due_on"),
        # The planner's search for open actions falling due.
        Index("ix_actions_status_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    text: Mapped[str] = mapped_column(EncryptedText)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open")
    source: Mapped[str] = mapped_column(String(40))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NoteRevision(Base):
    """The previous version of a corrected note, with who changed it and when."""

    __tablename__ = "note_revisions"
    __table_args__ = (Index("ix_note_revisions_note", "note_kind", "note_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note_kind: Mapped[str] = mapped_column(String(16))
    note_id: Mapped[int] = mapped_column(Integer)
    previous: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StuckWalkthrough(Base):
    """An "I'm stuck" walk-through for a case: the answers, and how it ended."""

    __tablename__ = "stuck_walkthroughs"
    __table_args__ = (Index("ix_stuck_walkthroughs_case", "case_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    endings: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BearingsCheck(Base):
    """A keeping-your-bearings self-check: private to its worker unless they share it."""

    __tablename__ = "bearings_checks"
    __table_args__ = (Index("ix_bearings_checks_member", "member_id", "taken_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ratings: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    note: Mapped[str | None] = mapped_column(EncryptedText)
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Flag(Base):
    """A stuck case raised to the supervisors: urgency, summary, and who did what when."""

    __tablename__ = "flags"
    __table_args__ = (
        Index("ix_flags_team_state", "team_id", "state", "raised_at"),
        # The planner's search for flags nobody has picked up, across teams.
        Index("ix_flags_state_raised", "state", "raised_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    # Encrypted like the summary: a copy of the database must not show which cases are urgent
    # (the metrics count open flags by urgency in Python, not in SQL).
    urgency: Mapped[str] = mapped_column(EncryptedText)
    source: Mapped[str] = mapped_column(EncryptedText)
    summary: Mapped[str] = mapped_column(EncryptedText)
    state: Mapped[str] = mapped_column(String(12))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(EncryptedText)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AgendaItem(Base):
    """Something kept for a worker's next supervision: a flag, a stuck summary, an imbalance."""

    __tablename__ = "agenda_items"
    __table_args__ = (
        UniqueConstraint("worker_id", "kind", "ref_id"),
        Index("ix_agenda_items_worker_open", "worker_id", "covered_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(16))
    ref_id: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    covered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    covered_by_note_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_notes.id"))


class OutboxMessage(Base):
    """A message Bearings owes someone: planned once (unique key), delivered at least once.

    It holds ids and a template key, never the text: the words are rendered at
    send time from current data. Delivery claims a row with a lease, sends it,
    and records Telegram's message id so the message can be edited later.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    ref: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Sends that timed out (or lost their connection) after reaching Telegram: each may have
    # arrived, so a row sent with timeouts > 0 may have been seen that many times more.
    timeouts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(BigInteger)


class JobRun(Base):
    """When a periodic job last ran, shared by every process on the database.

    Each process ticks on its own timer; the one that finds the job due (and
    locks this row) runs it, so the job runs once per period overall however
    many processes there are.
    """

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# The key-worker process's tables live in their own module; importing it here puts them in
# ``Base.metadata`` wherever the models are used (migrations, rotation, the tests' schema).
from storage import models_process  # noqa: E402, F401
