"""What the benchmarks time with: when an update became available, when a call arrived."""

from __future__ import annotations

import time

from bot.sandbox.emulator import BotApiEmulator

from .conftest import ApiCall


async def test_an_update_remembers_when_it_became_available(emu: BotApiEmulator) -> None:
    before = time.monotonic()
    update = emu.send_message(42, "hello")
    after = time.monotonic()
    assert before <= emu.update_available_at[update["update_id"]] <= after


async def test_a_call_records_its_arrival_before_the_simulated_latency(
    emu: BotApiEmulator, api: ApiCall
) -> None:
    emu.latency = 0.05
    sent = time.monotonic()
    await api("sendMessage", chat_id=42, text="hi")
    [record] = [r for r in emu.requests if r.method == "sendMessage"]
    assert sent <= record.received_at
    assert record.at - record.received_at >= 0.05
    assert record.chat_id == 42
