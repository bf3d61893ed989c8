"""Issue 9.4: Telegram misbehaves on a fifth of all calls while people use every flow.

The emulator answers 429 (retry_after 1–3 s here rather than up to 30, so the test stays
short: the bot waits what it is told whatever the number), 500, 502, slow answers past
delivery's send timeout, and dropped connections, each at an equal share of a 20% rate, on
every call the bot makes once it is running. Two people walk each flow at once; scheduled
nudges fall due meanwhile. Every flow completes, every nudge arrives, each step's reply comes
within its own bounds, and no update is handled twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator, FaultRule
from storage.db import Database
from tests.e2e.conftest import bot_settings, running
from tests.reliability.battery import figure, report
from tests.reliability.conftest import inbox_rows
from tests.reliability.people import (
    Person,
    Worker,
    away,
    bearings,
    flag_case,
    new_case,
    seed_crowd,
    settings,
    stuck,
    supervision,
    visit,
)

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

RATE = figure("FAULT_RATE", 0.2)
SEND_TIMEOUT = 0.5
SLOW = 1.0  # past the send timeout
LONGEST_STEP = 20.0  # a step's reply, at worst: three 429s and a backoff or two


def journeys(worker: Worker) -> dict[str, Callable[[Person], Awaitable[object]]]:
    """Every flow, as one worker would walk it."""
    case = worker.cases[0]
    return {
        "newcase": lambda p: p.walk(new_case(f"N{worker.user_id}")),
        "visit": lambda p: p.walk(visit(case, "Went well", "Call school")),
        "supervision": lambda p: p.walk(supervision(case, worker.name)),
        "stuck": lambda p: p.walk(stuck(case, worker.name)),
        "bearings": lambda p: p.walk(bearings()),
        "flag": lambda p: flag_case(p, case, f"Steer on {case}"),
        "away": lambda p: p.walk(away("Sam Supervisor")),
        "settings": lambda p: p.walk(settings()),
    }


async def keep_time(clock: MovableClock) -> None:
    """Move the test's clock on with real time (from Monday 09:00), so that a send put off
    for ``retry_after`` seconds falls due again."""
    last = time.monotonic()
    while True:
        await asyncio.sleep(0.2)
        now = time.monotonic()
        clock.advance(timedelta(seconds=now - last))
        last = now


def fault_rules() -> list[FaultRule]:
    """Seven kinds of fault, sharing RATE between them."""
    kinds = [
        {"status": 429, "retry_after": 1},
        {"status": 429, "retry_after": 2},
        {"status": 429, "retry_after": 3},
        {"status": 500},
        {"status": 502},
        {"status": 0, "delay": SLOW},
        {"status": 0, "drop_connection": True},
    ]
    each = 1 - (1 - RATE) ** (1 / len(kinds))
    return [FaultRule(times=None, probability=each, **kind) for kind in kinds]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_every_flow_completes_and_every_nudge_arrives_through_telegram_faults(
    emulator: BotApiEmulator, database: Database, clock: MovableClock, data_keys: list[str]
) -> None:
    flows = list(journeys(Worker(0, "", ("",))))
    crowd = await seed_crowd(database, clock, workers=2 * len(flows), cases_each=2)
    settings_ = bot_settings(emulator, database.url, data_keys, nudges=True).model_copy(
        update={"telegram_send_timeout": SEND_TIMEOUT}
    )
    people = [Person(emulator, w.user_id, w.name, timeout=60) for w in crowd.workers]
    ticking = asyncio.create_task(keep_time(clock))
    async with running(settings_, clock) as bot:
        rules = [emulator.faults.add(rule) for rule in fault_rules()]
        await asyncio.gather(
            *(
                journeys(worker)[flows[number % len(flows)]](person)
                for number, (person, worker) in enumerate(zip(people, crowd.workers, strict=True))
            )
        )
        # The untouched second case of each worker: its visit-due nudge must arrive (to the
        # worker, or to their cover while they were away; settings moved some to 10:00).
        nudged = [
            w
            for number, w in enumerate(crowd.workers)
            if flows[number % len(flows)] not in ("away", "settings")
        ]
        await emulator.wait_until(
            lambda: all(
                any(f"visit to {w.cases[1]}" in m.text for m in emulator.bot_messages(w.user_id))
                for w in nudged
            ),
            timeout=60,
        )
        emulator.faults.clear()
        assert bot.inbox is not None
        await bot.inbox.wait_idle()
    ticking.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await ticking

    rows = await inbox_rows(database)
    assert [row.update_id for row in rows if row.attempts > 1] == []
    latencies = sorted(t for p in people for t in p.latencies)
    assert latencies[-1] < LONGEST_STEP
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    report(
        "Telegram faults",
        fault_rate=RATE,
        faults_injected=sum(rule.hits for rule in rules),
        calls=emulator.stats["requests"],
        updates_sent=len(emulator.confirmed_update_ids),
        replies_received=sum(len(p.messages()) for p in people),
        nudges_received=len(nudged),
        handled_twice=0,
        step_p50_s=round(statistics.median(latencies), 2),
        step_p99_s=round(p99, 2),
        step_max_s=round(latencies[-1], 2),
        losses=0,
    )
