"""SIGTERM to a real ``bearings run`` with work in flight: it finishes what it holds, puts
back what it claimed, exits quickly with 0; after a restart everything arrives exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.sandbox.emulator import BotApiEmulator, FaultRule
from storage.db import Database
from storage.models import OutboxMessage
from tests.ops import BotProcess, process_env

OWED_TO = [3101, 3102, 3103, 3104]
PER_CHAT = 3
STRANGERS = [3201, 3202, 3203, 3204]


async def outbox_by_status(database: Database) -> dict[str, int]:
    async with database.unit_of_work() as uow:
        query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        return {str(status): int(n) for status, n in await uow.session.execute(query)}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sigterm_finishes_work_in_flight_and_a_restart_sends_the_rest_exactly_once(
    emulator: BotApiEmulator, database: Database, data_keys: list[str], tmp_path: Path
) -> None:
    due = datetime.now(UTC) - timedelta(minutes=1)
    async with database.unit_of_work() as uow:
        await uow.outbox.enqueue(
            [
                {
                    "key": f"stop-test:{chat}:{n}",
                    "kind": "bearings_prompt",
                    "chat_id": chat,
                    "due_at": due,
                    "created_at": due,
                }
                for chat in OWED_TO
                for n in range(PER_CHAT)
            ]
        )
    # Telegram is slow: every message takes 1.5 s to be answered.
    emulator.faults.add(FaultRule(method="sendMessage", status=0, delay=1.5, times=None))
    for chat in STRANGERS:
        emulator.send_message(chat, "/start", first_name="Pat")

    env = process_env(emulator, database.url, data_keys)
    first = await BotProcess(tmp_path / "first", env).start()
    try:
        await emulator.wait_until(
            lambda: any(r.method == "sendMessage" for r in emulator.requests), timeout=30
        )
        code, seconds = await first.stop()
    finally:
        await first.kill()
    assert code == 0, first.output()
    assert seconds < 5
    statuses = await outbox_by_status(database)
    assert "sending" not in statuses  # every claim was either sent or put back
    assert 0 < statuses.get("sent", 0) < len(OWED_TO) * PER_CHAT  # work was cut short

    second = await BotProcess(tmp_path / "second", env).start()
    try:

        def all_arrived() -> bool:
            return all(len(emulator.bot_messages(chat)) >= PER_CHAT for chat in OWED_TO) and all(
                emulator.bot_messages(chat) for chat in STRANGERS
            )

        await emulator.wait_until(all_arrived, timeout=60)
        code, _ = await second.stop()
    finally:
        await second.kill()
    assert code == 0, second.output()
    assert await outbox_by_status(database) == {"sent": len(OWED_TO) * PER_CHAT}
    for chat in OWED_TO:
        assert len(emulator.bot_messages(chat)) == PER_CHAT
    for chat in STRANGERS:
        assert len(emulator.bot_messages(chat)) == 1
    async with database.unit_of_work() as uow:
        assert await uow.inbox.unfinished() == []
