"""Shared fixtures: data keys, and real databases (a SQLite file; a fresh PostgreSQL database).

PostgreSQL tests run against the server at 127.0.0.1:5432 (or
``BEARINGS_TEST_POSTGRES_URL``, an admin URL). A fresh database is created for
each test run and dropped at the end. They are never skipped silently: if the
server cannot be reached the run fails, unless ``BEARINGS_SKIP_POSTGRES=1`` is
set on purpose on a machine without PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text

from storage.crypto import generate_key, install_keys
from storage.db import Database
from storage.schema import upgrade_to_head

ADMIN_URL = os.environ.get(
    "BEARINGS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SKIP_POSTGRES = os.environ.get("BEARINGS_SKIP_POSTGRES") == "1"
REQUIRE_POSTGRES = os.environ.get("BEARINGS_REQUIRE_POSTGRES") == "1"
_postgres_passed = 0


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count PostgreSQL tests that really ran and passed."""
    global _postgres_passed
    if report.when == "call" and report.passed and "postgres" in report.keywords:
        _postgres_passed += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With BEARINGS_REQUIRE_POSTGRES=1 (CI), a run without passing PostgreSQL tests fails.

    Under pytest-xdist the controller decides, from the reports its workers send it.
    """
    if hasattr(session.config, "workerinput"):
        return
    if REQUIRE_POSTGRES and _postgres_passed == 0 and session.testscollected:
        print("\nBEARINGS_REQUIRE_POSTGRES=1 but no PostgreSQL test passed.")
        session.exitstatus = 1


@pytest.fixture(autouse=True, scope="session")
def data_keys() -> list[str]:
    """A fresh data key for the whole run (tests that rotate keys install their own)."""
    keys = [generate_key()]
    install_keys(keys)
    return keys


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this run; dropped afterwards."""
    if SKIP_POSTGRES and not REQUIRE_POSTGRES:
        pytest.skip("BEARINGS_SKIP_POSTGRES=1: PostgreSQL tests switched off on purpose")
    name = f"bearings_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(ADMIN_URL, timeout=5)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    try:
        asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {ADMIN_URL} ({error}). Start it, or set "
            "BEARINGS_SKIP_POSTGRES=1 to run without the PostgreSQL tests.",
            pytrace=False,
        )
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    url = f"{base}/{name}"

    yield url
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database: a new SQLite file, or the run's PostgreSQL one."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'bearings.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A migrated database with every table empty."""
    db = Database(database_url)
    if not db.is_sqlite:
        # The run's PostgreSQL database is shared: every test gets a freshly built schema.
        async with db.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await upgrade_to_head(db.engine)
    yield db
    await db.dispose()
