"""Migrations: the models match them, and start-up refuses a database it does not match."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from bot.app import StartupError, ensure_schema
from bot.clock import MovableClock
from storage.crypto import key_ring
from storage.db import Database
from storage.models import Base, Flag
from storage.schema import alembic_config, schema_state, upgrade_to_head
from tests.integration.test_encryption_at_rest import stored_codes, write_everything


async def test_models_match_the_migrations(database: Database) -> None:
    def diff(connection: object) -> list[object]:
        context = MigrationContext.configure(connection)  # type: ignore[arg-type]
        return list(compare_metadata(context, Base.metadata))

    async with database.engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == []


async def test_a_migrated_database_is_current(database: Database) -> None:
    state = await schema_state(database.engine)
    assert state.state == "current" and state.current == state.head


async def test_start_up_refuses_a_database_newer_than_the_code(database: Database) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(StartupError, match="newer than this version of Bearings"):
        await ensure_schema(database, auto_migrate=True)


async def test_an_empty_database_is_migrated_only_when_allowed(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    try:
        with pytest.raises(StartupError, match="Run `bearings migrate` first"):
            await ensure_schema(database, auto_migrate=False)
        await ensure_schema(database, auto_migrate=True)
        assert (await schema_state(database.engine)).state == "current"
    finally:
        await database.dispose()


async def test_0013_encrypts_the_risk_changes_urgencies_and_sources_already_stored(
    database: Database,
) -> None:
    clock = MovableClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    await write_everything(database, clock)
    encrypted = await stored_codes(database)

    async with database.engine.begin() as connection:
        await connection.run_sync(_migrate, "downgrade", "0012")
    assert (await schema_state(database.engine)).current == "0012"
    plain = await stored_codes(database)  # as a database made before 0013 keeps them
    assert plain == {
        key: [key_ring().decrypt(v) for v in values] for key, values in encrypted.items()
    }
    assert plain[("flags", "urgency")] == ["today"]

    await upgrade_to_head(database.engine)

    again = await stored_codes(database)
    assert all(v.startswith("gAAAAA") for values in again.values() for v in values)
    assert decrypted(again) == plain
    async with database.unit_of_work() as uow:
        flag = (await uow.session.scalars(select(Flag))).one()
        assert (flag.urgency, flag.source) == ("today", "case")


def decrypted(codes: dict[tuple[str, str], list[str]]) -> dict[tuple[str, str], list[str]]:
    return {key: [key_ring().decrypt(v) for v in values] for key, values in codes.items()}


def _migrate(connection: Connection, direction: str, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    getattr(command, direction)(config, revision)
