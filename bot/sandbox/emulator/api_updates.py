"""Bot API methods for receiving updates: getUpdates (long polling) and the webhook methods."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from . import errors
from .errors import ApiError, bad_request
from .state import EmulatorState


async def get_updates(state: EmulatorState, params: dict[str, Any]) -> Any:
    """getUpdates: offset confirmation, limit, allowed_updates and long polling."""
    if state.webhook.active:
        raise ApiError(409, errors.WEBHOOK_CONFLICT)
    queue = state.updates
    queue.end_poll(ApiError(409, errors.POLLING_CONFLICT))
    queue.set_allowed(params.get("allowed_updates"))
    if params.get("offset"):
        queue.apply_offset(params["offset"])
    limit = min(100, max(1, params.get("limit", 100)))
    timeout = max(0, params.get("timeout", 0))
    batch = queue.take(limit)
    if batch or timeout == 0:
        return batch
    poll = queue.begin_poll()
    deadline = time.monotonic() + timeout
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            try:
                await asyncio.wait_for(poll.event.wait(), remaining)
            except TimeoutError:
                return []
            poll.event.clear()
            if poll.error is not None:
                raise poll.error
            batch = queue.take(limit)
            if batch or poll.ended:
                return batch
    finally:
        queue.finish_poll(poll)


async def set_webhook(state: EmulatorState, params: dict[str, Any]) -> Any:
    """setWebhook: switch to pushing updates to url (an empty url removes the webhook)."""
    url = params["url"]
    if not url:
        return await delete_webhook(state, params)
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    hook = state.webhook
    hook.url = url
    hook.secret_token = params.get("secret_token")
    hook.max_connections = params.get("max_connections", 40)
    hook.ip_address = params.get("ip_address")
    hook.last_error_date = None
    hook.last_error_message = None
    state.updates.set_allowed(params.get("allowed_updates"))
    hook.allowed_updates = sorted(state.updates.allowed) if state.updates.allowed else None
    if params.get("drop_pending_updates"):
        state.updates.drop_all()
    state.updates.end_poll(ApiError(409, errors.WEBHOOK_CONFLICT))
    state.pusher.start()
    return True


async def delete_webhook(state: EmulatorState, params: dict[str, Any]) -> Any:
    """deleteWebhook: back to getUpdates mode, optionally dropping pending updates."""
    state.pusher.cancel()
    hook = state.webhook
    hook.url = ""
    hook.secret_token = None
    hook.allowed_updates = None
    hook.ip_address = None
    if params.get("drop_pending_updates"):
        state.updates.drop_all()
    return True


async def get_webhook_info(state: EmulatorState, params: dict[str, Any]) -> Any:
    """getWebhookInfo: url, pending_update_count and the last delivery error."""
    hook = state.webhook
    info: dict[str, Any] = {
        "url": hook.url,
        "has_custom_certificate": False,
        "pending_update_count": state.updates.count(),
    }
    if hook.active:
        info["max_connections"] = hook.max_connections
        if hook.ip_address:
            info["ip_address"] = hook.ip_address
        if hook.allowed_updates:
            info["allowed_updates"] = hook.allowed_updates
    if hook.last_error_date is not None:
        info["last_error_date"] = hook.last_error_date
        info["last_error_message"] = hook.last_error_message
    return info


HANDLERS = {
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
}
