"""Telegram's flood limits: overall, per chat and per group, answered with 429."""

from __future__ import annotations

import asyncio

import pytest
import telegram

from bot.sandbox.emulator import BotApiEmulator, RateLimits

from .conftest import ApiCall

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_overall_limit_of_30_per_second(emu: BotApiEmulator, api: ApiCall) -> None:
    emu.rate_limits = RateLimits()
    responses = await asyncio.gather(
        *(api("sendMessage", chat_id=chat, text="x") for chat in range(1, 41))
    )
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == 30 and statuses.count(429) == 10
    limited = next(r for r in responses if r.status_code == 429).json()
    assert limited["parameters"]["retry_after"] >= 1
    assert (
        limited["description"]
        == f"Too Many Requests: retry after {limited['parameters']['retry_after']}"
    )
    assert emu.stats["429"] == 10 and emu.stats["sent_messages"] == 30


async def test_one_per_second_per_chat(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.rate_limits = RateLimits()
    await bot.send_message(1, "first")
    with pytest.raises(telegram.error.RetryAfter):
        await bot.send_message(1, "second")
    await bot.send_message(2, "another chat is fine")


async def test_edits_count_only_towards_overall(emu: BotApiEmulator, api: ApiCall) -> None:
    emu.rate_limits = RateLimits()
    await api("sendMessage", chat_id=1, text="a")
    response = await api("editMessageText", chat_id=1, message_id=1, text="b")
    assert response.status_code == 200


async def test_group_limit_per_minute(emu: BotApiEmulator, api: ApiCall) -> None:
    emu.rate_limits = RateLimits(1000, 1000, per_group_per_minute=3)
    statuses = [(await api("sendMessage", chat_id=-5, text="x")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    retry_after = (await api("sendMessage", chat_id=-5, text="x")).json()["parameters"][
        "retry_after"
    ]
    assert 55 <= retry_after <= 60


async def test_unlimited_methods_and_none(emu: BotApiEmulator, api: ApiCall) -> None:
    emu.rate_limits = RateLimits()
    for _ in range(40):
        assert (await api("getMe")).status_code == 200
    emu.rate_limits = None
    for _ in range(3):
        assert (await api("sendMessage", chat_id=1, text="x")).status_code == 200


def test_scaled() -> None:
    assert RateLimits().scaled(10) == RateLimits(300.0, 10.0, 200)
    assert BotApiEmulator(rate_limits=RateLimits().scaled(2)).rate_limits == RateLimits(60, 2, 40)
