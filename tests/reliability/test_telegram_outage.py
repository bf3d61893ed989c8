"""Issue 19.1: Telegram down for two minutes in the middle of flows, nudges and a flag.

Eight workers walk the eight flows at once (each a different one). Once every one of them is
a couple of steps in, Telegram goes down: every call, getUpdates included, is answered 502
or has its connection dropped (before Telegram acts on it), for ``OUTAGE_SECONDS`` (two
minutes in CI). Meanwhile a day passes on the bot's clock, so each worker's second case
falls due and its nudge is owed while nothing can be sent. Then Telegram is back.

Every flow completes, every nudge arrives, the flag reaches the supervisor; in each chat the
answers come in the order the person wrote (each step waits for its own answer after the
one before), none twice; every update handled once and marked done.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator, FaultRule
from storage.db import Database
from storage.models import Case
from tests.e2e.conftest import bot_settings, running
from tests.reliability.battery import figure, report
from tests.reliability.conftest import inbox_rows
from tests.reliability.people import Person, Worker, every_flow, seed_crowd
from tests.reliability.test_telegram_faults import keep_time

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

OUTAGE_SECONDS = figure("OUTAGE_SECONDS", 120.0)
# After the outage: the longest pause an owed reply or nudge may still be in, and the work.
CATCH_UP = 60.0


def outage() -> list[FaultRule]:
    """Every call fails: half answered 502, the rest dropped before Telegram acts."""
    return [
        FaultRule(status=502, times=None, probability=0.5),
        FaultRule(status=0, drop_connection=True, times=None),
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_every_reply_and_nudge_arrives_once_in_order_after_two_minutes_of_telegram_down(
    emulator: BotApiEmulator, database: Database, clock: MovableClock, data_keys: list[str]
) -> None:
    flows = list(every_flow(Worker(0, "", ("",))))
    crowd = await seed_crowd(database, clock, workers=len(flows), cases_each=2)
    tomorrow = clock.now().date() + timedelta(days=1)
    async with database.unit_of_work() as uow:
        await uow.session.execute(
            update(Case).where(Case.reference.endswith("-1")).values(next_visit_due=tomorrow)
        )
    settings = bot_settings(emulator, database.url, data_keys, nudges=True)
    timeout = OUTAGE_SECONDS + CATCH_UP + 60
    people = [Person(emulator, w.user_id, w.name, timeout=timeout) for w in crowd.workers]
    journeys = {flows[n]: (people[n], crowd.workers[n]) for n in range(len(flows))}
    steps: list[float] = []
    ticking = asyncio.create_task(keep_time(clock, steps))
    async with running(settings, clock) as bot:
        walking = asyncio.gather(
            *(every_flow(worker)[name](person) for name, (person, worker) in journeys.items())
        )
        await emulator.wait_until(lambda: all(len(p.spans) >= 2 for p in people), timeout=60)
        rules = [emulator.faults.add(rule) for rule in outage()]
        down_at = time.monotonic()
        clock.advance(timedelta(days=1))  # each worker's second case falls due now
        await asyncio.sleep(OUTAGE_SECONDS)  # the outage itself is the scenario
        emulator.faults.clear()
        back_at = time.monotonic()
        await walking
        nudged = [w for name, (_, w) in journeys.items() if name not in ("away", "settings")]
        await emulator.wait_until(
            lambda: all(
                any(f"visit to {w.cases[1]}" in m.text for m in emulator.bot_messages(w.user_id))
                for w in nudged
            ),
            timeout=CATCH_UP,
        )
        flagged = journeys["flag"][1].cases[0]
        await emulator.wait_until(
            lambda: any(flagged in m.text for m in emulator.bot_messages(crowd.supervisor)),
            timeout=CATCH_UP,
        )
        caught_up = time.monotonic()
        assert bot.inbox is not None
        await bot.inbox.wait_idle()
    ticking.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await ticking

    failed_calls = sum(rule.hits for rule in rules)
    assert failed_calls > 0
    assert all(p.repeats() == 0 for p in people), [p.repeats() for p in people]
    rows = await inbox_rows(database)
    assert [row.update_id for row in rows if row.attempts > 1] == []
    assert {row.status for row in rows} == {"done"}
    report(
        "Telegram outage",
        outage_s=round(back_at - down_at),
        calls_failed=failed_calls,
        updates=len(rows),
        replies_received=sum(len(p.messages()) for p in people),
        nudges_received=len(nudged),
        caught_up_after_s=round(caught_up - back_at, 1),
        repeats=0,
        losses=0,
    )
