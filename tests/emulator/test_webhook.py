"""Webhook mode: pushes with the secret header, in order, retrying until the bot answers 2xx."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from bot.sandbox.emulator import BotApiEmulator

from .conftest import ApiCall


@dataclass
class Receiver:
    """A tiny webhook endpoint that fails the first `failures` deliveries."""

    failures: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[str | None] = field(default_factory=list)
    attempts: int = 0
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if self.attempts <= self.failures:
            return web.Response(status=500, text="boom")
        self.secrets.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        self.received.append(await request.json())
        return web.Response(text="ok")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    hook.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield hook
    await runner.cleanup()


async def test_push_with_secret_in_order(
    emu: BotApiEmulator, api: ApiCall, receiver: Receiver
) -> None:
    response = await api("setWebhook", url=receiver.url, secret_token="s3cret")
    assert response.json()["result"] is True
    assert emu.webhook.url == receiver.url and emu.webhook.secret_token == "s3cret"
    sent = [emu.send_message(1, f"m{n}") for n in range(5)]
    await emu.wait_until(lambda: len(receiver.received) == 5, timeout=5)
    assert receiver.received == sent
    assert receiver.secrets == ["s3cret"] * 5
    assert emu.pending_updates() == 0
    assert emu.confirmed_update_ids == {u["update_id"] for u in sent}


async def test_retries_until_2xx(emu: BotApiEmulator, api: ApiCall, receiver: Receiver) -> None:
    receiver.failures = 3
    emu.webhook_retry_initial = 0.01
    emu.webhook_retry_max = 0.05
    await api("setWebhook", url=receiver.url)
    sent = emu.send_message(1, "keep trying")
    await emu.wait_until(lambda: bool(receiver.received), timeout=5)
    assert receiver.attempts == 4 and receiver.received == [sent]
    assert receiver.secrets == [None]
    info = (await api("getWebhookInfo")).json()["result"]
    assert info["url"] == receiver.url and info["pending_update_count"] == 0
    assert (
        info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    )
    assert emu.stats["webhook_failures"] == 3


async def test_unreachable_webhook_keeps_updates_pending(emu: BotApiEmulator, api: ApiCall) -> None:
    emu.webhook_retry_initial = 0.01
    await api("setWebhook", url="http://127.0.0.1:9/unreachable")
    emu.send_message(1, "lost?")
    await emu.wait_until(lambda: emu.webhook.last_error_message is not None, timeout=5)
    info = (await api("getWebhookInfo")).json()["result"]
    assert info["pending_update_count"] == 1
    assert info["last_error_message"].startswith("Connection failed")
    await api("deleteWebhook")
    assert emu.webhook.url == ""
    updates = (await api("getUpdates")).json()["result"]
    assert [u["message"]["text"] for u in updates] == ["lost?"]


async def test_set_webhook_drop_pending_and_allowed_updates(
    emu: BotApiEmulator, api: ApiCall, receiver: Receiver
) -> None:
    emu.send_message(1, "old")
    await api(
        "setWebhook",
        url=receiver.url,
        drop_pending_updates=True,
        allowed_updates=["callback_query"],
    )
    emu.send_message(1, "filtered out")
    query = emu.add_update({"callback_query": {"id": "q", "from": {}, "chat_instance": "1"}})
    await emu.wait_until(lambda: bool(receiver.received), timeout=5)
    assert receiver.received == [query]
    info = (await api("getWebhookInfo")).json()["result"]
    assert info["allowed_updates"] == ["callback_query"]


async def test_empty_url_removes_the_webhook(emu: BotApiEmulator, api: ApiCall) -> None:
    await api("setWebhook", url="http://127.0.0.1:9/x")
    await api("setWebhook", url="")
    assert not emu.webhook.active
    assert (await api("getUpdates")).status_code == 200
