"""End-to-end fixtures: the Bot API emulator, and the real bot running against it over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import SecretStr

from bot.app import Bearings, build
from bot.clock import MovableClock
from bot.config import Settings
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from storage.db import Database
from storage.models import Case, Member
from storage.uow import UnitOfWork


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emu:
        yield emu


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


def bot_settings(
    emulator: BotApiEmulator,
    database_url: str,
    keys: list[str],
    *,
    tick_seconds: float = 0.2,
    nudges: bool = False,
) -> Settings:
    """Settings pointing the real bot at the emulator (the periodic job ticking fast).

    Scheduled nudges are off unless a test is about them (``bot_with_nudges``), so that a
    visit falling due does not interleave with the conversation another test checks.
    Flood control is out of reach (a test drives a conversation far faster than a person
    types) unless a test is about it and sets ``flood_burst`` and ``flood_per_second``.
    """
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=SecretStr(emulator.token),
        telegram_api_base_url=emulator.base_url,
        telegram_api_file_url=emulator.base_file_url,
        database_url=database_url,
        bearings_data_keys=SecretStr(",".join(keys)),
        webhook_url=None,
        metrics_enabled=False,  # no HTTP server: tests run many bots side by side
        tick_seconds=tick_seconds,
        nudges_enabled=nudges,
        flood_burst=10_000,
    )


@asynccontextmanager
async def running(settings: Settings, clock: MovableClock) -> AsyncIterator[Bearings]:
    """The real bot, started with these settings, stopped afterwards (also after a failure)."""
    bearings = build(settings, clock=clock)
    await bearings.start()
    try:
        yield bearings
    finally:
        await bearings.stop()


@pytest.fixture
async def bot(
    emulator: BotApiEmulator, database: Database, clock: MovableClock, data_keys: list[str]
) -> AsyncIterator[Bearings]:
    """The real bot, polling the emulator, on a fresh database."""
    async with running(bot_settings(emulator, database.url, data_keys), clock) as bearings:
        yield bearings


@pytest.fixture
async def bot_with_nudges(
    emulator: BotApiEmulator, database: Database, clock: MovableClock, data_keys: list[str]
) -> AsyncIterator[Bearings]:
    """The real bot with scheduled nudges on."""
    settings = bot_settings(emulator, database.url, data_keys, nudges=True)
    async with running(settings, clock) as bearings:
        yield bearings


@pytest.fixture
async def bot_between_ticks(
    emulator: BotApiEmulator, database: Database, clock: MovableClock, data_keys: list[str]
) -> AsyncIterator[Bearings]:
    """The real bot whose periodic job runs once at start and then not again during a test:
    for what must work when the planner has not come round yet."""
    settings = bot_settings(emulator, database.url, data_keys, tick_seconds=300)
    async with running(settings, clock) as bearings:
        yield bearings


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
        message = self._with_button(label)
        self.emulator.press_button(self.user_id, label)
        return await self.emulator.wait_for_edit(self.user_id, message.message_id)

    async def tap(self, label: str) -> ChatMessage:
        """Press a button on the newest message that has it; return the bot's next new message."""
        self._with_button(label)
        after = len(self.emulator.bot_messages(self.user_id))
        self.emulator.press_button(self.user_id, label)
        return await self.emulator.wait_for_bot_message(self.user_id, after=after)

    async def send_until(self, text: str, fragment: str) -> ChatMessage:
        """Send a message and return the bot's first new message containing ``fragment``."""
        after = len(self.emulator.bot_messages(self.user_id))
        self.emulator.send_message(self.user_id, text, first_name=self.first_name)
        return await self.emulator.wait_for_bot_message(
            self.user_id, lambda m: fragment in m.text, after=after
        )

    async def tap_until(self, label: str, fragment: str) -> ChatMessage:
        """Press a button and return the bot's first new message containing ``fragment``."""
        self._with_button(label)
        after = len(self.emulator.bot_messages(self.user_id))
        self.emulator.press_button(self.user_id, label)
        return await self.emulator.wait_for_bot_message(
            self.user_id, lambda m: fragment in m.text, after=after
        )

    async def exchange(self, text: str, replies: int) -> list[ChatMessage]:
        """Send a message and return the bot's next ``replies`` new messages."""
        after = len(self.emulator.bot_messages(self.user_id))
        self.emulator.send_message(self.user_id, text, first_name=self.first_name)
        return await self._next(after, replies)

    async def send_media(self, kind: str, replies: int = 1) -> list[ChatMessage]:
        """Send a photo, sticker, voice note, file, location, ...; return the bot's next replies."""
        after = len(self.emulator.bot_messages(self.user_id))
        self.emulator.send_media(self.user_id, kind)
        return await self._next(after, replies)

    def button(self, label: str) -> tuple[int, str]:
        """The newest message with this button, and the button's callback data (to press later)."""
        message = self._with_button(label)
        data = message.button(label).callback_data
        assert data is not None
        return message.message_id, data

    async def press_data(self, message_id: int, data: str) -> dict[str, Any]:
        """Press a button by its raw data (an old one again, or a forged one) on a message.

        Returns the bot's answer to the press; by then everything it said about it is sent.
        """
        update = self.emulator.press(self.user_id, message_id, data)
        return await self.emulator.wait_for_callback_answer(update["callback_query"]["id"])

    async def _next(self, after: int, count: int) -> list[ChatMessage]:
        await self.emulator.wait_for_bot_message(self.user_id, after=after + count - 1)
        return self.emulator.bot_messages(self.user_id)[after : after + count]

    def _with_button(self, label: str) -> ChatMessage:
        for message in reversed(self.emulator.bot_messages(self.user_id)):
            if any(label.lower() in text.lower() for text in message.labels):
                return message
        raise AssertionError(
            f"no message in chat {self.user_id} has a button {label!r}; "
            f"{self.emulator.recent(self.user_id)}"
        )


async def add_case(chatter: Chatter, reference: str, cadence: str = "Every week") -> ChatMessage:
    """Walk /newcase (Engagement, no review date); return the bot's "Added ..." message."""
    await chatter.send("/newcase")
    await chatter.send(reference)
    await chatter.tap("Engagement")
    await chatter.tap(cadence)
    return await chatter.tap("Skip")


async def member(uow: UnitOfWork, telegram_user_id: int) -> Member:
    """The member with this Telegram id (they must exist)."""
    found = await uow.members.by_telegram_id(telegram_user_id)
    assert found is not None
    return found


async def stored_case(uow: UnitOfWork, telegram_user_id: int, reference: str) -> Case:
    """The case with this reference in that person's team (it must exist)."""
    case = await uow.cases.by_reference((await member(uow, telegram_user_id)).team_id, reference)
    assert case is not None
    return case
