"""Shared fixtures: data keys, and real databases (a SQLite file; a fresh PostgreSQL database).

PostgreSQL tests run against the server at 127.0.0.1:5432 (or
``BEARINGS_TEST_POSTGRES_URL``, an admin URL). A fresh database is created for
each test run and dropped at the end. They are never skipped silently: if the
server cannot be reached the run fails, unless ``BEARINGS_SKIP_POSTGRES=1`` is
set on purpose on a machine without PostgreSQL.
"""

from __future__ import annotations

import asyncio
import compileall
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
import pytest
from sqlalchemy import text

from bot.services.startup import prepare_services
from storage.crypto import generate_key, install_keys
from storage.db import Database
from storage.schema import upgrade_to_head
from tests.outbox_notes import register_note_composers

if TYPE_CHECKING:
    from bot.clock import MovableClock
    from tests.big_team import BigTeam

ADMIN_URL = os.environ.get(
    "BEARINGS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SKIP_POSTGRES = os.environ.get("BEARINGS_SKIP_POSTGRES") == "1"
REQUIRE_POSTGRES = os.environ.get("BEARINGS_REQUIRE_POSTGRES") == "1"
_postgres_passed = 0
PROJECT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "prompts", "storage", "bench")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile Bearings' modules once, before the workers start.

    Many tests start the bot or the command line as a child process. When the
    environment sets PYTHONDONTWRITEBYTECODE (this machine and CI do), every one
    of those would compile every module again from source: about 0.6 s of CPU
    each, minutes over the suite. Files already compiled and unchanged are skipped.
    """
    if hasattr(session.config, "workerinput"):
        return
    for package in PACKAGES:
        compileall.compile_dir(PROJECT / package, quiet=1)


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


BATTERY_LANES = 2


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The reliability battery runs in two lanes, beside the rest of the suite.

    Its tests take half a minute to a minute and a half each and keep a bot process
    busy. With ``--dist loadgroup`` (``make test``) each lane is a group that one
    worker runs from the start, largest groups first, while the other workers take
    the short tests: no long test is left for the end, and no more than two run at
    once on this two-core machine.
    """
    battery = [item for item in items if item.get_closest_marker("reliability")]
    for number, item in enumerate(battery):
        item.add_marker(pytest.mark.xdist_group(f"battery-{number % BATTERY_LANES}"))


TEST_DEFAULT_TIMEZONE = "Europe/London"
"""The ``DEFAULT_TIMEZONE`` the tests' services run with (the setting's own default)."""


@pytest.fixture(scope="session", autouse=True)
def services_prepared() -> None:
    """Register the flow endings, checks and outbox composers (and the tests' own note
    composers) once per process, as ``bot.app.build`` does at start-up."""
    prepare_services(default_timezone=TEST_DEFAULT_TIMEZONE)
    register_note_composers()


@pytest.fixture(scope="session")
def run_keys() -> list[str]:
    """A fresh data key for the whole run."""
    return [generate_key()]


@pytest.fixture(autouse=True)
def data_keys(run_keys: list[str]) -> list[str]:
    """The run's data key, installed again before every test: a test that rotates keys
    installs its own, and the next test in the same worker must not inherit them."""
    install_keys(run_keys)
    return run_keys


def skip_if_postgres_is_off() -> None:
    """Skip a PostgreSQL test when BEARINGS_SKIP_POSTGRES=1 (never where it is required)."""
    if SKIP_POSTGRES and not REQUIRE_POSTGRES:
        pytest.skip("BEARINGS_SKIP_POSTGRES=1: PostgreSQL tests switched off on purpose")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this run; dropped afterwards."""
    skip_if_postgres_is_off()
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


FAST = os.environ.get("BEARINGS_FAST") == "1"
"""The fast tier (``make test-fast``): every database an in-memory SQLite one, no PostgreSQL."""

DATABASES = ["memory"] if FAST else ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database: a new SQLite file, or the run's PostgreSQL one
    (in the fast tier, a private in-memory SQLite database, except for tests marked
    ``file_database``: several connections at once need a file's locking, not a shared
    cache's table locks; PostgreSQL's tests are left to ``make test``)."""
    if FAST and request.param == "postgres":
        pytest.skip("the fast tier runs without PostgreSQL (make test runs these)")
    if request.param == "memory" and request.node.get_closest_marker("file_database") is None:
        name = f"bearings-{uuid.uuid4().hex}"
        return f"sqlite+aiosqlite:///file:{name}?mode=memory&cache=shared&uri=true"
    if request.param in ("sqlite", "memory"):
        return f"sqlite+aiosqlite:///{tmp_path / 'bearings.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


_migrated_template: Path | None = None
"""The fast tier's migrated, empty SQLite database, made once per test process and copied
into each test's in-memory database (running the migrations for every test costs more than
the test)."""


async def _template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    global _migrated_template
    if _migrated_template is None:
        path = tmp_path_factory.mktemp("template") / "migrated.db"
        template = Database(f"sqlite+aiosqlite:///{path}")
        await upgrade_to_head(template.engine)
        await template.dispose()
        _migrated_template = path
    return _migrated_template


@pytest.fixture
async def database(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Database]:
    """A migrated database with every table empty."""
    keeper: sqlite3.Connection | None = None
    if "mode=memory" in database_url:
        # The shared-cache database lives while one connection holds it: copy the template in.
        keeper = sqlite3.connect(database_url.split("///", 1)[1].replace("&uri=true", ""), uri=True)
        with sqlite3.connect(await _template(tmp_path_factory)) as template:
            template.backup(keeper)
    db = Database(database_url)
    if not db.is_sqlite:
        # The run's PostgreSQL database is shared: every test gets a freshly built schema.
        async with db.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    if keeper is None:
        await upgrade_to_head(db.engine)
    yield db
    await db.dispose()
    if keeper is not None:
        keeper.close()


@pytest.fixture
async def big_team(database: Database, clock: MovableClock) -> BigTeam:
    """North Team at a real team's size (a supervisor, eight workers, 120 cases, ten weeks of
    history) and South Team of 25 beside it, seeded into the test's database at the test's
    clock (tests/big_team.py; about 2 s on either database).

    The test's folder or module provides ``clock`` (tests/e2e/conftest.py does). Ask for
    ``big_team`` before ``bot`` so that the bot starts on the seeded data.
    """
    from tests.big_team import seed_big_team  # only where used: it imports the services

    return await seed_big_team(database, clock)
