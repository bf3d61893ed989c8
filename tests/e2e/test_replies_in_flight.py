"""REPLIES_IN_FLIGHT bounds what a crash can repeat: the updates whose replies Telegram has
taken while their inbox rows are not yet marked done.

To hold replies in exactly that state, PostgreSQL is made slow to mark an update done: a
trigger sleeps whenever an inbox row becomes ``done`` (receiving and handling an update,
which also write the row, stay fast). With a limit, the bot must stop replying while that
many updates wait to be marked; without one, nothing holds it back (the done-marks ride
along with later writes), which shows the test can tell the two apart.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, text

from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from storage.models import InboxUpdate
from tests.e2e.conftest import bot_settings, running

PEOPLE, LIMIT = 12, 2
SLOW_MARKING = (
    """CREATE FUNCTION slow_to_mark_done() RETURNS trigger AS $$
       BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER slow_to_mark_done BEFORE UPDATE ON inbox FOR EACH ROW
       WHEN (NEW.status = 'done' AND OLD.status <> 'done') EXECUTE FUNCTION slow_to_mark_done()""",
)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
@pytest.mark.parametrize("limit", [LIMIT, None])
async def test_replies_waiting_to_be_marked_never_exceed_the_limit(
    emulator: BotApiEmulator,
    database: Database,
    clock: MovableClock,
    data_keys: list[str],
    limit: int | None,
) -> None:
    async with database.engine.begin() as connection:
        for statement in SLOW_MARKING:
            await connection.execute(text(statement))
    settings = bot_settings(emulator, database.url, data_keys).model_copy(
        update={"replies_in_flight": limit}
    )
    observer = Database(database.url)
    samples: list[int] = []
    done = select(func.count()).where(InboxUpdate.status == "done")

    async def watch(stop: asyncio.Event) -> None:
        """Sample replies waiting to be marked: the emulator's count first, then the rows
        marked (which only grows), so a sample never overstates it."""
        while not stop.is_set():
            arrived = emulator.stats["sent_messages"]
            async with observer.unit_of_work() as uow:
                marked = int((await uow.session.execute(done)).scalar_one())
            samples.append(arrived - marked)

    stop = asyncio.Event()
    try:
        async with running(settings, clock) as bot:
            watcher = asyncio.create_task(watch(stop))
            for person in range(PEOPLE):  # strangers: each is answered with one message
                emulator.send_message(50_000 + person, "hello")
            await emulator.wait_until(lambda: emulator.stats["sent_messages"] >= PEOPLE, timeout=60)
            assert bot.inbox is not None
            await bot.inbox.wait_idle()
            stop.set()
            await watcher
    finally:
        stop.set()
        await observer.dispose()
    assert emulator.stats["sent_messages"] == PEOPLE
    if limit is None:
        assert max(samples) > LIMIT, sorted(set(samples))
    else:
        # Each mark waits 0.3 s: the places fill up, and no more replies go out meanwhile.
        assert max(samples) == limit, sorted(set(samples))
