"""Webhook mode: Telegram's POSTs checked for the secret, answered 200 only once committed;
back to polling cleanly."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.app import Bearings, StartupError, build
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from bot.telegram.inbox import ALLOWED_UPDATES
from bot.telegram.webhook import SECRET_HEADER
from storage.db import Database
from tests.e2e.conftest import bot_settings, running
from tests.e2e.test_inbox import stranger_start
from tests.ops import WEBHOOK_SECRET, free_port, with_ops_address, with_webhook
from tests.waiting import eventually

WELCOME = "invite link"


@pytest.fixture
async def hooked(
    emulator: BotApiEmulator, database: Database, clock: MovableClock, data_keys: list[str]
) -> AsyncIterator[Bearings]:
    """The real bot in webhook mode on a free port, the emulator pushing to it."""
    settings = with_webhook(bot_settings(emulator, database.url, data_keys), free_port())
    async with running(settings, clock) as bearings:
        yield bearings


async def post(
    bearings: Bearings, body: Any, secret: str | None = WEBHOOK_SECRET
) -> aiohttp.ClientResponse:
    """POST to the bot's webhook as Telegram (or an impostor) would; the body is read."""
    assert bearings.settings.webhook_url is not None
    headers = {} if secret is None else {SECRET_HEADER: secret}
    async with (
        aiohttp.ClientSession() as session,
        session.post(bearings.settings.webhook_url, json=body, headers=headers) as response,
    ):
        await response.read()
        return response


async def stored(database: Database, update_id: int) -> bool:
    async with database.unit_of_work() as uow:
        return await uow.inbox.get(update_id) is not None


async def test_webhook_is_registered_with_the_secret_and_updates_pushed_to_it_are_answered(
    hooked: Bearings, emulator: BotApiEmulator
) -> None:
    assert emulator.webhook.url == hooked.settings.webhook_url
    assert emulator.webhook.secret_token == WEBHOOK_SECRET
    assert emulator.webhook.allowed_updates == sorted(ALLOWED_UPDATES)
    assert not any(r.method == "getUpdates" for r in emulator.requests)

    emulator.send_message(901, "/start", first_name="Pat")
    reply = await emulator.wait_for_bot_message(901, after=0)
    assert WELCOME in reply.text
    assert emulator.pending_updates() == 0


@pytest.mark.parametrize(
    "secret",
    [None, "", "wrong-secret-of-other-length", WEBHOOK_SECRET[:-1] + "X"],
    ids=["missing", "empty", "wrong-length", "same-length"],
)
async def test_a_request_without_the_right_secret_is_refused_and_nothing_is_stored(
    hooked: Bearings, database: Database, secret: str | None
) -> None:
    response = await post(hooked, stranger_start(7101, 902), secret=secret)
    assert response.status == 403
    assert not await stored(database, 7101)


@pytest.mark.parametrize(
    "body", [[1, 2], {"update_id": "seven"}, {"message": {}}, "not json"], ids=repr
)
async def test_a_body_that_is_not_an_update_is_refused(hooked: Bearings, body: Any) -> None:
    assert hooked.settings.webhook_url is not None
    headers = {SECRET_HEADER: WEBHOOK_SECRET, "Content-Type": "application/json"}
    data = body if isinstance(body, str) else None
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            hooked.settings.webhook_url,
            data=data,
            json=None if data is not None else body,
            headers=headers,
        ) as response,
    ):
        assert response.status == 400


DEEP = 100_000
MALFORMED = {
    "nested arrays": b"[" * DEEP + b"]" * DEEP,
    "nested objects": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "nested in an update": b'{"update_id": 7401, "message": ' + b"[" * DEEP + b"]" * DEEP + b"}",
    "too deep for an update": b'{"update_id": 7402, "message": ' + b"[" * 200 + b"]" * 200 + b"}",
    "invalid UTF-8": b'{"update_id": 7403, "message": {"text": "\xc3\x28"}}',
    "a string": b'"update"',
    "a number": b"7404",
    "null": b"null",
    "empty": b"",
    "not JSON at all": b"\x00\x01garbage{",
    "NaN": b'{"update_id": 7405, "message": {"date": NaN}}',
    "update id too large": b'{"update_id": 18446744073709551616}',
    "a chat id that is no number": b'{"update_id": 7406, "message": {"chat": {"id": "north"}}}',
}


