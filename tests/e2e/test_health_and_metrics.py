"""/healthz and /metrics on the bot's own HTTP server (here beside long polling)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text

from bot.app import Bearings
from bot.clock import MovableClock
from bot.ops.health import check_health, scheduler_age, tick_deadline
from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from tests.e2e.conftest import Chatter, bot_settings, running
from tests.e2e.test_flags import ALEX, SAM, add_case, raise_flag
from tests.ops import free_port, samples, with_ops_server
from tests.team import seed_team
from tests.waiting import eventually


@pytest.fixture
async def watched(
    emulator: BotApiEmulator, database: Database, clock: MovableClock, data_keys: list[str]
) -> AsyncIterator[Bearings]:
    """The real bot, polling, with /healthz and /metrics served on a free port."""
    settings = with_ops_server(bot_settings(emulator, database.url, data_keys))
    async with running(settings, clock) as bearings:
        yield bearings


def url(bearings: Bearings, path: str) -> str:
    assert bearings.server is not None and bearings.server.port is not None
    return f"http://127.0.0.1:{bearings.server.port}{path}"


async def get(bearings: Bearings, path: str) -> tuple[int, str, str]:
    """GET a page from the bot's server: (status, content type, body)."""
    async with aiohttp.ClientSession() as session, session.get(url(bearings, path)) as response:
        return response.status, response.headers["Content-Type"], await response.text()


async def health(bearings: Bearings) -> tuple[int, dict[str, Any]]:
    """GET /healthz: (status, the report)."""
    status, _, body = await get(bearings, "/healthz")
    return status, json.loads(body)


async def test_healthz_says_healthy_when_database_migrations_and_scheduler_are_fine(
    watched: Bearings,
) -> None:
    async def healthy() -> bool:
        return (await health(watched))[0] == 200

    await eventually(healthy)  # once the first tick has run
    status, report = await health(watched)
    assert status == 200 and report["healthy"] is True
    assert report["database"] == {"ok": True}
    assert report["migrations"]["ok"] is True and report["migrations"]["state"] == "current"
    assert report["scheduler"]["ok"] is True
    assert report["scheduler"]["last_tick_seconds_ago"] < report["scheduler"]["allowed_seconds"]
    assert report["delivery"] == {"last_sent_at": None}


async def test_healthz_is_healthy_from_start_up_before_the_first_tick_has_run(
    watched: Bearings,
) -> None:
    # As just after start: the periodic job is scheduled but has not run yet.
    watched.last_tick, watched.started_at = None, time.monotonic()
    status, report = await health(watched)
    assert status == 200 and report["scheduler"]["ok"] is True


def test_the_schedulers_age_is_judged_from_start_up_until_its_first_run() -> None:
    assert scheduler_age(100.0, last_tick=None, started_at=None) is None
    assert scheduler_age(100.0, last_tick=None, started_at=98.0) == 2.0
    assert scheduler_age(100.0, last_tick=99.5, started_at=10.0) == 0.5
    # Started long ago and never ran: old, so unhealthy.
    assert (scheduler_age(4000.0, last_tick=None, started_at=400.0) or 0) > tick_deadline(15)


async def test_healthz_says_unhealthy_when_the_database_is_behind_the_code(
    watched: Bearings, database: Database
) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '0007'"))
    status, report = await health(watched)
    assert status == 503
    assert report["healthy"] is False
    assert report["migrations"]["ok"] is False
    assert report["migrations"]["state"] == "behind"
    assert report["migrations"]["current"] == "0007"


async def test_metrics_move_after_a_flag_is_raised_and_delivered(
    watched: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    status, content_type, page = await get(watched, "/metrics")
    assert status == 200 and content_type.startswith("text/plain")
    before = samples(page)
    for name in (
        "bearings_update_handling_seconds_count",
        "bearings_planner_run_seconds_count",
        "bearings_outbox_depth",
        "bearings_outbox_oldest_due_age_seconds",
        "bearings_delivery_timeouts_total",
        "bearings_last_delivery_timestamp_seconds",
    ):
        assert (name, ()) in before, name
    assert before[("bearings_deliveries_total", (("outcome", "sent"),))] == 0
    assert before[("bearings_update_handling_seconds_count", ())] == 0

    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await raise_flag(alex, "Today", "Worried about tonight")
    await emulator.wait_for_bot_message(SAM, lambda m: "🚩 Flag" in m.text, after=0)

    async def flag_sent_and_planner_run() -> bool:
        # The planner runs on the bot's own timer: wait for its first run rather than
        # assuming it has already happened by the time the flag is delivered.
        page = samples((await get(watched, "/metrics"))[2])
        sent = page[("bearings_deliveries_total", (("outcome", "sent"),))] >= 1
        return sent and page[("bearings_planner_run_seconds_count", ())] >= 1

    await eventually(flag_sent_and_planner_run)
    after = samples((await get(watched, "/metrics"))[2])
    handled = ("bearings_updates_handled_total", (("kind", "message"), ("outcome", "handled")))
    pressed = (
        "bearings_updates_handled_total",
        (("kind", "callback_query"), ("outcome", "handled")),
    )
    assert after[handled] >= 4 and after[pressed] >= 3
    assert after[("bearings_update_handling_seconds_count", ())] >= 7
    assert after[("bearings_open_flags", (("state", "open"), ("urgency", "today")))] == 1
    assert after[("bearings_outbox_depth", ())] == 0
    assert after[("bearings_planner_run_seconds_count", ())] >= 1
    assert after[("bearings_last_delivery_timestamp_seconds", ())] > 0


async def test_healthz_says_unhealthy_when_the_database_cannot_be_reached() -> None:
    nowhere = Database(f"postgresql+asyncpg://bearings@127.0.0.1:{free_port()}/bearings")
    try:
        healthy, report = await check_health(nowhere, tick_age=1.0, tick_seconds=15)
    finally:
        await nowhere.dispose()
    assert healthy is False
    assert report["database"]["ok"] is False and report["migrations"]["ok"] is False
    assert report["scheduler"]["ok"] is True


async def test_healthz_says_unhealthy_when_the_scheduler_has_not_ticked_lately(
    database: Database,
) -> None:
    healthy, report = await check_health(database, tick_age=None, tick_seconds=15)
    assert healthy is False and report["database"]["ok"] is True
    stale = tick_deadline(15) + 1
    healthy, report = await check_health(database, tick_age=stale, tick_seconds=15)
    assert healthy is False and report["scheduler"]["ok"] is False
    healthy, _ = await check_health(database, tick_age=1.0, tick_seconds=15)
    assert healthy is True


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_healthz_and_metrics_only_read_so_a_writer_holding_the_database_does_not_stop_them(
    watched: Bearings, database: Database
) -> None:
    async def healthy() -> bool:
        return (await health(watched))[0] == 200

    await eventually(healthy)
    blocker = sqlite3.connect(database.url.split(":///", 1)[1], isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds SQLite's write lock
    try:
        # Prompt answers (a write would wait for the lock, up to the busy timeout).
        status, report = await asyncio.wait_for(health(watched), 2.0)
        assert status == 200 and report["database"] == {"ok": True}
        status, _, page = await asyncio.wait_for(get(watched, "/metrics"), 2.0)
        assert status == 200 and "bearings_outbox_depth 0.0" in page
    finally:
        blocker.rollback()
        blocker.close()
