"""Issue 9.1: `bearings run` is SIGKILLed at random moments while 50 people are mid-flow.

Each person logs a visit and flags the case to the supervisor (eleven exchanges). The bot is
killed whenever the bot's sent messages pass one of five seeded random marks, and started
again at once. Afterwards every acknowledged visit and flag is in the database exactly once,
every update Telegram handed over was handled exactly once, and no chat saw more than one
repeated reply per kill: run once as shipped and once with REPLIES_IN_FLIGHT=1, where no
more than one reply in all is repeated per kill.
"""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy import select

from bot.clock import SystemClock
from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from storage.models import Case, Flag, Visit
from tests.reliability.battery import report, size
from tests.reliability.conftest import inbox_rows, updates_sent
from tests.reliability.people import Person, Worker, flag_case, seed_crowd, visit
from tests.reliability.process import BotProcess

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

PEOPLE = size("PEOPLE", 50)
KILLS = size("KILLS", 5)
MESSAGES_EACH = 10  # what one person's visit and flag bring from the bot


async def visit_and_flag(person: Person, worker: Worker) -> None:
    """A visit note, then a flag on the same case; both acknowledged by the bot."""
    reference = worker.cases[0]
    await person.walk(visit(reference, f"Visit to {reference} went well", f"Ring {reference}"))
    await flag_case(person, reference, f"Need a steer on {reference}")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "bot_environment",
    [{}, {"REPLIES_IN_FLIGHT": "1"}],
    ids=["as-shipped", "one-in-flight"],
)
async def test_sigkill_during_a_burst_of_fifty_conversations_loses_nothing(
    emulator: BotApiEmulator,
    database: Database,
    bot_process: BotProcess,
    bot_environment: dict[str, str],
) -> None:
    crowd = await seed_crowd(database, SystemClock(), workers=PEOPLE)
    await bot_process.start()
    people = [Person(emulator, w.user_id, w.name, timeout=90) for w in crowd.workers]
    burst = asyncio.gather(
        *(visit_and_flag(p, w) for p, w in zip(people, crowd.workers, strict=True))
    )

    expected = PEOPLE * MESSAGES_EACH
    rng = random.Random(91)
    marks = sorted(rng.sample(range(expected // 10, expected * 8 // 10), KILLS))
    for mark in marks:
        await emulator.wait_until(lambda m=mark: emulator.stats["sent_messages"] >= m, timeout=120)
        await bot_process.restart()
    await asyncio.wait_for(burst, timeout=300)
    references = sorted(w.cases[0] for w in crowd.workers)
    # Flags reach the supervisor through the outbox, at least once each.
    await emulator.wait_until(
        lambda: all(
            any(r in m.text for m in emulator.bot_messages(crowd.supervisor)) for r in references
        ),
        timeout=60,
    )
    await bot_process.stop()

    async with database.unit_of_work() as uow:
        cases = {c.id: c.reference for c in (await uow.session.scalars(select(Case))).all()}
        visits = (await uow.session.scalars(select(Visit))).all()
        flags = (await uow.session.scalars(select(Flag))).all()
    visited = sorted(cases[v.case_id] for v in visits)
    flagged = sorted(cases[f.case_id] for f in flags if f.case_id is not None)
    assert visited == references and flagged == references  # each kept, and kept once
    assert all(v.how_it_went == f"Visit to {cases[v.case_id]} went well" for v in visits)
    assert all(f.summary == f"Need a steer on {cases[f.case_id or 0]}" for f in flags)

    sent = updates_sent(emulator)
    rows = {row.update_id: row for row in await inbox_rows(database)}
    unhandled = [u for u in sent if u not in rows or rows[u].status not in ("handled", "done")]
    handled_twice = [row.update_id for row in rows.values() if row.attempts > 1]
    assert emulator.pending_updates() == 0 and unhandled == [] and handled_twice == []

    repeats = {p.user_id: p.repeats() for p in people}
    replies = sum(len(p.messages()) for p in people)
    # Telegram has no idempotent send: a reply that went out just before a kill, with its
    # update not yet marked done, goes out again after the restart. The inbox keeps that to
    # one update per chat, so a chat sees at most one repeat per kill; with
    # REPLIES_IN_FLIGHT=1, to one update in all (each of these updates has one reply).
    assert max(repeats.values()) <= bot_process.kills
    if "REPLIES_IN_FLIGHT" in bot_environment:
        in_flight = int(bot_environment["REPLIES_IN_FLIGHT"])
        assert sum(repeats.values()) <= bot_process.kills * in_flight
    assert bot_process.errors() == []
    report(
        "crash during a chat burst",
        replies_in_flight=bot_environment.get("REPLIES_IN_FLIGHT", "unset"),
        people=PEOPLE,
        kills=bot_process.kills,
        updates_sent=len(sent),
        replies_received=replies,
        duplicates=sum(repeats.values()),
        chats_with_a_duplicate=sum(1 for n in repeats.values() if n),
        handled_twice=len(handled_twice),
        losses=len(references) * 2 - len(visited) - len(flagged) + len(unhandled),
    )
