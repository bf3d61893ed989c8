"""The application clock: nothing in Bearings reads the wall clock directly.

Services, jobs and the inbox ask a ``Clock`` for the time, so tests can move
time forward (``MovableClock``) instead of sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that knows the current instant (always timezone-aware UTC)."""

    def now(self) -> datetime:
        """The current instant in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current instant in UTC."""
        return datetime.now(UTC)


class MovableClock:
    """A clock for tests and the sandbox: starts at a given instant and moves only when told."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("MovableClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """The current (set) instant in UTC."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward and return the new instant."""
        self._now += delta
        return self._now

    def set(self, instant: datetime) -> None:
        """Jump to an instant (must be aware)."""
        if instant.tzinfo is None:
            raise ValueError("MovableClock needs an aware datetime")
        self._now = instant.astimezone(UTC)
