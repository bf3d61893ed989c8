"""Issue 19.1 over the emulator: a reply Telegram has not taken stays owed, through a restart,
and arrives in order once Telegram is back; one owed past REPLY_GIVE_UP_HOURS is dropped.

Telegram is "down" for one person's chat here (every sendMessage to it answered 502), so the
rest of the bot goes on as usual; the reliability battery takes all of Telegram down for
two minutes (tests/reliability/test_telegram_outage.py).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator, FaultRule
from bot.telegram.inbox.owed_replies import FIRST_ATTEMPTS
from storage.db import Database
from storage.models import InboxUpdate
from tests.e2e.conftest import bot_settings, running
from tests.team import seed_team

SAM = 1001


def failed_sends(emulator: BotApiEmulator, chat: int) -> int:
    """sendMessage calls to the chat that Telegram turned down with 502."""
    return sum(
        1
        for r in emulator.requests
        if r.method == "sendMessage" and r.chat_id == chat and r.status == 502
    )


async def test_replies_owed_when_bearings_stops_arrive_once_and_in_order_after_the_restart(
    emulator: BotApiEmulator, database: Database, clock: MovableClock, data_keys: list[str]
) -> None:
    await seed_team(database, clock)
    settings = bot_settings(emulator, database.url, data_keys)
    down = emulator.faults.add(FaultRule(method="sendMessage", chat_id=SAM, status=502, times=None))
    async with running(settings, clock) as bot:
        emulator.send_message(SAM, "/help", first_name="Sam")
        emulator.send_message(SAM, "/cases", first_name="Sam")
        # Past the first send's quick retries: the reply is owed now.
        await emulator.wait_until(lambda: failed_sends(emulator, SAM) > FIRST_ATTEMPTS)
        assert bot.inbox is not None
    # Stopped while Telegram was still down: both updates and their replies are kept.
    async with database.unit_of_work() as uow:
        rows = (await uow.session.scalars(select(InboxUpdate))).all()
        owed = {row.update_id: row.status for row in rows if row.status != "done"}
    assert len(owed) == 2, owed

    emulator.faults.remove(down)
    async with running(settings, clock) as bot:
        await emulator.wait_until(lambda: len(emulator.bot_messages(SAM)) >= 2)
        assert bot.inbox is not None
        await bot.inbox.wait_idle()
    texts = [m.text for m in emulator.bot_messages(SAM)]
    assert len(texts) == 2, texts  # each once, in the order they were asked for
    assert texts[0].startswith("Bearings for supervisors")
    assert "cases" in texts[1].split("\n")[0]
    async with database.unit_of_work() as uow:
        statuses = {row.status for row in (await uow.session.scalars(select(InboxUpdate))).all()}
    assert statuses == {"done"}


async def test_a_reply_owed_past_the_give_up_time_is_dropped_and_counted_and_the_chat_goes_on(
    emulator: BotApiEmulator, database: Database, clock: MovableClock, data_keys: list[str]
) -> None:
    await seed_team(database, clock)
    settings = bot_settings(emulator, database.url, data_keys).model_copy(
        update={"reply_give_up_hours": 24.0}
    )
    down = emulator.faults.add(FaultRule(method="sendMessage", chat_id=SAM, status=502, times=None))
    async with running(settings, clock) as bot:
        emulator.send_message(SAM, "/help", first_name="Sam")
        await emulator.wait_until(lambda: failed_sends(emulator, SAM) > FIRST_ATTEMPTS)
        clock.advance(timedelta(hours=25))
        await emulator.wait_until(lambda: bot.inbox is not None and bot.inbox.replies.dropped == 1)
        emulator.faults.remove(down)
        emulator.send_message(SAM, "/menu", first_name="Sam")
        await emulator.wait_until(lambda: len(emulator.bot_messages(SAM)) >= 1)
        assert bot.inbox is not None
        await bot.inbox.wait_idle()
        metrics = (await bot.metrics_page()).decode()
    texts = [m.text for m in emulator.bot_messages(SAM)]
    assert len(texts) == 1, texts  # the menu only: the day-old help was dropped
    assert "bearings_replies_dropped_total 1.0" in metrics
