"""Encryption at rest, proven on the raw database; and key rotation (storage/rotation.py).

A team's worth of free text is written through the real services (a case, a
visit, a corrected note, a supervision note with actions, a flag raised and
resolved, a closed case, a self-check, a walk-through, a flow in progress, an
update in the inbox), each with a distinctive string. Then the database is
read underneath SQLAlchemy: the SQLite file and its WAL byte by byte, or every
column of every PostgreSQL table as text. None of the strings may be there.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bot.clock import MovableClock
from bot.domain.flags import Urgency
from bot.domain.roles import Role
from bot.services import (
    caseload_import,
    cases,
    engagement,
    flags,
    notes,
    onboarding,
    supervision,
    visits,
)
from storage.crypto import DataKeyError, generate_key, install_keys, key_ring
from storage.db import Database
from storage.models import (
    Base,
    BearingsCheck,
    Case,
    Flag,
    FlowSession,
    StuckWalkthrough,
    Visit,
)
from storage.rotation import TableProgress, encrypted_tables, rotate_keys
from tests.process_data import PROCESS_SECRETS, write_process
from tests.team import OTHER_WORKER_ID, SUPERVISOR_ID, WORKER_ID, seed_team
from tests.team import person_of as person

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
REFERENCE = "ZQ-4471"
"""Case references are not secret (never names): stored in clear, so they prove the scan works."""

SECRETS = {
    "name": "Quillfeather Zephyrine",
    "visit": "Mum said Okonkwo-visit-secret about the flat",
    "next_step": "Ring Dr Vasquez-nextstep tomorrow",
    "corrected": "Corrected-wording Tamsin-visit",
    "task": "Decide Brightwater-task plan",
    "feelings": "Worried Halloran-feelings but steady",
    "decisions": "Wait for Pemberly-decision",
    "action": "Call Ashgrove-action school",
    "flag": "Dad shouting Mordecai-flag at night",
    "outcome": "Spoke to Ingleby-outcome duty team",
    "closing": "Moved to Thistlewood-closing county",
    "bearings": "Tired after Carrow-bearings week",
    "stuck": "Going round in Fennimore-stuck circles",
    "flow": "Half-typed Lockhart-flow sentence",
    "inbox": "Typed into Telegram Wrenfield-inbox",
    "failed": "Kept because Oduya-failed went wrong",
    "reply": "Reply quoting Blackmore-reply words",
    "username": "Zephyrine_handle",
    "import": "PENDINGREF-5521",
    "incident": "Window broken Harrowgate-incident Tuesday",
    **PROCESS_SECRETS,
}


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(MONDAY)


@pytest.fixture
def restore_keys(data_keys: list[str]) -> Iterator[None]:
    """Tests that install their own keys put the run's key back afterwards."""
    yield
    install_keys(data_keys)