async def test_malformed_or_deeply_nested_bodies_get_400_and_the_bot_carries_on(
    hooked: Bearings,
    emulator: BotApiEmulator,
    database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert hooked.settings.webhook_url is not None
    headers = {SECRET_HEADER: WEBHOOK_SECRET, "Content-Type": "application/json"}
    caplog.set_level(logging.WARNING)
    answers = {}
    async with aiohttp.ClientSession() as session:
        for name, body in MALFORMED.items():
            async with session.post(
                hooked.settings.webhook_url, data=body, headers=headers
            ) as response:
                answers[name] = response.status
    assert answers == dict.fromkeys(MALFORMED, 400)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    for update_id in range(7401, 7407):
        assert not await stored(database, update_id)
    emulator.send_message(907, "/start", first_name="Pat")  # the bot carries on
    assert WELCOME in (await emulator.wait_for_bot_message(907, after=0)).text


async def test_the_right_secret_stores_the_update_before_answering(
    hooked: Bearings, emulator: BotApiEmulator, database: Database
) -> None:
    response = await post(hooked, stranger_start(7201, 903))
    assert response.status == 200
    assert await stored(database, 7201)  # committed when the 200 arrived
    assert WELCOME in (await emulator.wait_for_bot_message(903, after=0)).text
    # Telegram sending the same update again (it never saw the 200) changes nothing.
    assert (await post(hooked, stranger_start(7201, 903))).status == 200
    assert hooked.inbox is not None
    await hooked.inbox.wait_idle()
    assert len(emulator.bot_messages(903)) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_no_200_while_the_update_cannot_be_committed(
    hooked: Bearings, emulator: BotApiEmulator, database: Database
) -> None:
    path = database.url.split(":///", 1)[1]
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the database
    try:
        answer = asyncio.create_task(post(hooked, stranger_start(7301, 904)))
        done, _ = await asyncio.wait({answer}, timeout=1.0)
        assert not done  # still waiting to commit: Telegram has no answer yet
    finally:
        blocker.rollback()
        blocker.close()
    assert (await answer).status == 200
    assert await stored(database, 7301)
    assert WELCOME in (await emulator.wait_for_bot_message(904, after=0)).text


async def test_going_back_to_polling_removes_the_webhook(
    emulator: BotApiEmulator, database: Database, clock: MovableClock, data_keys: list[str]
) -> None:
    settings = bot_settings(emulator, database.url, data_keys)
    async with running(with_webhook(settings, free_port()), clock):
        assert emulator.webhook.url != ""
    async with running(settings, clock):
        assert emulator.webhook.url == ""
        emulator.send_message(905, "/start", first_name="Pat")
        assert WELCOME in (await emulator.wait_for_bot_message(905, after=0)).text


def test_webhook_mode_without_a_secret_refuses_to_start(
    emulator: BotApiEmulator, database_url: str, data_keys: list[str]
) -> None:
    settings = with_webhook(bot_settings(emulator, database_url, data_keys), 8443, secret=None)
    with pytest.raises(StartupError, match="WEBHOOK_SECRET is not set"):
        build(settings)


async def status_of(url: str) -> int:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status


async def test_healthz_and_metrics_move_to_their_own_address_away_from_the_webhook(
    emulator: BotApiEmulator, database: Database, clock: MovableClock, data_keys: list[str]
) -> None:
    webhook_port, ops_port = free_port(), free_port()
    settings = with_webhook(bot_settings(emulator, database.url, data_keys), webhook_port)
    async with running(with_ops_address(settings, ops_port), clock):
        public, ops = f"http://127.0.0.1:{webhook_port}", f"http://127.0.0.1:{ops_port}"
        assert await status_of(f"{public}/healthz") == 404
        assert await status_of(f"{public}/metrics") == 404

        async def healthy() -> bool:
            return await status_of(f"{ops}/healthz") == 200

        await eventually(healthy)
        assert await status_of(f"{ops}/metrics") == 200
        emulator.send_message(906, "/start", first_name="Pat")  # the webhook still works
        assert WELCOME in (await emulator.wait_for_bot_message(906, after=0)).text
