"""Telegram's flood limits: overall, per chat and per group, answered with 429 and retry_after.

Limited methods: sendMessage, sendPhoto and sendDocument ("send") count towards all three
limits; editMessageText/Caption/ReplyMarkup ("edit") count towards the overall limit only,
because Telegram tolerates a send and an edit in the same chat in quick bursts. Other methods
(sendChatAction, deleteMessage, answerCallbackQuery, getUpdates, ...) are never limited.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimits:
    """Message limits; Telegram's defaults are 30/s overall, 1/s per chat, 20/min per group."""

    overall_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_group_per_minute: int = 20

    def scaled(self, factor: float) -> RateLimits:
        """Return these limits multiplied by factor (e.g. for fast tests)."""
        return RateLimits(
            self.overall_per_second * factor,
            self.per_chat_per_second * factor,
            max(1, round(self.per_group_per_minute * factor)),
        )


class _Window:
    """At most `limit` events in any `period` seconds (a sliding window)."""

    def __init__(self, per_second: float, period: float | None = None, limit: int | None = None):
        if period is not None and limit is not None:
            self.limit, self.period = max(1, limit), period
        elif per_second >= 1:
            self.limit, self.period = int(per_second), 1.0
        else:
            self.limit, self.period = 1, 1.0 / max(per_second, 1e-9)
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Return seconds until one more event fits (0 when it fits now)."""
        times = self.times
        while times and times[0] <= now - self.period:
            times.popleft()
        if len(times) < self.limit:
            return 0.0
        return times[0] + self.period - now


class RateLimiter:
    """Applies RateLimits to calls, remembering when each allowed message was sent."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._overall = _Window(limits.overall_per_second)
        self._chats: dict[int, _Window] = {}
        self._groups: dict[int, _Window] = {}

    def check(self, kind: str | None, chat_id: int | None, now: float) -> int | None:
        """Return retry_after seconds when a "send" or "edit" is over a limit; else count it."""
        if kind is None:
            return None
        windows = [self._overall]
        if kind == "send" and chat_id is not None:
            windows.append(self._window(self._chats, chat_id, self.limits.per_chat_per_second))
            if chat_id < 0:
                windows.append(
                    self._window(self._groups, chat_id, 0.0, 60.0, self.limits.per_group_per_minute)
                )
        wait = max(window.wait(now) for window in windows)
        if wait > 0:
            return max(1, math.ceil(wait))
        for window in windows:
            window.times.append(now)
        return None

    @staticmethod
    def _window(
        table: dict[int, _Window],
        chat_id: int,
        per_second: float,
        period: float | None = None,
        limit: int | None = None,
    ) -> _Window:
        window = table.get(chat_id)
        if window is None:
            window = table[chat_id] = _Window(per_second, period, limit)
        return window