async def write_everything(database: Database, clock: MovableClock) -> None:
    """Every kind of free text Bearings keeps, through the services where there is one."""
    await seed_team(database, clock)
    async with database.unit_of_work() as uow:
        invite = await onboarding.create_invite(
            uow, clock, telegram_user_id=SUPERVISOR_ID, role=Role.WORKER, invite_ttl_days=7
        )
        await onboarding.join_team(
            uow,
            clock,
            token=invite.token,
            telegram_user_id=3003,
            display_name=SECRETS["name"],
            username=SECRETS["username"],
        )
        # A caseload file waiting for Import: its rows are kept, encrypted, until then.
        waiting = (
            f"reference,key worker,stage\n{SECRETS['import']},@{SECRETS['username']},closing\n"
        )
        preview = await caseload_import.preview_upload(
            uow, clock, telegram_user_id=SUPERVISOR_ID, content=waiting.encode()
        )
        assert preview.pending_id is not None
    alex, sam = await person(database, WORKER_ID), await person(database, SUPERVISOR_ID)
    kim = await person(database, OTHER_WORKER_ID)

    async with database.unit_of_work() as uow:
        answers: dict[str, Any] = {"reference": REFERENCE, "stage": "engagement", "cadence": 7}
        await cases.create_case(uow, clock, alex, answers)
        case = await uow.cases.by_reference(alex.team_id, REFERENCE)
        assert case is not None
        case_id = case.id
    async with database.unit_of_work() as uow:
        visit = {"case": case_id, "date": TODAY.isoformat(), "how": SECRETS["visit"]}
        await visits.save_visit(uow, clock, alex, {**visit, "risk": "same"} | {"next": None})
        await visits.save_visit(
            uow, clock, alex, {**visit, "risk": "up", "next": SECRETS["next_step"]}
        )
        visit_id = (await uow.session.scalars(select(Visit.id).order_by(Visit.id))).first()
    async with database.unit_of_work() as uow:
        # The first visit's wording corrected: the old wording is kept as a revision.
        await notes.correct_note(
            uow, clock, alex, {"note": f"v.{visit_id}.0", "text": SECRETS["corrected"]}
        )
    async with database.unit_of_work() as uow:
        await supervision.save_supervision(
            uow,
            clock,
            alex,
            {
                "case": case_id,
                "held_on": TODAY.isoformat(),
                "kind": "thinking_together",
                "task": SECRETS["task"],
                "feelings": SECRETS["feelings"],
                "risk": "same",
                "decisions": SECRETS["decisions"],
                "action_1": SECRETS["action"],
                "action_1_owner": kim.member_id,
                "action_1_due": "2026-11-27",
            },
        )
    async with database.unit_of_work() as uow:
        await flags.raise_flag(
            uow,
            clock,
            alex,
            case_id=case_id,
            urgency=Urgency.TODAY,
            source="case",
            summary=SECRETS["flag"],
        )
        flag_id = (await uow.session.scalars(select(Flag.id))).one()
    async with database.unit_of_work() as uow:
        answers = {"flag": flag_id, "outcome": SECRETS["outcome"]}
        await flags.resolve_flag(uow, clock, sam, answers)
    async with database.unit_of_work() as uow:
        await engagement.record_incident(
            uow, clock, alex, {"case": case_id, "what": SECRETS["incident"]}
        )
    async with database.unit_of_work() as uow:
        await uow.bearings.add(
            BearingsCheck(
                team_id=alex.team_id,
                member_id=alex.member_id,
                taken_at=clock.now(),
                ratings={"relationship": 3},
                note=SECRETS["bearings"],
            )
        )
        await uow.stuck.add(
            StuckWalkthrough(
                team_id=alex.team_id,
                worker_id=alex.member_id,
                case_id=case_id,
                answers={"what": SECRETS["stuck"]},
                endings="supervisor",
                created_at=clock.now(),
            )
        )
        await uow.flows.add(
            FlowSession(
                member_id=kim.member_id,
                flow="visit",
                step="next",
                answers={"case": case_id, "how": SECRETS["flow"]},
                case_id=case_id,
                started_at=clock.now(),
                updated_at=clock.now(),
            )
        )
        payload = {"update_id": 77, "message": {"text": SECRETS["inbox"], "chat": {"id": 1}}}
        failed = {"update_id": 78, "message": {"text": SECRETS["failed"], "chat": {"id": 1}}}
        await uow.inbox.receive([(77, 1, payload), (78, 1, failed)], clock.now())
        row = await uow.inbox.claim(78)
        assert row is not None
        reply = {"method": "sendMessage", "params": {"chat_id": 1, "text": SECRETS["reply"]}}
        await uow.inbox.mark_handled(row, [reply], clock.now(), failed=True)
    # The key-worker process, ending in the closing with its evaluation.
    await write_process(database, clock, alex, kim, case_id, TODAY)
    async with database.unit_of_work() as uow:
        closed = await uow.cases.get(case_id)
        assert closed is not None
        closed.closing_reason = SECRETS["closing"]


async def every_encrypted_value(database: Database) -> list[tuple[str, str, Any, str]]:
    """(table, column, primary key, stored token) for every non-empty encrypted value."""
    found: list[tuple[str, str, Any, str]] = []
    async with database.engine.connect() as connection:
        for spec in encrypted_tables():
            for name in spec.columns:
                rows = await connection.execute(
                    text(
                        f"SELECT {spec.primary_key}, {name} FROM {spec.name} "
                        f"WHERE {name} IS NOT NULL ORDER BY {spec.primary_key}"
                    )
                )
                found.extend((spec.name, name, key, token) for key, token in rows)
    return found


