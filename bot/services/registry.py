"""Name → function tables (service layer): flow endings, step checks, checks of answers
given in advance, note offers, outbox composers.

The tables are filled in one place, at start-up, by ``bot.services.endings.register_endings``
(called from ``bot.services.startup.prepare_services``); importing a module registers nothing.
"""

from __future__ import annotations

from typing import Generic, TypeVar

F = TypeVar("F")


class Registry(Generic[F]):
    """A name → function table, filled with ``add``."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._functions: dict[str, F] = {}

    def add(self, name: str, function: F) -> None:
        """File the function under ``name``. Filing the same one again changes nothing (start-up
        may run more than once in a process); another function under a taken name is refused."""
        known = self._functions.get(name)
        if known is not None and known is not function:
            raise ValueError(f"two {self._what} registered as {name!r}")
        self._functions[name] = function

    def __contains__(self, name: object) -> bool:
        return name in self._functions

    def __getitem__(self, name: str) -> F:
        return self._functions[name]
