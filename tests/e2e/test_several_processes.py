"""Two real ``bearings run`` processes in webhook mode behind one address, sharing one
PostgreSQL database: each update handled once and each chat in order whichever process
gets it, flows carried on across them, the planner run once per period overall, every
owed message sent once."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from bot.telegram.webhook import SECRET_HEADER
from storage.db import Database
from storage.models import JobRun, OutboxMessage
from tests.e2e.conftest import Chatter, add_case
from tests.e2e.test_flags import ALEX
from tests.ops import WEBHOOK_SECRET, BotProcess, free_port, process_env, samples
from tests.team import seed_team
from tests.waiting import eventually

pytestmark = pytest.mark.postgres

NUDGED = list(range(3401, 3411))
ORDERED = 3301
UNKNOWN, WELCOME = "don't recognise", "invite link from your supervisor"


class RoundRobin:
    """The one public address: forwards each webhook POST to the next process in turn,
    as a load balancer would, and answers with that process's status."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.forwarded: Counter[str] = Counter()
        self._next = itertools.cycle(backends)
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        backend = next(self._next)
        headers = {SECRET_HEADER: request.headers.get(SECRET_HEADER, "")}
        body = await request.read()
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.post(
                    backend,
                    data=body,
                    headers={**headers, "Content-Type": "application/json"},
                ) as response,
            ):
                self.forwarded[backend] += 1
                return web.Response(status=response.status, body=await response.read())
        except aiohttp.ClientConnectionError:  # that process is not up yet: Telegram retries
            return web.Response(status=502)


@pytest.fixture
async def balancer() -> AsyncIterator[RoundRobin]:
    ports = [free_port(), free_port()]
    robin = RoundRobin([f"http://127.0.0.1:{port}/telegram/webhook" for port in ports])
    app = web.Application()
    app.router.add_post("/telegram/webhook", robin.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    robin.url = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram/webhook"
    yield robin
    await runner.cleanup()


async def planner_figures(process: BotProcess) -> tuple[float, float]:
    """(ticks, planner runs) of one process, from its /metrics."""
    status, page = await process.get("/metrics")
    assert status == 200
    values = samples(page)
    return (
        values[("bearings_ticks_total", ())],
        values[("bearings_planner_run_seconds_count", ())],
    )


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_two_processes_behind_one_address_share_updates_flows_jobs_and_the_outbox(
    emulator: BotApiEmulator,
    database: Database,
    clock: MovableClock,
    data_keys: list[str],
    balancer: RoundRobin,
    tmp_path: Path,
) -> None:
    await seed_team(database, clock)
    due = datetime.now(UTC) - timedelta(minutes=1)
    async with database.unit_of_work() as uow:
        await uow.outbox.enqueue(
            [
                {
                    "key": f"shared:{chat}",
                    "kind": "bearings_prompt",
                    "chat_id": chat,
                    "due_at": due,
                    "created_at": due,
                }
                for chat in NUDGED
            ]
        )
    processes = [
        BotProcess(
            tmp_path / f"p{n}",
            process_env(
                emulator,
                database.url,
                data_keys,
                WEBHOOK_URL=balancer.url,
                WEBHOOK_SECRET=WEBHOOK_SECRET,
                LISTEN_PORT=backend.split(":")[2].split("/")[0],
            ),
        )
        for n, backend in enumerate(balancer.backends)
    ]
    try:
        await asyncio.gather(*(process.start() for process in processes))
        assert emulator.webhook.url == balancer.url

        # A conversation carries on whichever process gets each step.
        alex = Chatter(emulator, ALEX, "Alex")
        added = await add_case(alex, "FAM-0142")
        assert "FAM-0142" in added.text
        cases = await alex.send("/cases")
        assert "FAM-0142" in cases.text

        # One chat's updates, alternating between the processes, answered in order.
        for text in ("/start " + "A" * 43, "/start", "/start " + "B" * 43, "/start") * 2:
            emulator.send_message(ORDERED, text, first_name="Ordered")
        await emulator.wait_until(lambda: len(emulator.bot_messages(ORDERED)) == 8, timeout=30)
        replies = [m.text for m in emulator.bot_messages(ORDERED)]
        assert [UNKNOWN in r for r in replies[0::2]] == [True] * 4
        assert [WELCOME in r for r in replies[1::2]] == [True] * 4

        # Both processes took updates.
        assert all(balancer.forwarded[backend] >= 3 for backend in balancer.backends)

        # Every owed message sent once, though both processes deliver.
        await emulator.wait_until(
            lambda: all(emulator.bot_messages(chat) for chat in NUDGED), timeout=30
        )

        # The planner ran once per period overall, not once per process's tick.
        before = [await planner_figures(p) for p in processes]

        async def ticked_enough() -> bool:
            figures = [await planner_figures(p) for p in processes]
            return all(now[0] - then[0] >= 6 for now, then in zip(figures, before, strict=True))

        await eventually(ticked_enough, timeout=60)
        after = [await planner_figures(p) for p in processes]
        ticks = sum(a[0] - b[0] for a, b in zip(after, before, strict=True))
        runs = sum(a[1] - b[1] for a, b in zip(after, before, strict=True))
        assert 1 <= runs <= ticks / 2 + 2, (ticks, runs)

        codes = [await p.stop() for p in processes]
    finally:
        for process in processes:
            await process.kill()
    assert [code for code, _ in codes] == [0, 0], [p.output() for p in processes]
    for chat in NUDGED:
        assert len(emulator.bot_messages(chat)) == 1
    assert len(emulator.bot_messages(ORDERED)) == 8
    async with database.unit_of_work() as uow:
        statuses = (await uow.session.scalars(select(OutboxMessage.status))).all()
        assert set(statuses) == {"sent"}
        assert await uow.inbox.unfinished() == []
        assert (await uow.session.get(JobRun, "planner")) is not None
