"""Making Bot API calls that survive Telegram's bad moments.

429 waits for ``retry_after``; 5xx, timeouts and dropped connections are
retried with exponential backoff and jitter; "message is not modified" and an
already-answered button count as success; other permanent errors are returned
as a ``CallOutcome`` for the caller to record, never raised into a handler.
"""

from __future__ import annotations

import asyncio
import logging
import random
import warnings
from dataclasses import dataclass
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBUserWarning

from bot.telegram.replies import for_api

log = logging.getLogger(__name__)

# Replies are stored as (method, params) data and sent generically on purpose, so they can be
# kept in the inbox row and re-sent after a crash; PTB's nudge towards typed methods is noise here.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)

_HARMLESS = ("message is not modified", "query is too old", "message to delete not found")


@dataclass(frozen=True)
class CallOutcome:
    """How a call ended: ``ok`` with the result, or the permanent reason it did not."""

    ok: bool
    result: Any = None
    reason: str | None = None
    blocked: bool = False
    migrated_to: int | None = None
    attempts: int = 1
    timeouts: int = 0


class ApiCaller:
    """Calls Bot API methods by name with retries."""

    def __init__(self, bot: Bot, *, max_attempts: int = 8, base_delay: float = 0.25) -> None:
        self._bot = bot
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._random = random.Random()

    async def call(self, method: str, params: dict[str, Any]) -> CallOutcome:
        """Make one call, retrying transient failures; never raises for Telegram errors."""
        timeouts = 0
        for attempt in range(1, self._max_attempts + 1):
            try:
                result = await self._bot.do_api_request(method, api_kwargs=for_api(params))
                return CallOutcome(True, result, attempts=attempt, timeouts=timeouts)
            except RetryAfter as error:
                wait = retry_seconds(error.retry_after)
                log.info("telegram.retry_after", extra={"method": method, "wait": wait})
                await asyncio.sleep(wait + self._random.uniform(0, 0.2))
            except ChatMigrated as error:
                return CallOutcome(False, reason="chat migrated", migrated_to=error.new_chat_id)
            except Forbidden as error:
                return CallOutcome(False, reason=str(error), blocked=True, attempts=attempt)
            except BadRequest as error:
                if any(text in str(error).lower() for text in _HARMLESS):
                    return CallOutcome(True, None, attempts=attempt, timeouts=timeouts)
                return CallOutcome(False, reason=str(error), attempts=attempt)
            except (TimedOut, NetworkError) as error:
                timeouts += isinstance(error, TimedOut)
                delay = min(self._base_delay * 2 ** (attempt - 1), 10.0)
                log.info("telegram.transient_error", extra={"method": method, "attempt": attempt})
                await asyncio.sleep(delay * self._random.uniform(0.5, 1.5))
        return CallOutcome(False, reason="gave up after retries", attempts=self._max_attempts)


def retry_seconds(retry_after: Any) -> float:
    """Seconds from a RetryAfter value (an int, or a timedelta in newer settings)."""
    seconds = getattr(retry_after, "total_seconds", None)
    return float(seconds()) if callable(seconds) else float(retry_after)
