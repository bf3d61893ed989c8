"""Logging: event names and ids, never message text, answers, names or tokens.

Libraries that would log request URLs (which carry the bot token) or update
contents are held at WARNING whatever ``LOG_LEVEL`` says.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

_STANDARD = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}
_QUIET = (
    "httpx",
    "httpcore",
    "telegram",
    "apscheduler",
    "aiosqlite",
    "asyncio",
    "hpack",
    "alembic",
    # The PDF library and its font subsetter: the subsetter lists the letters a document uses.
    "fpdf",
    "fontTools",
)


# A bot token in a Bot API URL (".../bot<token>/getMe"), or on its own (digits:35 characters).
_TOKEN_IN_URL = re.compile(r"(?<=/bot)\d+:[A-Za-z0-9_-]+")
_BARE_TOKEN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}")


# The ids of what is being worked on (the update and its chat; the chat of a delivery lane),
# added to every event logged meanwhile: one asyncio task per chat, so each sees its own.
_bound: ContextVar[Mapping[str, Any]] = ContextVar("bearings_log_ids", default=MappingProxyType({}))


@contextmanager
def bound_ids(**ids: Any) -> Iterator[None]:
    """Add these ids (never content) to every event logged inside the block."""
    token = _bound.set({**_bound.get(), **ids})
    try:
        yield
    finally:
        _bound.reset(token)


class BoundIds(logging.Filter):
    """Puts the ids bound with ``bound_ids`` on each record (a record's own fields win)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _bound.get().items():
            if key not in record.__dict__:
                setattr(record, key, value)
        return True


def mask_tokens(text: str) -> str:
    """Hide bot tokens, whoever logged them: the last guard if a library is made verbose."""
    return _BARE_TOKEN.sub("***", _TOKEN_IN_URL.sub("***", text))


class EventFormatter(logging.Formatter):
    """One line per event: JSON when not on a terminal, ``key=value`` when on one."""

    def __init__(self, *, as_json: bool) -> None:
        super().__init__()
        self._as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        """Render the event name, level, logger and the record's extra fields."""
        fields: dict[str, Any] = {
            key: value for key, value in vars(record).items() if key not in _STANDARD
        }
        if record.exc_info and record.exc_info[0] is not None:
            # The exception type and where it happened, not its message (which may quote input).
            fields["error"] = record.exc_info[0].__name__
            fields["where"] = _where(record.exc_info[2])
        event = record.getMessage()
        if self._as_json:
            payload = {
                "at": datetime.fromtimestamp(record.created, UTC).isoformat(
                    timespec="milliseconds"
                ),
                "level": record.levelname.lower(),
                "logger": record.name,
                "event": event,
                **fields,
            }
            return mask_tokens(json.dumps(payload, default=str))
        extras = " ".join(f"{key}={value}" for key, value in fields.items())
        stamp = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        return mask_tokens(f"{stamp} {record.levelname:<7} {event} {extras}".rstrip())


def _where(traceback: Any) -> str:
    last = None
    while traceback is not None:
        last = traceback
        traceback = traceback.tb_next
    if last is None:
        return ""
    code = last.tb_frame.f_code
    return f"{code.co_filename.rsplit('/', 1)[-1]}:{last.tb_lineno}:{code.co_name}"


def configure_logging(level: str, *, stream: Any = None) -> None:
    """Send events to stderr (or ``stream``) at ``level``."""
    target = stream or sys.stderr
    handler = logging.StreamHandler(target)
    handler.setFormatter(EventFormatter(as_json=not getattr(target, "isatty", lambda: False)()))
    handler.addFilter(BoundIds())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
