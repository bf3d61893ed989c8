"""Reading raw updates (Telegram side): what is asked for, what kind, whose chat, who sent it.

Plain functions over the JSON dictionaries Telegram sends, before anything is
stored or parsed into python-telegram-bot objects.
"""

from __future__ import annotations

from typing import Any

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
"""The kinds of update Telegram is asked for (long polling and the webhook alike)."""


def update_kind(raw: dict[str, Any]) -> str:
    """What sort of update this is ("message", "callback_query", ...)."""
    return next((key for key in raw if key != "update_id"), "unknown")


def chat_key(raw: dict[str, Any]) -> int:
    """The chat an update belongs to, for ordering (the user for chat-less updates)."""
    for kind in ("message", "edited_message", "channel_post", "my_chat_member", "chat_member"):
        if kind in raw and isinstance(raw[kind], dict):
            chat = raw[kind].get("chat") or {}
            if "id" in chat:
                return int(chat["id"])
    query = raw.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message") or {}
        if "chat" in message:
            return int(message["chat"]["id"])
        return int((query.get("from") or {}).get("id", 0))
    for value in raw.values():
        if isinstance(value, dict) and isinstance(value.get("from"), dict):
            return int(value["from"].get("id", 0))
    return 0


def well_formed(value: Any) -> Any:
    """The update with any lone surrogate (text with no UTF-8 form, which a JSON escape like
    \\ud800 can still carry) replaced by U+FFFD, as Telegram does with broken text: it
    could be neither stored nor encrypted, and one such update would stall the whole inbox."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {key: well_formed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [well_formed(item) for item in value]
    return value


def sender_key(raw: dict[str, Any]) -> int:
    """Who sent an update, for flood control (the chat when there is no person)."""
    for value in raw.values():
        if isinstance(value, dict) and isinstance(value.get("from"), dict):
            return int(value["from"].get("id", 0))
    return chat_key(raw)
