"""On PostgreSQL, what a dead process left in the inbox is picked up by a live one: its
unhandled updates, and its owed replies once their lease has run out (never while the
process sending them may still be alive)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from tests.e2e.test_inbox import stranger_start

pytestmark = pytest.mark.postgres


def owed_reply(chat: int, text: str) -> dict[str, object]:
    return {"method": "sendMessage", "params": {"chat_id": chat, "text": text}}


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_live_process_takes_over_what_a_dead_one_left_but_not_what_a_live_one_holds(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    now = datetime.now(UTC)
    async with database.unit_of_work() as uow:
        # Another process stored these, then died: one not handled, one handled with its
        # reply lease run out; a third is held by a process that is still sending it.
        await uow.inbox.receive(
            [
                (8001, 801, stranger_start(8001, 801)),
                (8002, 802, stranger_start(8002, 802)),
                (8003, 803, stranger_start(8003, 803)),
            ],
            clock.now(),
        )
        for update_id, chat, lease in ((8002, 802, -1), (8003, 803, +10)):
            row = await uow.inbox.get(update_id)
            assert row is not None
            reply = owed_reply(chat, f"owed to {chat}")
            await uow.inbox.mark_handled(
                row, [reply], clock.now(), lease_until=now + timedelta(minutes=lease)
            )

    assert "invite link" in (await emulator.wait_for_bot_message(801, after=0, timeout=30)).text
    assert (await emulator.wait_for_bot_message(802, after=0, timeout=30)).text == "owed to 802"
    assert bot.inbox is not None
    await bot.inbox.wait_idle()
    assert emulator.bot_messages(803) == []  # its sender may be alive: not sent twice
    async with database.unit_of_work() as uow:
        left = await uow.inbox.unfinished()
        assert [row.update_id for row in left] == [8003]
