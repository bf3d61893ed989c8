"""Issue 9.5: the database fails under people mid-conversation.

On SQLite another connection takes the write lock (``BEGIN IMMEDIATE``) for seconds at a
time, longer than the bot's busy timeout (shortened here so the test stays short). On
PostgreSQL, twice over: the server is restarted again and again in the middle of the run
(a server of the test's own, so the other tests sharing the machine's server are left
alone), and, on the machine's server, every connection the bot has is cut
(``pg_terminate_backend``) every few tenths of a second. Each update's unit of work is
retried whole; a person sees the next step, or "please send it again" and sends it again;
every visit is saved once and complete, and no conversation is left half-way.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial

import asyncpg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from storage.models import Case, FlowSession, Visit
from storage.schema import upgrade_to_head
from tests.conftest import ADMIN_URL, skip_if_postgres_is_off
from tests.e2e.conftest import bot_settings, running
from tests.reliability.battery import figure, report, size
from tests.reliability.people import Person, seed_crowd, visit
from tests.reliability.private_postgres import PrivateServer

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

PEOPLE = size("DB_PEOPLE", 12)
LOCK_SECONDS = figure("LOCK_SECONDS", 2.0)
BUSY_TIMEOUT_MS = 300


async def hold_the_write_lock(path: str, stop: asyncio.Event, faults: list[str]) -> None:
    """Take SQLite's write lock for LOCK_SECONDS, let go briefly, again, until told to stop."""
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    try:
        while not stop.is_set():
            # In a thread: the bot, on this event loop, may hold the lock for a moment.
            await asyncio.to_thread(blocker.execute, "BEGIN IMMEDIATE")
            faults.append("locked")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), LOCK_SECONDS)
            blocker.execute("ROLLBACK")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)
    finally:
        blocker.close()


async def cut_connections(url: str, stop: asyncio.Event, faults: list[str]) -> None:
    """Terminate every server connection to the bot's database, every few tenths of a second."""
    name = make_url(url).database
    admin = await asyncpg.connect(ADMIN_URL, timeout=5)
    try:
        while not stop.is_set():
            cut = await admin.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
            faults.extend("cut" for _ in cut)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.3)
    finally:
        await admin.close()


async def restart_mid_run(
    server: PrivateServer,
    emulator: BotApiEmulator,
    stop: asyncio.Event,
    faults: list[str],
) -> None:
    """Restart the server each time the bot's replies pass a quarter, a half and three
    quarters of what the people will be sent: in the middle of the run, every time (by the
    time ``stop`` is set, every mark has been passed)."""
    expected = PEOPLE * len(visit("", "", ""))
    for mark in (expected // 4, expected // 2, expected * 3 // 4):
        await emulator.wait_until(lambda m=mark: emulator.stats["sent_messages"] >= m, timeout=60)
        if stop.is_set():
            return
        await server.restart()
        faults.append("restarted")


@pytest.fixture
async def restartable() -> AsyncIterator[PrivateServer]:
    """A PostgreSQL server of this test's own, running; removed afterwards."""
    skip_if_postgres_is_off()
    server = PrivateServer()
    try:
        await server.start()
        yield server
    finally:
        await server.remove()


async def test_people_see_their_step_or_please_try_again_never_half_a_step(
    emulator: BotApiEmulator,
    database: Database,
    clock: MovableClock,
    data_keys: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("storage.db.SQLITE_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS)
    path = database.sqlite_path()
    if path is not None:
        await visit_through_faults(
            emulator, database, clock, data_keys, partial(hold_the_write_lock, str(path)), "SQLite"
        )
    else:
        await visit_through_faults(
            emulator,
            database,
            clock,
            data_keys,
            partial(cut_connections, database.url),
            "PostgreSQL, connections cut",
        )


@pytest.mark.postgres
async def test_a_postgresql_restart_mid_run_leaves_no_step_half_done(
    emulator: BotApiEmulator,
    clock: MovableClock,
    data_keys: list[str],
    restartable: PrivateServer,
) -> None:
    database = Database(restartable.url)
    try:
        await upgrade_to_head(database.engine)
        await visit_through_faults(
            emulator,
            database,
            clock,
            data_keys,
            partial(restart_mid_run, restartable, emulator),
            "PostgreSQL, restarted",
        )
    finally:
        await database.dispose()
    assert restartable.restarts == 3


async def visit_through_faults(
    emulator: BotApiEmulator,
    database: Database,
    clock: MovableClock,
    data_keys: list[str],
    fault: Callable[[asyncio.Event, list[str]], Awaitable[None]],
    name: str,
) -> None:
    """People log visits while ``fault`` makes the database fail; check that each visit was
    kept once and whole, and report."""
    crowd = await seed_crowd(database, clock, workers=PEOPLE)
    people = [Person(emulator, w.user_id, w.name, timeout=60) for w in crowd.workers]
    stop, faults = asyncio.Event(), list[str]()
    async with running(bot_settings(emulator, database.url, data_keys), clock):
        faulting = asyncio.create_task(fault(stop, faults))
        await asyncio.gather(
            *(
                p.walk(visit(w.cases[0], f"Visit to {w.cases[0]}", f"Ring {w.cases[0]}"))
                for p, w in zip(people, crowd.workers, strict=True)
            )
        )
        stop.set()
        await faulting

    async with database.unit_of_work() as uow:
        cases = {c.id: c.reference for c in (await uow.session.scalars(select(Case))).all()}
        visits = (await uow.session.scalars(select(Visit))).all()
        open_flows = (
            await uow.session.scalars(select(FlowSession).where(FlowSession.status == "open"))
        ).all()
    assert sorted(cases[v.case_id] for v in visits) == sorted(w.cases[0] for w in crowd.workers)
    assert all(
        (v.how_it_went, v.next_step, v.risk_change)
        == (f"Visit to {cases[v.case_id]}", f"Ring {cases[v.case_id]}", "same")
        for v in visits
    )
    assert open_flows == []
    assert faults
    report(
        f"database faults ({name})",
        faults_injected=len(faults),
        updates_sent=len(emulator.confirmed_update_ids),
        replies_received=sum(len(p.messages()) for p in people),
        please_try_again=sum(p.tries_again for p in people),
        duplicates=sum(p.repeats() for p in people),
        losses=PEOPLE - len(visits),
    )
