"""Per-chat scheduling (Telegram side): one chat's updates in order, chats side by side.

Each chat with updates waiting has a queue; chats waiting for a free worker
line up in turn. At most ``CONCURRENT_CHATS`` worker tasks exist, however many
chats wait. An update that fails for want of the database is tried again,
after a growing pause, for as long as it takes, and its chat waits for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from bot.logs import bound_ids
from bot.telegram.inbox.in_hand import UpdatesInHand
from bot.telegram.inbox.stopping import Stopping
from storage.db import is_transient

# One logger for the whole inbox, named as it was before the inbox was split into modules.
log = logging.getLogger(__package__)

# After an update failed for want of the database, the first pause before trying it again,
# doubled each time it fails again, up to the longest.
PROCESS_RETRY_DELAY = 0.5
LONGEST_PROCESS_RETRY = 30.0

# What to do with the update at the head of a chat's queue: called with the chat, the
# update id and whether an earlier try of it failed (and may have committed).
TakeTurn = Callable[[int, int, bool], Awaitable[None]]


class ChatScheduler:
    """Runs each chat's updates one after another, different chats concurrently."""

    def __init__(
        self,
        workers_limit: int,
        in_hand: UpdatesInHand,
        stopping: Stopping,
        take_turn: TakeTurn,
    ) -> None:
        self._in_hand = in_hand
        self._stopping = stopping
        self._take_turn = take_turn
        # A worker task per waiting chat cost ~3 KiB each, 30 MiB for 10,000 people writing
        # at once (bench/memory.py), hence a pool. A chat's queue is a short list (one
        # update, nearly always): a deque would take 600 bytes for it.
        self._queues: dict[int, list[int]] = {}
        self._ready: deque[int] = deque()
        self._workers_limit = workers_limit
        self._workers = 0
        self._tasks: set[asyncio.Task[None]] = set()

    def schedule(self, chat: int, update_id: int) -> None:
        """Queue an update behind its chat's earlier ones (nothing once Bearings stops)."""
        if self._stopping.begun:
            return
        self._in_hand.take(update_id)
        queue = self._queues.get(chat)
        if queue is not None:
            queue.append(update_id)
            return
        self._queues[chat] = [update_id]
        self._ready.append(chat)
        if self._workers < self._workers_limit:
            self._workers += 1
            task = asyncio.create_task(self._work(), name="inbox-worker")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def wait_idle(self) -> None:
        """Wait until every worker has run out of chats."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _work(self) -> None:
        """Take waiting chats one at a time; end when none is left."""
        try:
            while self._ready:
                await self._run_chat(self._ready.popleft())
        finally:
            # Counted down in the same step that saw no chat waiting, so a chat queued
            # next always finds this worker gone and starts another.
            self._workers -= 1

    async def _run_chat(self, chat: int) -> None:
        """Handle a chat's updates in order, including any that arrive meanwhile.

        An update that fails because the database is out of reach for longer than the
        handling's own retries (a server restarting, say) stays at the head of its chat's
        queue and is tried again after a pause, for as long as it takes: nothing the person
        sent is dropped, and their later updates still wait their turn.
        """
        queue = self._queues[chat]
        failures = 0
        while queue and not self._stopping.begun:
            update_id = queue[0]
            try:
                with bound_ids(update_id=update_id, chat_id=chat):
                    await self._take_turn(chat, update_id, failures > 0)
            except Exception as error:
                if is_transient(error):
                    failures += 1
                    log.warning(
                        "inbox.process_retry",
                        extra={"update_id": update_id, "failures": failures},
                    )
                    await self._pause(failures)
                    continue
                log.exception("inbox.process_failed", extra={"update_id": update_id})
                # Left in the inbox, pending: the next start (or, on PostgreSQL, the next
                # sweep) takes it up again.
                self._in_hand.let_go(update_id)
            failures = 0
            queue.pop(0)
        del self._queues[chat]

    async def _pause(self, failures: int) -> None:
        """Wait a little longer after each failure in a row."""
        await self._stopping.sleep(
            min(PROCESS_RETRY_DELAY * 2 ** (failures - 1), LONGEST_PROCESS_RETRY)
        )
