"""National-scale data for the planning benchmark, bulk-inserted in batches.

The organisation is built with Core inserts, thousands of rows per statement,
not through the ORM one object at a time. Encrypted columns are written
through plain ``Text`` columns with one value encrypted once and shared, so
seeding 100,000 cases costs seconds, and the rows still read back through the
models like any other.

The data is a steady state on a Tuesday morning: every case's next visit is
tomorrow or later, every review more than a week away, every action due
tomorrow or later, this week's summaries and digests already owed, and the
history of a previous week in the outbox. ``make_due`` then brings a chosen
share of visits and actions due today, and ``reset_due`` takes them back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Table,
    TableClause,
    Text,
    column,
    func,
    insert,
    select,
    table,
    text,
    update,
)

from storage.crypto import EncryptedJSON, EncryptedText, key_ring
from storage.db import Database
from storage.models import (
    Action,
    BearingsCheck,
    Case,
    Flag,
    FlowSession,
    Member,
    OutboxMessage,
    Team,
)

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
"""Tuesday, 10:00 in London: this week's Monday nudges are behind, Friday's ahead."""
TODAY = date(2026, 11, 24)
MONDAY = date(2026, 11, 23)
BATCH = 5_000
"""Rows per INSERT statement."""
TELEGRAM_BASE = 10_000_000


@dataclass(frozen=True)
class Scale:
    """The size of the organisation: workers, teams and actions follow the cases."""

    cases: int

    @property
    def workers(self) -> int:
        """Ten cases per key worker."""
        return max(1, self.cases // 10)

    @property
    def teams(self) -> int:
        """Ten key workers (and one supervisor) per team."""
        return max(1, self.cases // 100)

    @property
    def actions(self) -> int:
        """One open action for every two cases."""
        return self.cases // 2


def _raw(model: Any) -> TableClause:
    """The model's table with encrypted columns as plain text, to insert ready-made tokens."""
    model_table: Table = model.__table__
    columns: list[Column[Any]] = list(model_table.columns)
    return table(
        model_table.name,
        *(
            column(c.name, Text if isinstance(c.type, EncryptedText | EncryptedJSON) else c.type)
            for c in columns
        ),
    )


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


async def insert_rows(database: Database, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows as they are (encrypted columns take ready-made tokens), in batches."""
    raw = _raw(model)
    for chunk in _chunks(rows):
        async with database.unit_of_work() as uow:
            await uow.session.execute(insert(raw), list(chunk))


async def seed(database: Database, scale: Scale) -> None:
    """Fill an empty, migrated database with an organisation of this size."""
    ring = key_ring()
    name, note, answers = (
        ring.encrypt("Sam Example"),
        ring.encrypt("Ring the school"),
        ring.encrypt("{}"),
    )
    per_team = scale.workers // scale.teams
    teams = [
        {
            "id": t,
            "name": f"Team {t}",
            "timezone": "Europe/London",
            "quiet_start": "20:00",
            "quiet_end": "08:00",
            "working_days": "12345",
            "settings": {},
            "group_chat_id": -(TELEGRAM_BASE + t),
            "created_at": NOW - timedelta(days=400),
        }
        for t in range(1, scale.teams + 1)
    ]
    await insert_rows(database, Team, teams)
    members, workers = [], []
    for t in range(1, scale.teams + 1):
        for slot in range(per_team + 1):
            member_id = len(members) + 1
            role = "supervisor" if slot == 0 else "worker"
            if role == "worker":
                workers.append((member_id, t))
            members.append(
                {
                    "id": member_id,
                    "team_id": t,
                    "telegram_user_id": TELEGRAM_BASE + member_id,
                    "role": role,
                    "display_name": name,
                    "timezone": None,
                    "active": True,
                    "joined_at": NOW - timedelta(days=300),
                    "deactivated_at": None,
                    "settings": {},
                    "away_until": None,
                    "away_cover_id": None,
                    "unreachable_at": None,
                    # This week's summary is planned already (its outbox row is below).
                    "summary_week": MONDAY if role == "worker" else None,
                }
            )
    await insert_rows(database, Member, members)
    cases = []
    for c in range(1, scale.cases + 1):
        worker, team = workers[(c - 1) % len(workers)]
        closed = c % 20 == 7  # one in twenty closed recently, within retention
        cases.append(
            {
                "id": c,
                "team_id": team,
                "reference": f"FAM-{c}",
                "worker_id": worker,
                "stage": "monitoring",
                "cadence_days": 7,
                "last_visit_on": TODAY - timedelta(days=6 - c % 6),
                "next_visit_due": TODAY + timedelta(days=1 + c % 6),
                "next_review_on": TODAY + timedelta(days=8 + c % 120),
                "opened_at": NOW - timedelta(days=200),
                "closed_at": NOW - timedelta(days=10) if closed else None,
                "closing_reason": note if closed else None,
            }
        )
    await insert_rows(database, Case, cases)
    actions = []
    for a in range(1, scale.actions + 1):
        case = cases[(a * 2 - 1) % len(cases)]
        actions.append(
            {
                "id": a,
                "team_id": case["team_id"],
                "case_id": case["id"],
                "owner_id": case["worker_id"],
                "text": note,
                "due_on": TODAY + timedelta(days=1 + a % 30),
                "status": "open",
                "source": "supervision",
                "created_by_id": case["worker_id"],
                "created_at": NOW - timedelta(days=3),
                "done_at": None,
            }
        )
    await insert_rows(database, Action, actions)
    await insert_rows(
        database,
        BearingsCheck,
        [
            {
                "id": i,
                "team_id": team,
                "member_id": worker,
                "taken_at": NOW - timedelta(days=5),
                "ratings": answers,
                "note": None,
                "shared_at": None,
            }
            for i, (worker, team) in enumerate(workers, start=1)
        ],
    )
    codes = {code: ring.encrypt(code) for code in ("week", "stuck")}
    await insert_rows(database, Flag, _flags(workers, note, codes))
    await insert_rows(database, FlowSession, _flows(workers, answers))
    await insert_rows(database, OutboxMessage, _history(members, teams, cases))
    await sync_sequences(database, (Team, Member, Case, Action, BearingsCheck, Flag, FlowSession))


async def sync_sequences(database: Database, models: Sequence[Any]) -> None:
    """On PostgreSQL, move each table's id sequence past the ids inserted explicitly."""
    if database.is_sqlite:
        return
    async with database.unit_of_work() as uow:
        for model in models:
            name = model.__tablename__
            await uow.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
                )
            )


