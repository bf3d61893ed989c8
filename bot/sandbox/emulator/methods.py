"""The table of emulated Bot API methods and the call that validates and runs one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from . import api_bot, api_messages, api_updates, errors
from .errors import bad_request
from .models import UploadedFile
from .spec import MethodSpec
from .state import EmulatorState

Handler = Callable[[EmulatorState, dict[str, Any]], Awaitable[Any]]

HANDLERS: dict[str, Handler] = {
    **api_bot.HANDLERS,
    **api_messages.HANDLERS,
    **api_updates.HANDLERS,
}


async def call_method(
    state: EmulatorState,
    method: MethodSpec,
    raw: dict[str, Any],
    files: dict[str, UploadedFile],
) -> Any:
    """Validate the parameters against the spec and run the method; raise ApiError on failure."""
    handler = HANDLERS.get(method.name)
    if handler is None:
        raise bad_request(errors.UNSUPPORTED_METHOD)
    params = state.validator.validate(method, raw, files)
    return await handler(state, params)
