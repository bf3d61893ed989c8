"""What the command line's subcommands share: opening the database with the data keys, reading
arguments, and printing plainly."""

from __future__ import annotations

import argparse
import asyncio
import html
import re
import sys
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import TypeVar

from bot.app import ensure_schema
from bot.config import Settings
from bot.services import onboarding
from bot.telegram.links import invite_link
from storage.crypto import install_keys
from storage.db import Database

T = TypeVar("T")

NO_KEYS = """\
BEARINGS_DATA_KEYS is not set: Bearings encrypts notes at rest and needs a key.
Generate one and put it in .env as BEARINGS_DATA_KEYS=...:
  python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())\""""


def positive_number(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {value!r}")
    return number


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date like 2026-11-23, not {value!r}") from None


def cases_word(count: int) -> str:
    return f"{count} case{'s' if count != 1 else ''}"


def print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def print_invite(settings: Settings, issued: onboarding.IssuedInvite) -> None:
    username = asyncio.run(bot_username(settings))
    print(f"One-time invite for a {issued.role.value} (expires in {issued.expires_in_days} days):")
    print(f"  {invite_link(username, issued.token)}")
    print(f"  token: {issued.token}")
    print("Send it privately; it works once. In Telegram, tapping the link sends /start <token>.")


async def bot_username(settings: Settings) -> str:
    """The bot's username from BOT_USERNAME, else from Telegram's getMe, else a placeholder."""
    if settings.bot_username:
        return settings.bot_username
    if settings.token is None:
        return "<your_bot_username>"
    from telegram import Bot

    try:
        async with Bot(settings.token, base_url=settings.telegram_api_base_url) as bot:
            return bot.username
    except Exception:
        return "<your_bot_username>"


def with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    if not settings.data_keys:
        print(NO_KEYS, file=sys.stderr)
        raise SystemExit(2)
    install_keys(settings.data_keys)

    async def session() -> T:
        database = Database(settings.database_url)
        try:
            if work.__name__ != "migrate":
                await ensure_schema(database, auto_migrate=settings.is_sqlite)
            return await work(database)
        finally:
            await database.dispose()

    return asyncio.run(session())


def plain_text(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def span_words(delta: timedelta | None) -> str:
    if delta is None:
        return "-"
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"
