"""Stopping the inbox (Telegram side): one signal, and the waits it cuts short."""

from __future__ import annotations

import asyncio
import contextlib


class Stopping:
    """Whether Bearings has begun to stop: from then on nothing new is started, and a wait
    (flood control's, a retry's pause) ends at once."""

    def __init__(self) -> None:
        self._begun = asyncio.Event()

    def begin(self) -> None:
        """Bearings begins to stop (there is no going back)."""
        self._begun.set()

    @property
    def begun(self) -> bool:
        """Whether Bearings has begun to stop."""
        return self._begun.is_set()

    async def sleep(self, seconds: float) -> None:
        """Wait so many seconds, or less if Bearings begins to stop meanwhile."""
        if seconds > 0 and not self._begun.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._begun.wait(), seconds)
