"""End-to-end fixtures: the Bot API emulator, and the real bot running against it over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.app import Bearings, build
from bot.clock import MovableClock
from bot.config import Settings
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from storage.db import Database


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emu:
        yield emu


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


def bot_settings(emulator: BotApiEmulator, database_url: str, keys: list[str]) -> Settings:
    """Settings pointing the real bot at the emulator."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=emulator.token,
        telegram_api_base_url=emulator.base_url,
        telegram_api_file_url=emulator.base_file_url,
        database_url=database_url,
        bearings_data_keys=",".join(keys),
        webhook_url=None,
    )


@pytest.fixture
async def bot(
    emulator: BotApiEmulator, database: Database, clock: MovableClock, data_keys: list[str]
) -> AsyncIterator[Bearings]:
    """The real bot, polling the emulator, on a fresh database."""
    bearings = build(bot_settings(emulator, database.url, data_keys), clock=clock)
    await bearings.start()
    yield bearings
    await bearings.stop()


@dataclass
class Chatter:
    """A person in a private chat with the bot, as a test drives them."""

    emulator: BotApiEmulator
    user_id: int
    first_name: str

    async def send(self, text: str) -> ChatMessage:
        """Send a message and return the bot's next new message."""
        after = len(self.emulator.bot_messages(self.user_id))
        self.emulator.send_message(self.user_id, text, first_name=self.first_name)
        return await self.emulator.wait_for_bot_message(self.user_id, after=after)

    async def press(self, label: str) -> ChatMessage:
        """Press a button on the newest message that has it; return that message once edited."""
        message = next(
            m
            for m in reversed(self.emulator.bot_messages(self.user_id))
            if any(label.lower() in text.lower() for text in m.labels)
        )
        self.emulator.press_button(self.user_id, label)
        return await self.emulator.wait_for_edit(self.user_id, message.message_id)
