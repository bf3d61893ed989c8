"""Fault injection: error answers, slow and dropped answers, after-effects, blocks, migrations."""

from __future__ import annotations

import time

import httpx
import pytest
import telegram

from bot.sandbox.emulator import BotApiEmulator, FaultRule

from .conftest import ApiCall

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_429_with_retry_after(emu: BotApiEmulator, api: ApiCall, bot: telegram.Bot) -> None:
    rule = emu.faults.add(FaultRule(method="sendMessage", status=429, retry_after=3))
    response = await api("sendMessage", chat_id=1, text="x")
    assert response.status_code == 429
    assert response.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    assert rule.hits == 1 and emu.stats["429"] == 1
    assert (await api("sendMessage", chat_id=1, text="x")).status_code == 200
    told, answered = emu.requests[-2:]
    assert (told.status, told.chat_id, told.retry_after) == (429, 1, 3)
    assert (answered.status, answered.retry_after) == (200, None)
    emu.faults.add(FaultRule(method="sendmessage", status=429))
    with pytest.raises(telegram.error.RetryAfter, match="Flood control exceeded"):
        await bot.send_message(1, "x")


@pytest.mark.parametrize(
    ("status", "phrase"), [(500, "Internal Server Error"), (502, "Bad Gateway")]
)
async def test_server_errors(
    emu: BotApiEmulator, api: ApiCall, bot: telegram.Bot, status: int, phrase: str
) -> None:
    emu.faults.add(FaultRule(method="sendMessage", status=status, times=2))
    response = await api("sendMessage", chat_id=1, text="x")
    assert response.status_code == status and response.json()["description"] == phrase
    with pytest.raises(telegram.error.NetworkError, match=phrase):
        await bot.send_message(1, "x")
    assert emu.bot_messages(1) == []
    await bot.send_message(1, "through")
    assert [m.text for m in emu.bot_messages(1)] == ["through"]


async def test_rules_match_by_chat(emu: BotApiEmulator, api: ApiCall) -> None:
    emu.faults.add(FaultRule(chat_id=2, status=500, times=None))
    assert (await api("sendMessage", chat_id=1, text="x")).status_code == 200
    assert (await api("sendMessage", chat_id=2, text="x")).status_code == 500
    assert (await api("sendMessage", chat_id=2, text="x")).status_code == 500
    emu.faults.clear()
    assert (await api("sendMessage", chat_id=2, text="x")).status_code == 200


async def test_slow_answer_past_client_timeout(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.faults.add(FaultRule(method="sendMessage", status=0, delay=0.5))
    with pytest.raises(telegram.error.TimedOut):
        await bot.send_message(1, "slow", read_timeout=0.1)
    await emu.wait_for_bot_message(1, after=0, timeout=5)
    assert [m.text for m in emu.bot_messages(1)] == ["slow"]


async def test_dropped_connection(
    emu: BotApiEmulator, http: httpx.AsyncClient, bot: telegram.Bot
) -> None:
    emu.faults.add(FaultRule(method="sendMessage", status=0, drop_connection=True, times=2))
    with pytest.raises(httpx.RemoteProtocolError):
        await http.post(f"/bot{emu.token}/sendMessage", json={"chat_id": 1, "text": "x"})
    with pytest.raises(telegram.error.NetworkError):
        await bot.send_message(1, "x")
    assert emu.bot_messages(1) == []
    assert emu.requests[-1].status == 0
    await bot.send_message(1, "ok")


async def test_after_effect_error_still_delivers(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.faults.add(FaultRule(method="sendMessage", status=500, after_effect=True))
    with pytest.raises(telegram.error.NetworkError):
        await bot.send_message(1, "maybe")
    assert [m.text for m in emu.bot_messages(1)] == ["maybe"]


async def test_after_effect_drop_still_delivers(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.faults.add(FaultRule(method="sendMessage", drop_connection=True, after_effect=True))
    with pytest.raises(telegram.error.NetworkError):
        await bot.send_message(1, "maybe")
    assert [m.text for m in emu.bot_messages(1)] == ["maybe"]


async def test_probability_is_deterministic_with_seed() -> None:
    async def pattern(seed: int) -> list[int]:
        async with BotApiEmulator(seed=seed) as emu, httpx.AsyncClient(base_url=emu.url) as client:
            emu.faults.add(FaultRule(method="getMe", probability=0.5, times=None))
            return [(await client.get(f"/bot{emu.token}/getMe")).status_code for _ in range(20)]

    first, second = await pattern(7), await pattern(7)
    assert first == second
    assert 200 in first and 500 in first


async def test_blocked_user(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.block(5)
    with pytest.raises(telegram.error.Forbidden, match="bot was blocked by the user"):
        await bot.send_message(5, "hello?")
    with pytest.raises(telegram.error.Forbidden):
        await bot.send_chat_action(5, "typing")
    updates = await bot.get_updates()
    change = updates[-1].my_chat_member
    assert change is not None and change.new_chat_member.status == "kicked"
    emu.unblock(5)
    await bot.send_message(5, "welcome back")


async def test_group_migration(emu: BotApiEmulator, api: ApiCall, bot: telegram.Bot) -> None:
    emu.send_message(7, "hi", chat_id=-4242, chat_title="Team")
    new_id = emu.migrate_group(-4242)
    assert new_id == -1000000004242
    response = await api("sendMessage", chat_id=-4242, text="x")
    assert response.status_code == 400
    assert response.json()["description"] == (
        "Bad Request: group chat was upgraded to a supergroup chat"
    )
    assert response.json()["parameters"] == {"migrate_to_chat_id": new_id}
    with pytest.raises(telegram.error.ChatMigrated) as caught:
        await bot.send_message(-4242, "x")
    assert caught.value.new_chat_id == new_id
    sent = await bot.send_message(new_id, "moved")
    assert sent.chat.type == "supergroup" and sent.chat.title == "Team"
    messages = [u.message for u in await bot.get_updates()]
    assert any(m is not None and m.migrate_to_chat_id == new_id for m in messages)
    assert any(m is not None and m.migrate_from_chat_id == -4242 for m in messages)


async def test_left_group_is_forbidden(bot: telegram.Bot, emu: BotApiEmulator) -> None:
    emu.bot_added_to_group(-77, "Team", by_user_id=1)
    assert await bot.leave_chat(-77) is True
    with pytest.raises(telegram.error.Forbidden):
        await bot.send_message(-77, "x")


async def test_latency_is_added(emu: BotApiEmulator, api: ApiCall) -> None:
    emu.latency = 0.05
    started = time.monotonic()
    await api("getMe")
    assert time.monotonic() - started >= 0.05
