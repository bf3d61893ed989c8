"""Migrations: the models match them, and start-up refuses a database it does not match."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from bot.app import StartupError, ensure_schema
from storage.db import Database
from storage.models import Base
from storage.schema import schema_state


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
