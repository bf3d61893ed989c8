"""Long polling that confirms an update to Telegram only after the inbox has committed it.

Telegram forgets updates below the ``offset`` of the next getUpdates call, so
the offset moves past a batch only once ``UpdateInbox.receive`` has stored it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.telegram.calls import retry_seconds
from bot.telegram.inbox import ALLOWED_UPDATES, UpdateInbox

log = logging.getLogger(__name__)


class Poller:
    """Fetches updates with getUpdates and hands them to the inbox."""

    def __init__(self, bot: Bot, inbox: UpdateInbox, *, timeout: int = 25) -> None:
        self._bot = bot
        self._inbox = inbox
        self._timeout = timeout
        self.first_poll = asyncio.Event()
        self.on_telegram_back: Callable[[], None] | None = None
        """Told when getUpdates answers again after failing (delivery catches up at once)."""

    async def run(self) -> None:
        """Poll until cancelled."""
        offset: int | None = None
        failures = 0
        while True:
            params: dict[str, Any] = {"timeout": self._timeout, "allowed_updates": ALLOWED_UPDATES}
            if offset is not None:
                params["offset"] = offset
            self.first_poll.set()
            try:
                batch = await self._bot.do_api_request(
                    "getUpdates", api_kwargs=params, read_timeout=self._timeout + 10
                )
                if failures and self.on_telegram_back is not None:
                    self.on_telegram_back()
                failures = 0
            except RetryAfter as error:
                await asyncio.sleep(retry_seconds(error.retry_after))
                continue
            except (TimedOut, NetworkError):
                failures += 1
                log.info("polling.network_error", extra={"failures": failures})
                await asyncio.sleep(min(0.5 * 2**failures, 30.0))
                continue
            if not batch:
                continue
            try:
                await self._inbox.receive(batch)
            except Exception as error:
                # Not stored, so not confirmed: Telegram keeps the batch and the next poll
                # fetches it again. Polling itself must never die of it.
                failures += 1
                log.error("polling.receive_failed", extra={"error": type(error).__name__})
                await asyncio.sleep(min(0.5 * 2**failures, 30.0))
                continue
            offset = int(batch[-1]["update_id"]) + 1
