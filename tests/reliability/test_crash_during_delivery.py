"""Issue 9.2: 500 nudges are owed (outbox rows) and `bearings run` is SIGKILLed five times
while it delivers them, once exactly between Telegram taking a message and the bot marking
its row sent (the emulator has recorded the message and holds its answer). Every nudge
arrives and none is skipped. A kill repeats at most one nudge per chat (the one sent and
not yet marked), and at most ``DELIVERY_IN_FLIGHT`` in all: run once as shipped (16) and
once with 1, where duplicates ≤ kills in total.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import SystemClock
from bot.config import Settings
from bot.sandbox.emulator import BotApiEmulator, FaultRule
from storage.db import Database
from storage.models import Case, Member, OutboxMessage
from tests.reliability.battery import report, size
from tests.reliability.people import seed_crowd
from tests.reliability.process import BotProcess

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

NUDGES = size("NUDGES", 500)
KILLS = size("DELIVERY_KILLS", 5)
CASES_EACH = 5
HOLD = 120.0


async def owe_visit_nudges(database: Database) -> dict[int, int]:
    """An overdue-visit nudge for every case, due now; returns each case's worker's chat."""
    now = SystemClock().now()
    async with database.unit_of_work() as uow:
        cases = (await uow.session.scalars(select(Case))).all()
        members = {m.id: m for m in (await uow.session.scalars(select(Member))).all()}
        rows = [
            {
                "key": f"visit_overdue:case:{case.id}:{case.next_visit_due}",
                "kind": "visit_overdue",
                "team_id": case.team_id,
                "member_id": case.worker_id,
                "chat_id": members[case.worker_id].telegram_user_id,
                "ref": {"case": case.id, "about": str(case.next_visit_due), "days": 1},
                "due_at": now - timedelta(minutes=1),
                "created_at": now,
            }
            for case in cases
        ]
        assert await uow.outbox.enqueue(rows) == len(rows)
    return {case.id: members[case.worker_id].telegram_user_id for case in cases}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "bot_environment",
    [{}, {"DELIVERY_IN_FLIGHT": "1"}],
    ids=["as-shipped", "one-in-flight"],
)
async def test_sigkill_during_delivery_of_five_hundred_nudges_skips_none(
    emulator: BotApiEmulator,
    database: Database,
    bot_process: BotProcess,
    bot_environment: dict[str, str],
) -> None:
    shipped = Settings.model_fields["delivery_in_flight"].default
    in_flight = int(bot_environment.get("DELIVERY_IN_FLIGHT", shipped))
    crowd = await seed_crowd(
        database, SystemClock(), workers=NUDGES // CASES_EACH, cases_each=CASES_EACH
    )
    await owe_visit_nudges(database)
    chats = {w.user_id: w.cases for w in crowd.workers}

    def arrived() -> Counter[str]:
        seen: Counter[str] = Counter()
        for chat, references in chats.items():
            for message in emulator.bot_messages(chat):
                seen.update(r for r in references if f"visit to {r}" in message.text)
        return seen

    await bot_process.start()
    rng = random.Random(92)
    marks = sorted(rng.sample(range(NUDGES // 10, NUDGES * 9 // 10), KILLS))
    held_at = KILLS // 2
    for number, mark in enumerate(marks):
        await emulator.wait_until(lambda m=mark: emulator.stats["sent_messages"] >= m, timeout=120)
        if number == held_at:
            # Between the API call and marking the row sent: Telegram has the message, the
            # bot is still waiting for its answer.
            waiting = next(c for c in reversed(list(chats)) if not emulator.bot_messages(c))
            emulator.faults.add(
                FaultRule(
                    method="sendMessage",
                    chat_id=waiting,
                    status=0,
                    delay=HOLD,
                    after_effect=True,
                    times=1,
                )
            )
            await emulator.wait_until(lambda c=waiting: bool(emulator.bot_messages(c)), timeout=120)
        await bot_process.restart()
    await emulator.wait_until(lambda: len(arrived()) == NUDGES, timeout=180)
    await bot_process.stop()

    seen = arrived()
    async with database.unit_of_work() as uow:
        statuses = Counter((await uow.session.scalars(select(OutboxMessage.status))).all())
    duplicates = sum(n - 1 for n in seen.values())
    per_chat = Counter(
        {chat: sum(seen[r] - 1 for r in references) for chat, references in chats.items()}
    )
    assert len(seen) == NUDGES and statuses == Counter({"sent": NUDGES})
    assert seen[crowd.workers[-1].cases[0]] >= 1
    # Each chat's nudges go one after another, so a kill repeats at most one per chat: the
    # one sent and not yet marked. Across chats, every send Telegram took and the bot had not
    # yet recorded when it died goes again (Telegram has no idempotent send): at most
    # DELIVERY_IN_FLIGHT of them.
    assert max(per_chat.values()) <= bot_process.kills
    assert duplicates <= bot_process.kills * in_flight
    assert bot_process.errors() == []
    report(
        "crash during delivery",
        in_flight=in_flight,
        nudges=NUDGES,
        kills=bot_process.kills,
        faults_injected=emulator.stats["faults"],
        messages_received=sum(seen.values()),
        duplicates=duplicates,
        chats_with_a_duplicate=sum(1 for n in per_chat.values() if n),
        losses=NUDGES - len(seen),
    )
