"""The durable inbox: nothing lost, nothing handled twice, chats in order and side by side."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.app import Bearings, build
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator, FaultRule
from bot.telegram.inbox.handling import DB_RETRIES
from storage.db import Database
from tests.e2e.conftest import bot_settings, running
from tests.waiting import eventually


def stranger_start(update_id: int, user_id: int) -> dict[str, object]:
    """A raw /start update from someone who has not joined."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1795426090,
            "chat": {"id": user_id, "type": "private", "first_name": "Pat"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Pat"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def test_updates_left_unhandled_by_a_crash_are_handled_at_start_up(
    emulator: BotApiEmulator, database: Database, clock: MovableClock, data_keys: list[str]
) -> None:
    # A previous run committed these to the inbox and died before handling them.
    async with database.unit_of_work() as uow:
        await uow.inbox.receive(
            [(5001, 701, stranger_start(5001, 701)), (5002, 702, stranger_start(5002, 702))],
            datetime(2026, 11, 23, 8, 59, tzinfo=UTC),
        )
    bearings = build(bot_settings(emulator, database.url, data_keys), clock=clock)
    await bearings.start()
    try:
        for chat in (701, 702):
            reply = await emulator.wait_for_bot_message(chat, after=0)
            assert "invite link" in reply.text
        assert bearings.inbox is not None
        await bearings.inbox.wait_idle()
        async with database.unit_of_work() as uow:
            assert await uow.inbox.unfinished() == []
    finally:
        await bearings.stop()


async def test_replies_owed_by_a_crash_are_sent_at_start_up(
    emulator: BotApiEmulator, database: Database, clock: MovableClock, data_keys: list[str]
) -> None:
    # Handled and committed, but the process died before its reply went out.
    async with database.unit_of_work() as uow:
        await uow.inbox.receive([(6001, 703, stranger_start(6001, 703))], clock.now())
        row = await uow.inbox.get(6001)
        assert row is not None
        reply = {
            "method": "sendMessage",
            "params": {"chat_id": 703, "text": "owed <b>reply</b>", "parse_mode": "HTML"},
        }
        await uow.inbox.mark_handled(row, [reply], clock.now())
    bearings = build(bot_settings(emulator, database.url, data_keys), clock=clock)
    await bearings.start()
    try:
        message = await emulator.wait_for_bot_message(703, after=0)
        assert message.text == "owed reply"
        assert bearings.inbox is not None
        await bearings.inbox.wait_idle()
        assert len(emulator.bot_messages(703)) == 1  # sent once, not handled again
    finally:
        await bearings.stop()


async def test_a_repeated_update_is_handled_once(bot: Bearings, emulator: BotApiEmulator) -> None:
    assert bot.inbox is not None
    update = stranger_start(7001, 704)
    assert await bot.inbox.receive([update, update]) == 1
    assert await bot.inbox.receive([update]) == 0
    await emulator.wait_for_bot_message(704, after=0)
    await bot.inbox.wait_idle()
    assert len(emulator.bot_messages(704)) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_update_is_confirmed_only_after_it_is_committed(
    bot: Bearings, emulator: BotApiEmulator, database: Database
) -> None:
    path = database.url.split(":///", 1)[1]
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the database
    try:
        sent_at = time.monotonic()
        update = emulator.send_message(705, "/start", first_name="Pat")
        await emulator.wait_until(
            lambda: any(r.method == "getUpdates" and r.at > sent_at for r in emulator.requests)
        )
        # Fetched, but not yet stored: Telegram must still hold it.
        assert update["update_id"] not in emulator.confirmed_update_ids
        assert emulator.pending_updates() == 1
    finally:
        blocker.rollback()
        blocker.close()
    reply = await emulator.wait_for_bot_message(705, after=0)
    assert "invite link" in reply.text
    await emulator.wait_until(lambda: update["update_id"] in emulator.confirmed_update_ids)


async def test_a_slow_chat_does_not_hold_up_another_and_each_chat_stays_in_order(
    bot: Bearings, emulator: BotApiEmulator
) -> None:
    # Telegram is slow to answer chat 801 (its message lands only after 3 s).
    emulator.faults.add(FaultRule(method="sendMessage", chat_id=801, status=0, delay=3.0, times=1))
    emulator.send_message(801, "/start", first_name="Slow")
    emulator.send_message(802, "/start", first_name="Quick")
    await emulator.wait_for_bot_message(802, after=0)
    assert emulator.bot_messages(801) == []  # 802 was not queued behind 801
    await emulator.wait_for_bot_message(801, after=0)

    unknown, welcome = "don't recognise", "invite link from your supervisor"
    for typed in ("/start " + "A" * 43, "/start", "/start " + "B" * 43, "/start"):
        emulator.send_message(803, typed, first_name="Ordered")
    await emulator.wait_until(lambda: len(emulator.bot_messages(803)) == 4)
    replies = [m.text for m in emulator.bot_messages(803)]
    assert [
        unknown in replies[0],
        welcome in replies[1],
        unknown in replies[2],
        welcome in replies[3],
    ] == [True] * 4


SERIALIZATION_FAULT = (
    "CREATE TABLE fault_switch (failing boolean NOT NULL)",
    "INSERT INTO fault_switch VALUES (true)",
    "CREATE SEQUENCE fault_hits",
    # nextval is not rolled back with the failed transaction, so it counts every try.
    """CREATE FUNCTION fail_while_switched_on() RETURNS trigger AS $$
       BEGIN
         IF (SELECT failing FROM fault_switch) THEN
           PERFORM nextval('fault_hits');
           RAISE EXCEPTION 'could not serialize access due to concurrent update'
             USING ERRCODE = 'serialization_failure';
         END IF;
         RETURN NEW;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER fail_while_switched_on BEFORE UPDATE ON inbox FOR EACH ROW
       WHEN (NEW.status = 'handled') EXECUTE FUNCTION fail_while_switched_on()""",
)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_an_update_that_outlasts_the_handlings_retries_is_answered_once_they_pass(
    emulator: BotApiEmulator, database: Database, clock: MovableClock, data_keys: list[str]
) -> None:
    # Every try to record the update as handled fails, for longer than one handling's own
    # retries (and its "please send it again", which needs the database too) can last.
    async with database.engine.begin() as connection:
        for statement in SERIALIZATION_FAULT:
            await connection.execute(text(statement))

    async def more_hits_than(count: int) -> bool:
        async with database.engine.connect() as connection:
            hits = await connection.execute(text("SELECT last_value FROM fault_hits"))
            return int(hits.scalar_one()) > count

    async with running(bot_settings(emulator, database.url, data_keys), clock) as bot:
        emulator.send_message(801, "/start")
        one_handling = DB_RETRIES + 1  # its tries, then the try to say "please send it again"
        await eventually(lambda: more_hits_than(one_handling), timeout=30)
        assert emulator.bot_messages(801) == []  # nothing half-said meanwhile
        async with database.engine.begin() as connection:
            await connection.execute(text("UPDATE fault_switch SET failing = false"))
        reply = await emulator.wait_for_bot_message(801, after=0, timeout=60)
        assert "invite link" in reply.text
        assert bot.inbox is not None
        await bot.inbox.wait_idle()
    async with database.unit_of_work() as uow:
        assert await uow.inbox.unfinished() == []
    assert len(emulator.bot_messages(801)) == 1
