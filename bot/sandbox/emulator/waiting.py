"""Wake-ups for in-process waiters: anything that changes state calls notify()."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

_RECHECK = 0.05


class ChangeNotifier:
    """Lets coroutines wait until a condition over the emulator's state becomes true."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def notify(self) -> None:
        """Wake every waiter so it re-checks its condition."""
        event = self._event
        if event is not None:
            self._event = None
            event.set()

    async def wait_for(self, condition: Callable[[], bool], within: float) -> bool:
        """Return True once condition() holds, False if `within` seconds pass first.

        The condition is re-checked on every change and also every 50 ms, so conditions
        over state outside the emulator work too.
        """
        deadline = time.monotonic() + within
        while True:
            if condition():
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if self._event is None:
                self._event = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), min(remaining, _RECHECK))