def _flags(
    workers: list[tuple[int, int]], summary: str, codes: dict[str, str]
) -> list[dict[str, Any]]:
    """Two resolved flags per ten workers, and one still waiting (raised minutes ago)."""
    rows = []
    for i, (worker, team) in enumerate(workers[::5], start=1):
        waiting = i % 10 == 0
        rows.append(
            {
                "id": i,
                "team_id": team,
                "case_id": None,
                "worker_id": worker,
                "urgency": codes["week"],  # encrypted, like the summary
                "source": codes["stuck"],
                "summary": summary,
                "state": "open" if waiting else "resolved",
                "raised_at": NOW - (timedelta(minutes=5) if waiting else timedelta(days=20)),
                "handled_by_id": None,
                "handled_at": None,
                "resolved_by_id": None,
                "resolved_at": None if waiting else NOW - timedelta(days=19),
                "outcome": None,
                "reminded_at": None,
                "escalated_at": None,
            }
        )
    return rows


def _flows(workers: list[tuple[int, int]], answers: str) -> list[dict[str, Any]]:
    """Every worker's last finished visit note, and one open flow in a hundred (in use)."""
    rows = []
    for i, (worker, _team) in enumerate(workers, start=1):
        open_now = i % 100 == 0
        rows.append(
            {
                "id": i,
                "member_id": worker,
                "flow": "visit",
                "step": "how" if open_now else "done",
                "answers": answers,
                "version": 2,
                "status": "open" if open_now else "finished",
                "case_id": None,
                "started_at": NOW - timedelta(minutes=10 if open_now else 60 * 24 * 3),
                "updated_at": NOW - timedelta(minutes=5 if open_now else 60 * 24 * 3),
                "finished_at": None if open_now else NOW - timedelta(days=3),
            }
        )
    return rows


def _history(
    members: list[dict[str, Any]], teams: list[dict[str, Any]], cases: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """What the outbox holds by Tuesday: last week's visit nudges, and this week's summaries
    and digests, all sent."""
    sent = NOW - timedelta(days=1)

    def row(key: str, kind: str, team: int, member: int | None, chat: int) -> dict[str, Any]:
        return {
            "key": key,
            "kind": kind,
            "team_id": team,
            "member_id": member,
            "chat_id": chat,
            "ref": {},
            "due_at": sent,
            "status": "sent",
            "lease_until": None,
            "attempts": 1,
            "timeouts": 0,
            "last_error": None,
            "created_at": sent,
            "sent_at": sent,
            "message_id": 1,
        }

    chats = {m["id"]: m["telegram_user_id"] for m in members}
    rows = [
        row(
            f"visit_due:{c['id']}:{TODAY - timedelta(days=7 - c['id'] % 6)}",
            "visit_due",
            c["team_id"],
            c["worker_id"],
            chats[c["worker_id"]],
        )
        for c in cases
    ]
    rows += [
        row(
            f"weekly_summary:{m['id']}:{MONDAY}",
            "weekly_summary",
            m["team_id"],
            m["id"],
            chats[m["id"]],
        )
        for m in members
        if m["role"] == "worker"
    ]
    rows += [
        row(f"digest:{t['id']}:{MONDAY}", "digest", t["id"], None, t["group_chat_id"])
        for t in teams
    ]
    return rows


async def make_due(database: Database, every: int, limit: int | None = None) -> int:
    """Bring due today the visit of every ``every``-th open case and the action of every
    ``every``-th action (at most ``limit`` of each); returns how many things fell due."""
    due = 0
    async with database.unit_of_work() as uow:
        for model, column_name in ((Case, "next_visit_due"), (Action, "due_on")):
            query = select(model.id).where(model.id % every == 0).order_by(model.id)
            if model is Case:
                query = query.where(Case.closed_at.is_(None))
            if limit is not None:
                query = query.limit(limit)
            ids = list((await uow.session.scalars(query)).all())
            for start in range(0, len(ids), BATCH):
                await uow.session.execute(
                    update(model)
                    .where(model.id.in_(ids[start : start + BATCH]))
                    .values({column_name: TODAY})
                )
            due += len(ids)
    return due


async def reset_due(database: Database, outbox_before: int) -> None:
    """Take back what ``make_due`` brought due (to tomorrow) and the outbox rows planned since."""
    async with database.unit_of_work() as uow:
        await uow.session.execute(
            update(Case)
            .where(Case.next_visit_due <= TODAY)
            .values(next_visit_due=TODAY + timedelta(days=1))
        )
        await uow.session.execute(
            update(Action).where(Action.due_on <= TODAY).values(due_on=TODAY + timedelta(days=1))
        )
        await uow.session.execute(
            OutboxMessage.__table__.delete().where(OutboxMessage.id > outbox_before)
        )


async def outbox_size(database: Database) -> int:
    """The highest outbox id (rows planned after it are the tick's)."""
    async with database.unit_of_work() as uow:
        return int(
            await uow.session.scalar(select(func.coalesce(func.max(OutboxMessage.id), 0))) or 0
        )
