"""Telegram deep links."""

from __future__ import annotations


def invite_link(bot_username: str, token: str) -> str:
    """The link that opens the bot with ``/start <token>``."""
    return f"https://t.me/{bot_username}?start={token}"
