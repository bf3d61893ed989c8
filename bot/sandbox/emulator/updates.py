"""The pending-update queue: ids, offsets, allowed_updates filtering and long-poll wake-ups."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

from . import errors
from .errors import ApiError
from .waiting import ChangeNotifier

DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def update_kind(update: dict[str, Any]) -> str:
    """Return the kind of an update: its one key besides update_id."""
    for key in update:
        if key != "update_id":
            return key
    return ""


class _Poll:
    """One waiting getUpdates call; a newer call or a webhook ends it with a Conflict."""

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self.ended = False
        self.error: ApiError | None = None
        self.began_at = time.monotonic()


class UpdateQueue:
    """Updates not yet confirmed, in id order, as Telegram keeps them for a bot."""

    def __init__(self, first_id: int, notifier: ChangeNotifier) -> None:
        self.next_id = first_id
        self.pending: deque[dict[str, Any]] = deque()
        self.confirmed_ids: set[int] = set()
        # When each update became available to the bot (time.monotonic): latency is measured
        # from here to the bot's reply (see RequestRecord.received_at).
        self.available_at: dict[int, float] = {}
        self.allowed: frozenset[str] | None = None
        self._notifier = notifier
        self._waiters: set[asyncio.Event] = set()
        self._poll: _Poll | None = None

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update, giving it the next update_id unless it has one; return it."""
        update_id = update.get("update_id")
        if update_id is None:
            update = {"update_id": self.next_id, **update}
            self.next_id += 1
        else:
            self.next_id = max(self.next_id, int(update_id) + 1)
        self.available_at[int(update["update_id"])] = time.monotonic()
        self.pending.append(update)
        self._wake()
        return update

    def set_allowed(self, allowed: list[str] | None) -> None:
        """Remember allowed_updates (None leaves it as is; an empty list means the default set)."""
        if allowed is not None:
            self.allowed = frozenset(allowed) if allowed else None

    def is_allowed(self, update: dict[str, Any]) -> bool:
        """Return whether the current allowed_updates setting lets this update through."""
        kind = update_kind(update)
        if self.allowed is None:
            return kind not in DEFAULT_EXCLUDED
        return kind in self.allowed

    def apply_offset(self, offset: int) -> None:
        """Confirm updates like Telegram: below a positive offset, or all but the last -offset."""
        pending = self.pending
        if offset < 0:
            while len(pending) > -offset:
                self._confirm(pending.popleft())
        elif offset > 0:
            while pending and pending[0]["update_id"] < offset:
                self._confirm(pending.popleft())

    def confirm(self, update_id: int) -> None:
        """Confirm one delivered update (webhook mode: the bot answered 2xx)."""
        for update in list(self.pending):
            if update["update_id"] == update_id:
                self.pending.remove(update)
                self._confirm(update)
                return

    def drop_all(self) -> None:
        """Forget every pending update (drop_pending_updates)."""
        self.pending.clear()
        self._notifier.notify()

    def take(self, limit: int) -> list[dict[str, Any]]:
        """Return up to limit deliverable updates, discarding ones allowed_updates filters out."""
        batch: list[dict[str, Any]] = []
        for update in list(self.pending):
            if len(batch) >= limit:
                break
            if self.is_allowed(update):
                batch.append(update)
            else:
                self.pending.remove(update)
        return batch

    @property
    def polling(self) -> bool:
        """Return whether a long-polling getUpdates call is waiting right now."""
        return self._poll is not None

    @property
    def poll_began_at(self) -> float | None:
        """When the waiting long poll reached the emulator (time.monotonic); None if none waits."""
        return None if self._poll is None else self._poll.began_at

    def count(self) -> int:
        """Return the number of pending updates."""
        return len(self.pending)

    async def wait(self, within: float | None) -> None:
        """Wait until an update is pushed (or `within` seconds pass)."""
        event = asyncio.Event()
        self._waiters.add(event)
        try:
            await asyncio.wait_for(event.wait(), within)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(event)

    def begin_poll(self) -> _Poll:
        """Register a long poll, ending any older one with Telegram's "terminated" Conflict."""
        self.end_poll(ApiError(409, errors.POLLING_CONFLICT))
        poll = self._poll = _Poll()
        self._waiters.add(poll.event)
        self._notifier.notify()
        return poll

    def end_poll(self, error: ApiError | None) -> None:
        """End the current long poll, with an error answer or (None) an empty result."""
        poll, self._poll = self._poll, None
        if poll is not None:
            poll.ended = True
            poll.error = error
            poll.event.set()

    def finish_poll(self, poll: _Poll) -> None:
        """Unregister a long poll that has returned."""
        self._waiters.discard(poll.event)
        if self._poll is poll:
            self._poll = None

    def wake_all(self) -> None:
        """Wake every waiter (used when stopping)."""
        self.end_poll(None)
        self._wake()

    def _confirm(self, update: dict[str, Any]) -> None:
        self.confirmed_ids.add(int(update["update_id"]))
        self._notifier.notify()

    def _wake(self) -> None:
        for event in self._waiters:
            event.set()
        self._notifier.notify()
