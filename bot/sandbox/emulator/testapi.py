"""The HTTP test API under /_emulator/: act as users and read state from another process (JSON)."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .faults import FaultRule
from .models import ChatMessage

if TYPE_CHECKING:
    from .emulator import BotApiEmulator

Route = Callable[[web.Request], Awaitable[web.StreamResponse]]
_FAULT_FIELDS = {f.name for f in dataclasses.fields(FaultRule)} - {"hits"}


def message_json(message: ChatMessage) -> dict[str, Any]:
    """Return a ChatMessage as JSON-friendly data (file bytes reduced to their size)."""
    data = dataclasses.asdict(message)
    content = data.pop("file_bytes")
    data["file_size"] = len(content) if content is not None else None
    data["labels"] = message.labels
    return data


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(data, default=str), content_type="application/json"
    )


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return dict(request.query)
    data = await request.json()
    if not isinstance(data, dict):
        raise ValueError("a JSON object is expected")
    return {**request.query, **data}


def _guarded(handler: Callable[[dict[str, Any]], Awaitable[Any]]) -> Route:
    async def route(request: web.Request) -> web.StreamResponse:
        try:
            return _json({"ok": True, "result": await handler(await _body(request))})
        except (LookupError, ValueError, TypeError) as error:
            return _json({"ok": False, "error": f"{error.__class__.__name__}: {error}"}, 400)
        except TimeoutError as error:
            return _json({"ok": False, "error": f"TimeoutError: {error}"}, 408)

    return route


def _int(data: dict[str, Any], key: str) -> int:
    if key not in data:
        raise ValueError(f'"{key}" is required')
    return int(data[key])


def _opt_int(data: dict[str, Any], key: str) -> int | None:
    return int(data[key]) if data.get(key) is not None else None


def add_test_routes(app: web.Application, emu: BotApiEmulator) -> None:
    """Register the /_emulator/ routes for this emulator on the application."""

    async def send_message(data: dict[str, Any]) -> Any:
        keys = ("first_name", "last_name", "username", "chat_type", "chat_title")
        extra = {k: data[k] for k in keys if data.get(k) is not None}
        return emu.send_message(
            _int(data, "user_id"),
            str(data["text"]),
            chat_id=_opt_int(data, "chat_id"),
            reply_to=_opt_int(data, "reply_to"),
            **extra,
        )

    async def press(data: dict[str, Any]) -> Any:
        return emu.press(
            _int(data, "user_id"),
            _int(data, "message_id"),
            str(data["data"]),
            chat_id=_opt_int(data, "chat_id"),
        )

    async def press_button(data: dict[str, Any]) -> Any:
        return emu.press_button(
            _int(data, "user_id"), str(data["label"]), chat_id=_opt_int(data, "chat_id")
        )

    async def send_media(data: dict[str, Any]) -> Any:
        return emu.send_media(
            _int(data, "user_id"),
            str(data["kind"]),
            chat_id=_opt_int(data, "chat_id"),
            caption=data.get("caption"),
        )

    async def send_document(data: dict[str, Any]) -> Any:
        return emu.send_document(
            _int(data, "user_id"),
            base64.b64decode(str(data["content_base64"]), validate=True),
            str(data["file_name"]),
            mime_type=data.get("mime_type"),
            chat_id=_opt_int(data, "chat_id"),
            caption=data.get("caption"),
        )

    async def transcript(data: dict[str, Any]) -> Any:
        return [message_json(m) for m in emu.transcript(_int(data, "chat_id"))]

    async def wait_for_bot_message(data: dict[str, Any]) -> Any:
        contains = data.get("text_contains")
        message = await emu.wait_for_bot_message(
            _int(data, "chat_id"),
            (lambda m: contains in m.text) if contains else None,
            after=_opt_int(data, "after"),
            timeout=float(data.get("timeout", 10.0)),
        )
        return message_json(message)

    async def requests(data: dict[str, Any]) -> Any:
        since = int(data.get("since", 0))
        method = data.get("method")
        records = emu.requests[since:]
        if method:
            records = [r for r in records if r.method.lower() == str(method).lower()]
        return [dataclasses.asdict(r) for r in records]

    async def add_fault(data: dict[str, Any]) -> Any:
        unknown = set(data) - _FAULT_FIELDS
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        return emu.faults.add(FaultRule(**data)).to_dict()

    async def list_faults(data: dict[str, Any]) -> Any:
        return [rule.to_dict() for rule in emu.faults.rules]

    async def clear_faults(data: dict[str, Any]) -> Any:
        emu.faults.clear()
        return True

    async def block(data: dict[str, Any]) -> Any:
        user_id = _int(data, "user_id")
        if data.get("blocked", True) in (False, "false", "0", 0):
            emu.unblock(user_id)
        else:
            emu.block(user_id)
        return True

    async def unblock(data: dict[str, Any]) -> Any:
        emu.unblock(_int(data, "user_id"))
        return True

    async def info(data: dict[str, Any]) -> Any:
        return {
            "token": emu.token,
            "bot_username": emu.bot_username,
            "base_url": emu.base_url,
            "base_file_url": emu.base_file_url,
            "pending_updates": emu.pending_updates(),
            "webhook": dataclasses.asdict(emu.webhook),
            "stats": dict(emu.stats),
        }

    routes: list[tuple[str, str, Callable[[dict[str, Any]], Awaitable[Any]]]] = [
        ("POST", "send_message", send_message),
        ("POST", "press", press),
        ("POST", "press_button", press_button),
        ("POST", "send_media", send_media),
        ("POST", "send_document", send_document),
        ("GET", "transcript", transcript),
        ("POST", "wait_for_bot_message", wait_for_bot_message),
        ("GET", "requests", requests),
        ("GET", "faults", list_faults),
        ("POST", "faults", add_fault),
        ("DELETE", "faults", clear_faults),
        ("POST", "faults/clear", clear_faults),
        ("POST", "block", block),
        ("POST", "unblock", unblock),
        ("GET", "info", info),
    ]
    for verb, path, handler in routes:
        app.router.add_route(verb, f"/_emulator/{path}", _guarded(handler))
