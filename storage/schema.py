"""Apply and check Alembic migrations from inside the application.

Bearings runs Alembic on the application's own async engine (Alembic's
"connection sharing" recipe), so ``bearings migrate``, start-up and tests all
go through the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import READ_ONLY

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str = "") -> Config:
    """An Alembic config pointing at Bearings' migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


@dataclass(frozen=True)
class SchemaState:
    """Where the database stands against the code's migrations."""

    current: str | None
    head: str
    state: str  # "current", "behind", "empty" or "ahead"


async def schema_state(engine: AsyncEngine) -> SchemaState:
    """Compare the database's revision with the newest migration this code knows."""
    async with engine.connect() as connection:
        # Only reads: on SQLite a plain BEGIN, so a writer holding the database never delays it.
        await connection.execution_options(**{READ_ONLY: True})
        current = await connection.run_sync(_current_revision)
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head() or ""
    if current is None:
        return SchemaState(None, head, "empty")
    if current == head:
        return SchemaState(current, head, "current")
    try:
        script.get_revision(current)
    except CommandError:
        return SchemaState(current, head, "ahead")
    return SchemaState(current, head, "behind")


async def upgrade_to_head(engine: AsyncEngine) -> None:
    """Apply every migration not yet applied."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
