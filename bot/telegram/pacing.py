"""Pacing sends to Telegram's flood limits (the Telegram side of delivery).

Telegram allows a bot about 30 messages a second overall, one a second in a
private chat and 20 a minute in a group; past that it answers 429. The pacer
hands out send times so delivery stays under all three: each chat has its own
next-allowed time, and every send then takes a slot from one shared schedule
spaced evenly at the overall rate (a token bucket holding one token, so no
burst can crowd a one-second window). A chat waiting for its own turn does not
hold a shared slot, so one busy chat never delays the others.

python-telegram-bot's ``AIORateLimiter`` is not used: it does not pace a private
chat at one a second, and one 429 pauses every chat.

The pacer works within one process. Several processes sharing a bot token
should each get a share of the overall rate (``PaceLimits.shared_by``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PaceLimits:
    """Telegram's limits, and how much of each to use (requests arrive with some jitter)."""

    overall_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_group_per_minute: float = 20.0
    margin: float = 0.9

    def overall_gap(self) -> float:
        """Seconds between any two sends."""
        return 1.0 / (self.overall_per_second * self.margin)

    def chat_gap(self, chat_id: int) -> float:
        """Seconds between two sends to one chat (groups and channels have negative ids)."""
        per_second = self.per_chat_per_second
        if chat_id < 0:
            per_second = min(per_second, self.per_group_per_minute / 60.0)
        return 1.0 / (per_second * self.margin)

    def shared_by(self, processes: int) -> PaceLimits:
        """These limits for one of several processes sending with the same bot token."""
        return PaceLimits(
            self.overall_per_second / max(1, processes),
            self.per_chat_per_second,
            self.per_group_per_minute,
            self.margin,
        )


Sleep = Callable[[float], Awaitable[None]]


class Pacer:
    """Decides when each send may go; ``wait_turn`` before every message."""

    def __init__(
        self,
        limits: PaceLimits | None = None,
        *,
        now: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.limits = limits or PaceLimits()
        self._now = now
        self._sleep = sleep
        self._chat_next: dict[int, float] = {}
        self._overall_next = float("-inf")

    async def wait_turn(self, chat_id: int) -> float:
        """Wait until a message to this chat may be sent; returns the time it may go.

        Sends to one chat are expected one after another (delivery keeps one lane per chat);
        sends to different chats may wait concurrently.
        """
        await self.wait_chat(chat_id)
        return await self.wait_overall(chat_id)

    async def wait_chat(self, chat_id: int) -> None:
        """The first half of ``wait_turn``: wait for this chat's own turn."""
        await self._until(self._book_chat(chat_id))

    async def wait_overall(self, chat_id: int) -> float:
        """The second half of ``wait_turn``: wait for a slot in the shared schedule."""
        slot = self._book_overall()
        await self._until(slot)
        # The shared schedule may have pushed this send later than the chat's own turn.
        self._chat_next[chat_id] = max(
            self._chat_next.get(chat_id, slot), slot + self.limits.chat_gap(chat_id)
        )
        return slot

    def next_free(self, chat_id: int) -> float:
        """When this chat's next message could go (ignoring the shared schedule)."""
        return max(self._now(), self._chat_next.get(chat_id, float("-inf")))

    def _book_chat(self, chat_id: int) -> float:
        at = self.next_free(chat_id)
        self._chat_next[chat_id] = at + self.limits.chat_gap(chat_id)
        if len(self._chat_next) > 10_000:
            self._forget_idle()
        return at

    def _book_overall(self) -> float:
        slot = max(self._now(), self._overall_next)
        self._overall_next = slot + self.limits.overall_gap()
        return slot

    async def _until(self, moment: float) -> None:
        delay = moment - self._now()
        if delay > 0:
            await self._sleep(delay)

    def _forget_idle(self) -> None:
        now = self._now()
        self._chat_next = {chat: at for chat, at in self._chat_next.items() if at > now}
