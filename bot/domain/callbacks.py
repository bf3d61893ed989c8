"""Compact button data (Telegram allows 64 bytes): ids, versions and choices, never text."""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 64


@dataclass(frozen=True)
class FlowPress:
    """A press on a flow question: which session, at which version, which answer."""

    session_id: int
    version: int
    token: str


def flow_press(session_id: int, version: int, token: str) -> str:
    """Button data for an answer to a flow question."""
    return _checked(f"f:{session_id}:{version}:{token}")


def parse_flow_press(data: str) -> FlowPress | None:
    """Read ``f:<session>:<version>:<token>``; None if it is not well formed."""
    parts = data.split(":", 3)
    if len(parts) != 4 or parts[0] != "f" or not parts[1].isdecimal() or not parts[2].isdecimal():
        return None
    return FlowPress(int(parts[1]), int(parts[2]), parts[3])


def action(prefix: str, *parts: object) -> str:
    """Button data for another action: ``prefix:part:part``."""
    return _checked(":".join([prefix, *(str(part) for part in parts)]))


def _checked(data: str) -> str:
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"button data over {MAX_BYTES} bytes")
    return data


def prefill_token(prefill: dict[str, object] | None) -> str:
    """What a flow was started with (``case=12``), carried on a "start it anyway" button."""
    if not prefill:
        return ""
    (key, value), *rest = prefill.items()
    assert not rest, "a flow is started with at most one prefilled answer"
    return f"{key}={value}"


def parse_prefill(token: str) -> dict[str, object]:
    """Read ``prefill_token``'s output back; numbers come back as numbers."""
    key, sep, value = token.partition("=")
    if not sep or not key:
        return {}
    return {key: int(value) if value.isdecimal() else value}
