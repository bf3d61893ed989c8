"""Storage on real SQLite and PostgreSQL: encryption at rest, inbox idempotence, SQLite settings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, text

from storage.crypto import DataKeyError, KeyRing, generate_key, install_keys
from storage.db import Database
from storage.models import Member, Team

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def _team_with_member(database: Database, name: str) -> None:
    async with database.unit_of_work() as uow:
        team = await uow.teams.add(
            Team(name="North", timezone="Europe/London", settings={}, created_at=NOW)
        )
        await uow.members.add(
            Member(
                team_id=team.id, telegram_user_id=1, role="worker", display_name=name, joined_at=NOW
            )
        )


async def test_free_text_is_encrypted_at_rest(database: Database) -> None:
    await _team_with_member(database, "Ffion Secretname")
    async with database.engine.connect() as connection:
        raw = (await connection.execute(text("SELECT display_name FROM members"))).scalar_one()
    assert "Ffion" not in raw and raw.startswith("gAAAA")
    async with database.unit_of_work() as uow:
        member = await uow.members.by_telegram_id(1)
        assert member is not None and member.display_name == "Ffion Secretname"


async def test_old_keys_still_decrypt_after_a_new_key_is_added(database: Database) -> None:
    old = generate_key()
    install_keys([old])
    try:
        await _team_with_member(database, "Written under the old key")
        install_keys([generate_key(), old])
        async with database.unit_of_work() as uow:
            member = await uow.members.by_telegram_id(1)
            assert member is not None and member.display_name == "Written under the old key"
        install_keys([generate_key()])
        with pytest.raises(DataKeyError):
            async with database.unit_of_work() as uow:
                await uow.members.by_telegram_id(1)
    finally:
        install_keys([old])


def test_the_first_key_encrypts_and_rotation_moves_tokens_to_it() -> None:
    old, new = generate_key(), generate_key()
    token = KeyRing([old]).encrypt("note")
    ring = KeyRing([new, old])
    assert not ring.is_current(token)
    rotated = ring.rotate(token)
    assert ring.is_current(rotated) and KeyRing([new]).decrypt(rotated) == "note"


async def test_a_repeated_update_is_stored_once(database: Database) -> None:
    update = {"update_id": 77, "message": {"text": "hello"}}
    async with database.unit_of_work() as uow:
        assert await uow.inbox.receive([(77, 5, update)], NOW) == {77}
    async with database.unit_of_work() as uow:
        assert await uow.inbox.receive([(77, 5, update), (78, 5, update)], NOW) == {78}
        rows = await uow.inbox.unfinished()
    assert [row.update_id for row in rows] == [77, 78]
    async with database.engine.connect() as connection:
        raw = (
            await connection.execute(text("SELECT payload FROM inbox WHERE update_id = 77"))
        ).scalar_one()
    assert "hello" not in raw


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'pragmas.db'}")
    try:
        async with database.engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
    finally:
        await database.dispose()


async def test_foreign_keys_are_enforced(database: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        async with database.unit_of_work() as uow:
            await uow.members.add(
                Member(
                    team_id=999, telegram_user_id=2, role="worker", display_name="x", joined_at=NOW
                )
            )


async def test_a_person_is_read_with_their_team_in_one_statement(database: Database) -> None:
    await _team_with_member(database, "Ffion Secretname")
    statements: list[str] = []

    def executed(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", executed)
    try:
        async with database.unit_of_work() as uow:
            statements.clear()
            member = await uow.members.by_telegram_id(1)
            assert member is not None
            team = await uow.teams.get(member.team_id)
            assert team is not None and team.name == "North"
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", executed)
    assert len(statements) == 1
