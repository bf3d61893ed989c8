"""The webhook endpoint: Telegram's POSTs, answered 200 only once the update is committed.

python-telegram-bot's own webhook server answers before the update is handled,
so a crash in between would lose it. Here the secret token is checked first
(in constant time), then the body, then the update is committed to the durable
inbox; only then does Telegram get its 200. Anything else makes Telegram keep
the update and send it again: 403 for a wrong or missing secret, 400 for a body
that is not an update, 500 when the database cannot take it just now.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.telegram.inbox import UpdateInbox

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


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
    """The update in the body, or None when the body is not a JSON update."""
    try:
        body = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict):
        return None
    update_id = body.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
        return None
    return body
