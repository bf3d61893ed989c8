"""The webhook endpoint: Telegram's POSTs, answered 200 only once the update is committed.

python-telegram-bot's own webhook server answers before the update is handled,
so a crash in between would lose it. Here the secret token is checked first
(in constant time), then the body, then the update is committed to the durable
inbox; only then does Telegram get its 200. Anything else makes Telegram keep
the update and send it again: 403 for a wrong or missing secret, 400 for a body
that is not an update (malformed, not UTF-8, nested deeper than any update, ids
that are not numbers: refused before anything else reads it), 500 when the
database cannot take it just now.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.telegram.inbox import UpdateInbox
from bot.telegram.inbox.updates import chat_key, sender_key

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# A real update nests a dozen levels at most (a reply to a message with a keyboard of rows
# of buttons); anything deeper is refused before anything walks it.
MAX_DEPTH = 32
MAX_UPDATE_ID = 2**63 - 1  # what the inbox's key column holds


class WebhookEndpoint:
    """Receives updates from Telegram and commits them to the inbox before answering."""

    def __init__(
        self,
        inbox: UpdateInbox,
        secret: str,
        *,
        answered: Callable[[int], None] | None = None,
    ) -> None:
        self._inbox = inbox
        self._secret = secret.encode()
        self._answered = answered

    async def handle(self, request: web.Request) -> web.Response:
        """Check the secret and the body, commit the update, then answer."""
        response = await self._answer(request)
        if self._answered is not None:
            self._answered(response.status)
        return response

    async def _answer(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("webhook.forbidden", extra={"secret_given": bool(given)})
            return web.Response(status=403, text="forbidden")
        update = await _read_update(request)
        if update is None:
            log.warning("webhook.bad_request")
            return web.Response(status=400, text="not an update")
        try:
            await self._inbox.receive([update])
        except Exception as error:  # Telegram keeps the update and tries again
            log.error("webhook.store_failed", extra={"error": type(error).__name__})
            return web.Response(status=500, text="try again")
        return web.Response(status=200, text="ok")


async def _read_update(request: web.Request) -> dict[str, Any] | None:
    """The update in the body, or None when the body is not a JSON update.

    Whatever the body (nested 100,000 deep, not UTF-8, not JSON, JSON that is not an
    update, ids that are not numbers), the answer is None, never an exception: a 500
    would make Telegram send it again and again.
    """
    try:
        body = json.loads(await request.read(), parse_constant=_no_constants)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    if not isinstance(body, dict) or not _within_depth(body, MAX_DEPTH):
        return None
    update_id = body.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    if not 0 <= update_id <= MAX_UPDATE_ID:
        return None
    try:  # the inbox orders by these ids: they must be numbers where they are given
        chat_key(body), sender_key(body)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return body


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _within_depth(value: Any, limit: int) -> bool:
    """Whether lists and objects nest no deeper than ``limit`` (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        for child in children:
            if isinstance(child, dict | list):
                if depth >= limit:
                    return False
                stack.append((child, depth + 1))
    return True
