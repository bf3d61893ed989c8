"""Making Bot API calls that survive Telegram's bad moments.

429 waits for ``retry_after`` (or, past ``flood_wait``, hands the wait back to
the caller: delivery reschedules the row instead of holding a connection);
5xx, timeouts and dropped connections are retried with exponential backoff and
jitter; "message is not modified" and an already-answered button count as
success; other permanent errors are returned as a ``CallOutcome`` for the
caller to record, never raised into a handler.

A timeout or a dropped connection after the request was sent is *ambiguous*:
Telegram may have acted on it. Such attempts are counted (``timeouts``), so a
retry that succeeds is known to be a possible duplicate.
"""

from __future__ import annotations

import asyncio
import logging
import random
import warnings
from dataclasses import dataclass
from typing import Any

import httpx
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.telegram.replies import for_api

log = logging.getLogger(__name__)

# Replies are stored as (method, params) data and sent generically on purpose, so they can be
# kept in the inbox row and re-sent after a crash; PTB's nudge towards typed methods is noise here.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)

FLOOD_REASON = "flood control"
"""How a 429's reason begins: the wait Telegram told must be kept, outage or not."""
_HARMLESS = ("message is not modified", "query is too old", "message to delete not found")


@dataclass(frozen=True)
class CallOutcome:
    """How a call ended: ``ok`` with the result, or the reason it did not.

    ``transient`` failures may succeed later (``retry_after`` says when, for a 429);
    ``timeouts`` counts attempts that may have reached Telegram without an answer.
    """

    ok: bool
    result: Any = None
    reason: str | None = None
    blocked: bool = False
    migrated_to: int | None = None
    attempts: int = 1
    timeouts: int = 0
    transient: bool = False
    retry_after: float | None = None


class ApiCaller:
    """Calls Bot API methods by name with retries."""

    def __init__(self, bot: Bot, *, max_attempts: int = 8, base_delay: float = 0.25) -> None:
        self._bot = bot
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._random = random.Random()

    async def call(
        self,
        method: str,
        params: dict[str, Any],
        *,
        flood_wait: float | None = None,
        read_timeout: float | None = None,
        max_attempts: int | None = None,
    ) -> CallOutcome:
        """Make one call, retrying transient failures; never raises for Telegram errors.

        ``flood_wait``: the longest 429 wait to sit out here; a longer one is returned
        (``retry_after``) for the caller to schedule. ``read_timeout``: seconds to wait for
        Telegram's answer (python-telegram-bot's default otherwise).
        """
        limit = max_attempts or self._max_attempts
        timeouts = 0
        options: dict[str, Any] = {} if read_timeout is None else {"read_timeout": read_timeout}
        for attempt in range(1, limit + 1):
            try:
                result = await self._bot.do_api_request(
                    method, api_kwargs=for_api(params), **options
                )
                return CallOutcome(True, result, attempts=attempt, timeouts=timeouts)
            except RetryAfter as error:
                with warnings.catch_warnings():
                    # Read as int or timedelta (``retry_seconds``): PTB's coming change is moot.
                    warnings.simplefilter("ignore", PTBDeprecationWarning)
                    wait = retry_seconds(error.retry_after)
                log.info("telegram.retry_after", extra={"method": method, "wait": wait})
                if flood_wait is not None and wait > flood_wait:
                    return CallOutcome(
                        False,
                        reason=f"{FLOOD_REASON}: retry after {wait:g}s",
                        attempts=attempt,
                        timeouts=timeouts,
                        transient=True,
                        retry_after=wait,
                    )
                await asyncio.sleep(wait + self._random.uniform(0, 0.2))
            except ChatMigrated as error:
                return CallOutcome(
                    False,
                    reason="chat migrated",
                    migrated_to=error.new_chat_id,
                    attempts=attempt,
                    timeouts=timeouts,
                )
            except Forbidden as error:
                return CallOutcome(
                    False, reason=str(error), blocked=True, attempts=attempt, timeouts=timeouts
                )
            except BadRequest as error:
                if any(text in str(error).lower() for text in _HARMLESS):
                    return CallOutcome(True, None, attempts=attempt, timeouts=timeouts)
                return CallOutcome(False, reason=str(error), attempts=attempt, timeouts=timeouts)
            except (TimedOut, NetworkError) as error:
                timeouts += may_have_arrived(error)
                if attempt == limit:
                    break
                delay = min(self._base_delay * 2 ** (attempt - 1), 10.0)
                log.info("telegram.transient_error", extra={"method": method, "attempt": attempt})
                await asyncio.sleep(delay * self._random.uniform(0.5, 1.5))
        return CallOutcome(
            False, reason="gave up after retries", attempts=limit, timeouts=timeouts, transient=True
        )


def may_have_arrived(error: NetworkError) -> bool:
    """Whether a failed request may still have reached Telegram and been acted on.

    A connection that was never made (refused, connect timeout, no free connection in the
    pool) sent nothing; an error answer (5xx) means Telegram did not act. A read timeout or
    a connection dropped after the request went out leaves it unknown.
    """
    cause = error.__cause__
    if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return False
    return isinstance(cause, httpx.HTTPError)


def retry_seconds(retry_after: Any) -> float:
    """Seconds from a RetryAfter value (an int, or a timedelta in newer settings)."""
    seconds = getattr(retry_after, "total_seconds", None)
    return float(seconds()) if callable(seconds) else float(retry_after)
