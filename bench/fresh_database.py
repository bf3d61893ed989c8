"""A fresh, migrated database for one benchmark run: a SQLite file or a new PostgreSQL database.

PostgreSQL is the server at 127.0.0.1:5432 (user postgres, trust authentication) or
``BEARINGS_BENCH_POSTGRES_URL`` (an admin URL), as in tests/conftest.py; the database is
created for the run and dropped afterwards, whatever happens in between.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

from storage.db import Database
from storage.schema import upgrade_to_head

ADMIN_URL = os.environ.get(
    "BEARINGS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgres")


def backends(choice: str) -> Sequence[str]:
    """The backends a ``--database sqlite|postgres|both`` choice names."""
    return BACKENDS if choice == "both" else (choice,)


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(ADMIN_URL, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@asynccontextmanager
async def fresh_url(backend: str) -> AsyncIterator[str]:
    """The URL of a new, empty database on ``backend``; removed when the block ends."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bearings-bench-") as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        return
    name = f"bearings_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    await _admin(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def fresh_database(backend: str) -> AsyncIterator[Database]:
    """A migrated, empty ``Database`` on ``backend``; disposed and removed afterwards."""
    async with fresh_url(backend) as url:
        database = Database(url)
        try:
            await upgrade_to_head(database.engine)
            yield database
        finally:
            await database.dispose()


@asynccontextmanager
async def migrated_url(backend: str) -> AsyncIterator[str]:
    """The URL of a new, migrated database on ``backend`` (for a bot run in another
    process, so this one holds no connection to it); removed when the block ends."""
    async with fresh_url(backend) as url:
        database = Database(url)
        try:
            await upgrade_to_head(database.engine)
        finally:
            await database.dispose()
        yield url
