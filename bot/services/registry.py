"""Named functions registered by decorator: flow endings, step checks, note actions,
outbox composers. Modules register theirs when imported (see bot/services/endings.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

F = TypeVar("F")


class Registry(Generic[F]):
    """A name → function table filled by ``@registry.register("name")``."""

    def __init__(self) -> None:
        self._functions: dict[str, F] = {}

    def register(self, name: str) -> Callable[[F], F]:
        """Decorator: file the function under ``name``."""

        def add(function: F) -> F:
            self._functions[name] = function
            return function

        return add

    def __contains__(self, name: object) -> bool:
        return name in self._functions

    def __getitem__(self, name: str) -> F:
        return self._functions[name]