async def raw_database_text(database: Database) -> bytes:
    """Everything stored, read underneath SQLAlchemy's types."""
    if database.is_sqlite:
        path = Path(str(make_url(database.url).database))
        files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
        before = b"".join(f.read_bytes() for f in files if f.exists())
        # Move the WAL into the main file, on a connection of our own (no transaction open).
        checkpoint = sqlite3.connect(path)
        try:
            busy, _, _ = checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            checkpoint.close()
        assert busy == 0
        after = b"".join(f.read_bytes() for f in files if f.exists())
        return before + after
    chunks: list[bytes] = []
    async with database.engine.connect() as connection:
        columns = await connection.execute(
            text(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
            )
        )
        for table, column, data_type in columns.all():
            cast = f'"{column}"' if data_type == "bytea" else f'"{column}"::text'
            values = await connection.execute(text(f'SELECT {cast} FROM "{table}"'))
            for (value,) in values:
                if value is not None:
                    chunks.append(value if isinstance(value, bytes) else str(value).encode())
    return b"\n".join(chunks)


# --- no plaintext at rest ----------------------------------------------------------------------


@pytest.mark.file_database
async def test_no_note_answer_name_or_summary_is_stored_in_plaintext(
    database: Database, clock: MovableClock
) -> None:
    await write_everything(database, clock)

    raw = (await raw_database_text(database)).lower()

    assert REFERENCE.lower().encode() in raw, "the scan must see stored data at all"
    leaked = [key for key, secret in SECRETS.items() if secret.lower().encode() in raw]
    assert leaked == []
    # Every fragment, not just the whole strings (a value split or re-encoded would show here).
    words = {w for s in SECRETS.values() for w in s.split() if "-" in w}
    assert [w for w in words if w.lower().encode() in raw] == []


async def test_every_encrypted_column_was_written_by_the_plaintext_test(
    database: Database, clock: MovableClock
) -> None:
    """A new encrypted column must get a distinctive string in ``write_everything``."""
    await write_everything(database, clock)
    stored = {(table, column) for table, column, _, _ in await every_encrypted_value(database)}
    expected = {(spec.name, c) for spec in encrypted_tables() for c in spec.columns}
    assert expected - stored == set()
    readable = [key_ring().decrypt(token) for *_, token in await every_encrypted_value(database)]
    assert any(SECRETS["outcome"] in value for value in readable)


def test_the_models_encrypted_columns_are_all_found() -> None:
    found = {(spec.name, c) for spec in encrypted_tables() for c in spec.columns}
    assert {
        ("members", "display_name"),
        ("members", "telegram_username"),
        ("pending_imports", "rows"),
        ("cases", "closing_reason"),
        ("flow_sessions", "answers"),
        ("inbox", "payload"),
        ("inbox", "replies"),
        ("visits", "how_it_went"),
        ("visits", "next_step"),
        ("supervision_notes", "content"),
        ("actions", "text"),
        ("note_revisions", "previous"),
        ("stuck_walkthroughs", "answers"),
        ("bearings_checks", "ratings"),
        ("bearings_checks", "note"),
        ("flags", "summary"),
        ("flags", "outcome"),
        ("flags", "urgency"),
        ("flags", "source"),
        ("visits", "risk_change"),
    } <= found
    assert {name for name, _ in found} <= set(Base.metadata.tables)


CODES = (("visits", "risk_change"), ("flags", "urgency"), ("flags", "source"))
"""Short codes with no distinctive string to search for: read column by column instead."""


async def stored_codes(database: Database) -> dict[tuple[str, str], list[str]]:
    """The codes as stored, underneath SQLAlchemy's types, oldest row first."""
    async with database.engine.connect() as connection:
        return {
            (table, column): [
                value
                for (value,) in await connection.execute(
                    text(f"SELECT {column} FROM {table} ORDER BY id")
                )
            ]
            for table, column in CODES
        }


async def test_a_visits_risk_change_and_a_flags_urgency_and_source_are_encrypted(
    database: Database, clock: MovableClock
) -> None:
    await write_everything(database, clock)
    alex = await person(database, WORKER_ID)
    async with database.unit_of_work() as uow:
        # A second flag, still open: the metrics count open flags by their urgency.
        await flags.raise_flag(
            uow, clock, alex, case_id=None, urgency=Urgency.WEEK, source="stuck", summary="x"
        )

    stored = await stored_codes(database)

    assert all(value.startswith("gAAAAA") for values in stored.values() for value in values)
    assert {key: [key_ring().decrypt(v) for v in values] for key, values in stored.items()} == {
        ("visits", "risk_change"): ["same", "up"],
        ("flags", "urgency"): ["today", "week"],
        ("flags", "source"): ["case", "stuck"],
    }
    async with database.unit_of_work() as uow:
        assert await uow.flags.open_counts() == {("week", "open"): 1}
        visits_read = (await uow.session.scalars(select(Visit).order_by(Visit.id))).all()
        assert [v.risk_change for v in visits_read] == ["same", "up"]


