"""The aiohttp application: the Bot API endpoint, file downloads, faults, latency and records."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aiohttp import web

from . import errors
from .decoding import decode_params, loggable
from .errors import ApiError
from .faults import FaultRule
from .methods import call_method
from .models import RequestRecord
from .state import EmulatorState

STATE_KEY: web.AppKey[EmulatorState] = web.AppKey("emulator_state", EmulatorState)
MAX_BODY = 60 * 1024 * 1024


class _Dropped(Exception):
    """A fault rule closed the connection; the answer written afterwards goes nowhere."""


def _dumps(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _answer(status: int, body: dict[str, Any]) -> web.Response:
    text = _dumps(body)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        # Text with a lone surrogate (from a test acting as a broken client) has no UTF-8
        # form; JSON can still carry it escaped, as \\ud800.
        data = json.dumps(body, separators=(",", ":")).encode("ascii")
    return web.Response(status=status, body=data, content_type="application/json", charset="utf-8")


def _chat_id(raw: dict[str, Any]) -> int | None:
    value = raw.get("chat_id")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _record(
    state: EmulatorState,
    method: str,
    raw: dict[str, Any],
    status: int,
    description: str | None,
    chat_id: int | None,
    received_at: float,
    retry_after: int | None,
) -> None:
    state.requests.append(
        RequestRecord(
            method,
            loggable(raw),
            status,
            description,
            time.monotonic(),
            chat_id,
            received_at,
            retry_after,
        )
    )
    state.stats["requests"] += 1
    if status != 200:
        state.stats["errors"] += 1
        state.stats[str(status)] += 1
    state.notifier.notify()


async def _apply_fault(rule: FaultRule, request: web.Request) -> ApiError | None:
    """Delay and/or drop as the rule says; return its error answer (None: answer normally)."""
    if rule.delay > 0:
        await asyncio.sleep(rule.delay)
    if rule.drop_connection:
        transport = request.transport
        if transport is not None:
            transport.abort()
        raise _Dropped
    return rule.error()


async def handle_api(request: web.Request) -> web.StreamResponse:
    """Answer one Bot API call as Telegram would."""
    state = request.app[STATE_KEY]
    received_at = time.monotonic()
    name = request.match_info["method"]
    raw: dict[str, Any] = {}
    chat_id: int | None = None
    status, description, retry_after = 200, None, None
    try:
        if request.match_info["token"] != state.token:
            raise ApiError(401, errors.UNAUTHORIZED)
        method = state.spec.method(name)
        if method is None:
            raise ApiError(404, errors.NOT_FOUND)
        name = method.name
        raw, files = await decode_params(request)
        chat_id = _chat_id(raw)
        if state.latency > 0:
            await asyncio.sleep(state.latency)
        rule = state.faults.pick(name, chat_id)
        if rule is not None:
            state.stats["faults"] += 1
        if rule is not None and not rule.after_effect:
            failure = await _apply_fault(rule, request)
            if failure is not None:
                raise failure
        result = await call_method(state, method, raw, files)
        if rule is not None and rule.after_effect:
            failure = await _apply_fault(rule, request)
            if failure is not None:
                raise failure
        return _answer(200, {"ok": True, "result": result})
    except ApiError as error:
        status, description = error.status, error.description
        retry_after = (error.parameters or {}).get("retry_after")
        return _answer(error.status, error.body())
    except _Dropped:
        status, description = 0, "connection dropped"
        return web.Response(status=500)
    finally:
        _record(state, name, raw, status, description, chat_id, received_at, retry_after)


async def handle_file(request: web.Request) -> web.StreamResponse:
    """Serve a stored file at /file/bot<token>/<file_path>."""
    state = request.app[STATE_KEY]
    if request.match_info["token"] != state.token:
        return _answer(401, ApiError(401, errors.UNAUTHORIZED).body())
    stored = state.files.by_path(request.match_info["path"])
    if stored is None or stored.content is None:
        return _answer(404, ApiError(404, errors.NOT_FOUND).body())
    return web.Response(
        body=stored.content, content_type=stored.mime_type or "application/octet-stream"
    )


def build_app(state: EmulatorState) -> web.Application:
    """Return the aiohttp application serving the Bot API for this state."""
    app = web.Application(client_max_size=MAX_BODY)
    app[STATE_KEY] = state
    app.router.add_route("*", "/bot{token}/{method}", handle_api)
    app.router.add_get("/file/bot{token}/{path:.+}", handle_file)
    return app
