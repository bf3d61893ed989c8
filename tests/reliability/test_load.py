"""Issue 9.7: many workers using the flows at once against `bearings run` on SQLite.

Each simulated worker goes round every flow (a new case, a visit note, a supervision note,
the "I'm stuck" walk-through, the bearings check, a flag, time away, a settings change) for
as long as the run lasts, each starting at a different place in the round, so that every
flow is in use at once. No reply may be an error or "please send it again"; the p99 reply
time is printed; the bot's memory, sampled every second, must not keep growing. CI runs a
smaller, shorter load (see docs/reliability.md for the full 500-worker, two-minute figures):
``BEARINGS_BATTERY_LOAD_WORKERS``, ``BEARINGS_BATTERY_LOAD_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time

import pytest

from bot.clock import SystemClock
from bot.sandbox.emulator import BotApiEmulator
from prompts import render
from storage.db import Database
from tests.reliability.battery import report, size
from tests.reliability.people import Person, Worker, every_flow, seed_crowd
from tests.reliability.process import BotProcess

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

WORKERS = size("LOAD_WORKERS", 100)
SECONDS = size("LOAD_SECONDS", 20)
ERROR = render("something_went_wrong").splitlines()[0]


async def keep_working(
    person: Person, worker: Worker, number: int, until: float, warm: asyncio.Event
) -> int:
    """Walk every flow in turn, starting from this worker's own place in the round (so
    that all of them are in use at once), until the time is up; returns how many were
    finished."""
    finished = 0
    names = list(every_flow(worker))
    while time.monotonic() < until:
        name = names[(number + finished) % len(names)]
        await every_flow(worker, tag=f"-{finished}")[name](person)
        finished += 1
        if finished == 1:  # the bot has been under the whole load for a flow
            warm.set()
    return finished


async def sample_memory(bot: BotProcess, samples: list[int], warm: asyncio.Event) -> None:
    """The bot's resident memory, once a second, once a first flow is finished: by then the
    bot has been under the whole load for a while (warming up is not growth)."""
    await warm.wait()
    while True:
        samples.append(bot.rss_kib())
        await asyncio.sleep(1.0)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_many_workers_at_once_get_no_errors_and_memory_stays_flat(
    emulator: BotApiEmulator, database: Database, bot_process: BotProcess
) -> None:
    crowd = await seed_crowd(database, SystemClock(), workers=WORKERS)
    await bot_process.start()
    people = [Person(emulator, w.user_id, w.name, timeout=120) for w in crowd.workers]
    samples: list[int] = []
    warm = asyncio.Event()
    sampler = asyncio.create_task(sample_memory(bot_process, samples, warm))
    until = time.monotonic() + SECONDS
    finished = await asyncio.gather(
        *(
            keep_working(p, w, number, until, warm)
            for number, (p, w) in enumerate(zip(people, crowd.workers, strict=True))
        )
    )
    sampler.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sampler
    await bot_process.stop()

    errors = [m for p in people for m in p.messages() if ERROR in m.text]
    assert errors == [] and sum(p.tries_again for p in people) == 0
    assert bot_process.errors() == []
    latencies = sorted(t for p in people for t in p.latencies)
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
    assert len(samples) >= 3, f"only {len(samples)} memory samples once warm"
    third = len(samples) // 3
    early, late = statistics.mean(samples[third : 2 * third]), statistics.mean(samples[-third:])
    # Flat: after warming up, memory grows by less than a fifth over the rest of the run.
    assert late < early * 1.2, f"memory grew (KiB, once a second): {samples}"
    report(
        "load",
        workers=WORKERS,
        seconds=SECONDS,
        flows_finished=sum(finished),
        updates_sent=len(emulator.confirmed_update_ids),
        replies_received=sum(len(p.messages()) for p in people),
        error_replies=len(errors),
        reply_p50_s=round(statistics.median(latencies), 3),
        reply_p99_s=round(p99, 3),
        memory_mib_start=round(samples[0] / 1024, 1),
        memory_mib_middle=round(early / 1024, 1),
        memory_mib_end=round(late / 1024, 1),
        losses=0,
    )
