"""Pacing sends to Telegram's flood limits (the Telegram side of delivery).

Telegram allows a bot about 30 messages a second overall, one a second in a
private chat and 20 a minute in a group; past that it answers 429. The pacer
hands out send times so delivery stays under all three: each chat has its own
next-allowed time, and every send then takes a slot from one shared schedule
spaced evenly at the overall rate (a token bucket holding one token, so no
burst can crowd a one-second window). A chat waiting for its own turn does not
hold a shared slot, so one busy chat never delays the others.

The shared schedule runs at the full overall rate, not a safety margin below
it: Telegram counts a request when it arrives, which is some time after the
pacer let it go, and a send held up on the way (a busy event loop, a slow
connection) would otherwise let the next thirty crowd into its second. So each
send holds a ``Turn`` until its answer is back, and a new send waits until
fewer than the limit were answered less than a second ago or are still on
their way: whatever the delays, no window Telegram can see holds one too many
(benchmark 3 in docs/performance.md: 29.4 a second against 30, and no 429).

python-telegram-bot's ``AIORateLimiter`` is not used: it does not pace a private
chat at one a second, and one 429 pauses every chat.

The pacer works within one process. Several processes sharing a bot token
should each get a share of the overall rate (``PaceLimits.shared_by``).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PaceLimits:
    """Telegram's limits, and how much of each to use (requests arrive with some jitter)."""

    overall_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_group_per_minute: float = 20.0
    margin: float = 0.9
    """The share of a chat's and a group's limit to use (their sends are few and far apart)."""

    def overall_gap(self) -> float:
        """Seconds between any two sends: the full rate (the answered window guards it)."""
        return 1.0 / self.overall_per_second

    def overall_window(self) -> tuple[int, float]:
        """At most this many sends in any window of this many seconds, as Telegram counts."""
        if self.overall_per_second >= 1:
            return int(self.overall_per_second), 1.0
        return 1, 1.0 / self.overall_per_second

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
WINDOW_GUARD = 0.002
"""Seconds added to the window, so that no send lands on its very edge."""


class Turn:
    """One send's place in the shared schedule, held until its answer is back (``done``)."""

    __slots__ = ("answered", "at")

    def __init__(self, at: float) -> None:
        self.at = at
        self.answered: float | None = None

    def done(self, now: float) -> None:
        """The answer came back (or the request failed) at ``now``."""
        if self.answered is None:
            self.answered = now


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
        self._recent: deque[Turn] = deque()

    async def wait_turn(self, chat_id: int) -> Turn:
        """Wait until a message to this chat may be sent; returns its turn, to be marked
        ``finish``ed when the answer is back.

        Sends to one chat are expected one after another (delivery keeps one lane per chat);
        sends to different chats may wait concurrently.
        """
        await self.wait_chat(chat_id)
        return await self.wait_overall(chat_id)

    def finish(self, turn: Turn) -> None:
        """The send of this turn was answered (or failed): it counts from now only."""
        turn.done(self._now())

    async def wait_chat(self, chat_id: int) -> None:
        """The first half of ``wait_turn``: wait for this chat's own turn."""
        await self._until(self._book_chat(chat_id))

    async def wait_overall(self, chat_id: int) -> Turn:
        """The second half of ``wait_turn``: wait for a slot in the shared schedule, then for
        room in the window of answered sends."""
        slot = self._book_overall()
        await self._until(slot)
        while (wait := self._window_wait()) > 0:
            await self._sleep(wait)
        at = self._now()
        # The shared schedule may have pushed this send later than the chat's own turn.
        self._chat_next[chat_id] = max(
            self._chat_next.get(chat_id, at), at + self.limits.chat_gap(chat_id)
        )
        turn = Turn(at)
        self._recent.append(turn)
        return turn

    def _window_wait(self) -> float:
        """Seconds until one more send fits the window: a send counts from its start until
        a window's length after its answer (still on its way: it counts)."""
        limit, period = self.limits.overall_window()
        period += WINDOW_GUARD
        now = self._now()
        recent = [t for t in self._recent if t.answered is None or t.answered > now - period]
        self._recent = deque(recent)
        if len(recent) < limit:
            return 0.0
        answered = sorted(t.answered for t in recent if t.answered is not None)
        excess = len(recent) - limit  # this many must leave the window first
        if len(answered) <= excess:
            return period / limit  # the window is full of sends still on their way: look again
        return answered[excess] + period - now

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
