"""Per-person flood control over the real bot: a flooder is slowed and told once, nothing
they sent is lost, and another person's conversation carries on at its usual pace."""

from __future__ import annotations

import time

from sqlalchemy import select

from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from prompts import render
from storage.db import Database
from storage.models import InboxUpdate
from tests.e2e.conftest import Chatter, add_case, bot_settings, running
from tests.team import OTHER_WORKER_ID, WORKER_ID, seed_team

BURST, PER_SECOND, FLOOD = 10, 10.0, 60
REPLY_BOUND = 3.0
"""Seconds within which each of the other person's replies must come: well under the
flood's length (at least (FLOOD - BURST) / PER_SECOND = 5 seconds), so they never wait
behind it, with room for a slow shared test machine."""


async def test_a_flooder_is_slowed_and_told_once_while_another_person_carries_on(
    emulator: BotApiEmulator, database: Database, clock: MovableClock, data_keys: list[str]
) -> None:
    settings = bot_settings(emulator, database.url, data_keys).model_copy(
        update={"flood_burst": BURST, "flood_per_second": PER_SECOND}
    )
    async with running(settings, clock) as bearings:
        await seed_team(database, clock)
        alex = Chatter(emulator, WORKER_ID, "Alex")
        await add_case(alex, "FAM-0142")
        slow_down = render("slow_down")

        started = time.monotonic()
        flood = [
            emulator.send_message(OTHER_WORKER_ID, f"hello {n}", first_name="Kim")["update_id"]
            for n in range(FLOOD)
        ]
        # Meanwhile Alex notes a visit, step by step, timing each reply.
        waits = []
        for step in (
            lambda: alex.send("/visit"),
            lambda: alex.tap("FAM-0142"),
            lambda: alex.tap("Today"),
            lambda: alex.send("Went well"),
            lambda: alex.tap("Same"),
        ):
            before = time.monotonic()
            await step()
            waits.append(time.monotonic() - before)
        saved = await alex.send("Call the school")
        assert saved.text.startswith("Saved your visit to FAM-0142")

        # Every message Kim sent is answered (a reply each), plus one "slow down".
        await emulator.wait_until(
            lambda: len(emulator.bot_messages(OTHER_WORKER_ID)) >= FLOOD + 1, timeout=60
        )
        flood_took = time.monotonic() - started
        assert bearings.inbox is not None
        await bearings.inbox.wait_idle()

    assert max(waits) < REPLY_BOUND, waits
    texts = [m.text for m in emulator.bot_messages(OTHER_WORKER_ID)]
    assert len(texts) == FLOOD + 1
    assert texts.count(slow_down) == 1
    assert texts.index(slow_down) >= BURST  # the burst is handled before anything waits
    # The 50 over the burst were let through at 10 a second at most: 5 seconds, or more.
    assert flood_took >= (FLOOD - BURST - 1) / PER_SECOND
    async with database.unit_of_work() as uow:
        statuses = (
            await uow.session.scalars(
                select(InboxUpdate.status).where(InboxUpdate.update_id.in_(flood))
            )
        ).all()
    assert len(statuses) == FLOOD and set(statuses) == {"done"}  # handled, replies delivered