# --- key rotation ------------------------------------------------------------------------------


def under(key: str, token: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


async def read_every_row(database: Database) -> int:
    """Load every row of every model through the ORM (each encrypted value decrypted)."""
    rows = 0
    async with database.unit_of_work() as uow:
        for mapper in Base.registry.mappers:
            rows += len((await uow.session.scalars(select(mapper.class_))).all())
    return rows


async def test_rotation_moves_every_value_to_the_new_key_and_the_old_one_can_go(
    database: Database, clock: MovableClock, restore_keys: None
) -> None:
    old, new = generate_key(), generate_key()
    install_keys([old])
    await write_everything(database, clock)
    before = await every_encrypted_value(database)
    assert before and all(under(old, token) for *_, token in before)

    ring = install_keys([new, old])
    seen: list[TableProgress] = []
    report = await rotate_keys(database, ring, batch_size=3, progress=seen.append)

    assert report.values_rotated == len(before) and report.values_current == 0
    after = await every_encrypted_value(database)
    assert [(t, c, k) for t, c, k, _ in after] == [(t, c, k) for t, c, k, _ in before]
    assert all(under(new, token) and not under(old, token) for *_, token in after)
    assert {p.table for p in seen} == {spec.name for spec in encrypted_tables()}
    assert all(p.finished for p in report.tables)

    install_keys([new])  # the old key removed
    assert await read_every_row(database) > len(SECRETS)
    async with database.unit_of_work() as uow:
        case = (await uow.session.scalars(select(Case))).one()
        assert case.closing_reason == SECRETS["closing"]
        member = await uow.members.by_telegram_id(3003)
        assert member is not None and member.display_name == SECRETS["name"]

    install_keys([old])
    with pytest.raises(DataKeyError):
        await read_every_row(database)


async def test_running_the_rotation_again_changes_nothing(
    database: Database, clock: MovableClock, restore_keys: None
) -> None:
    old, new = generate_key(), generate_key()
    install_keys([old])
    await write_everything(database, clock)
    ring = install_keys([new, old])
    first = await rotate_keys(database, ring)
    rotated = await every_encrypted_value(database)

    again = await rotate_keys(database, ring)

    assert first.values_rotated > 0
    assert again.values_rotated == 0 and again.values_current == first.values_rotated
    assert await every_encrypted_value(database) == rotated  # not even re-encrypted


class Interrupted(Exception):
    pass


async def test_an_interrupted_rotation_keeps_its_batches_and_a_rerun_finishes(
    database: Database, clock: MovableClock, restore_keys: None
) -> None:
    old, new = generate_key(), generate_key()
    install_keys([old])
    await write_everything(database, clock)
    total = len(await every_encrypted_value(database))
    ring = install_keys([new, old])
    batches = 0

    def stop_after_four_batches(progress: TableProgress) -> None:
        nonlocal batches
        batches += 1
        if batches == 4:
            raise Interrupted  # as if the operator pressed Ctrl-C

    with pytest.raises(Interrupted):
        await rotate_keys(database, ring, batch_size=1, progress=stop_after_four_batches)

    midway = await every_encrypted_value(database)
    moved = sum(under(new, token) for *_, token in midway)
    assert 0 < moved < total and all(under(new, t) or under(old, t) for *_, t in midway)
    # The bot keeps running meanwhile, with both keys.
    assert await read_every_row(database) > 0

    rerun = await rotate_keys(database, ring, batch_size=2)

    assert rerun.values_rotated == total - moved and rerun.values_current == moved
    assert all(under(new, token) for *_, token in await every_encrypted_value(database))
    install_keys([new])
    assert await read_every_row(database) > 0


async def test_a_value_no_key_can_read_stops_the_rotation_naming_the_row_not_the_value(
    database: Database, clock: MovableClock, restore_keys: None
) -> None:
    lost, kept = generate_key(), generate_key()
    install_keys([lost])
    await write_everything(database, clock)
    ring = install_keys([generate_key(), kept])  # the key the data was written with is gone

    with pytest.raises(DataKeyError) as error:
        await rotate_keys(database, ring)

    message = str(error.value)
    assert re.match(r"(\w+)\.(\w+) of row \d+ cannot be decrypted", message), message
    assert not any(secret in message for secret in SECRETS.values())
