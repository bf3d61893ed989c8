"""Fault injection: rules that make chosen API calls fail, stall or drop (seeded, repeatable)."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from typing import Any

from .errors import ApiError, too_many_requests

_DESCRIPTIONS = {400: "Bad Request", 403: "Forbidden", 409: "Conflict"}


@dataclass
class FaultRule:
    """Make matching calls fail: by method and/or chat, a number of times, with a probability."""

    method: str | None = None
    chat_id: int | None = None
    status: int = 500
    description: str | None = None
    retry_after: int | None = None
    times: int | None = 1
    probability: float = 1.0
    delay: float = 0.0
    drop_connection: bool = False
    after_effect: bool = False
    hits: int = field(default=0, compare=False)

    def matches(self, method: str, chat_id: int | None) -> bool:
        """Return whether this rule applies to a call (ignoring times and probability)."""
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id

    def error(self) -> ApiError | None:
        """Return the error answer, or None when the rule only delays or drops."""
        if self.drop_connection or self.status == 0:
            return None
        parameters: dict[str, Any] | None = None
        retry_after = self.retry_after
        if self.status == 429 and retry_after is None:
            retry_after = 1
        if retry_after is not None:
            parameters = {"retry_after": retry_after}
        description = self.description or _default_description(self.status, retry_after)
        return ApiError(self.status, description, parameters)

    def to_dict(self) -> dict[str, Any]:
        """Return the rule as JSON-friendly data."""
        return asdict(self)


def _default_description(status: int, retry_after: int | None) -> str:
    if status == 429:
        return too_many_requests(retry_after or 1)
    if status in _DESCRIPTIONS:
        return _DESCRIPTIONS[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Error {status}"


class FaultInjector:
    """Holds the active fault rules and picks the one, if any, that fires for a call."""

    def __init__(self, rng: random.Random) -> None:
        self.rules: list[FaultRule] = []
        self._rng = rng

    def add(self, rule: FaultRule) -> FaultRule:
        """Activate a rule and return it (its hits count how often it fired)."""
        self.rules.append(rule)
        return rule

    def remove(self, rule: FaultRule) -> None:
        """Deactivate one rule."""
        if rule in self.rules:
            self.rules.remove(rule)

    def clear(self) -> None:
        """Deactivate every rule."""
        self.rules.clear()

    def pick(self, method: str, chat_id: int | None) -> FaultRule | None:
        """Return the first matching rule that fires for this call, counting the hit."""
        for rule in self.rules:
            if not rule.matches(method, chat_id):
                continue
            if rule.probability < 1.0 and self._rng.random() >= rule.probability:
                continue
            rule.hits += 1
            return rule
        return None
