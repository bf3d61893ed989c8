"""The inbox itself (Telegram side): receive and store updates, recover, handle and reply.

``UpdateInbox`` is what the poller, the webhook and the composition root see.
It stores what arrives, hands each new update to flood control and to its
chat's queue, and for each update in turn waits out any flood hold (and, on a
shared PostgreSQL inbox, the chat's earlier updates), handles it, sends its
replies and has it marked done. The parts live beside it: ``scheduling``,
``flood_hold``, ``across_processes``, ``handling`` and ``in_hand``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from telegram.ext import Application

from bot.clock import Clock
from bot.config import Settings
from bot.domain.flood import FloodRule
from bot.telegram.calls import ApiCaller
from bot.telegram.inbox.across_processes import ChatOrder, ReplyLeases
from bot.telegram.inbox.flood_hold import FloodHold
from bot.telegram.inbox.handling import HandlingObserver, UpdateHandling
from bot.telegram.inbox.in_hand import UpdatesInHand
from bot.telegram.inbox.owed_replies import ReplySender
from bot.telegram.inbox.scheduling import ChatScheduler
from bot.telegram.inbox.stopping import Stopping
from bot.telegram.inbox.updates import chat_key, sender_key, well_formed
from storage.db import Database
from storage.uow import UnitOfWork

# One logger for the whole inbox, named as it was before the inbox was split into modules.
log = logging.getLogger(__package__)


class UpdateInbox:
    """Receives, stores, orders and handles updates."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        database: Database,
        clock: Clock,
        settings: Settings,
        caller: ApiCaller,
        bot_username: str,
    ) -> None:
        self._database = database
        self._clock = clock
        self._stopping = Stopping()
        self._in_hand = UpdatesInHand(database)
        leases = ReplyLeases()
        self.replies = ReplySender(
            caller,
            database,
            clock,
            self._stopping,
            leases,
            timedelta(hours=settings.reply_give_up_hours),
        )
        self._flood = FloodHold(
            FloodRule(settings.flood_burst, settings.flood_per_second), caller, self._stopping
        )
        self._handling = UpdateHandling(
            application, database, clock, settings, bot_username, self._in_hand, leases
        )
        self._chat_order = ChatOrder(database, self._in_hand, self._stopping, leases, self._process)
        self._chats = ChatScheduler(
            settings.concurrent_chats, self._in_hand, self._stopping, self._take_turn
        )
        limit = settings.replies_in_flight
        self._replies_in_flight = asyncio.Semaphore(limit) if limit is not None else None
        # Several processes may share a PostgreSQL inbox; a SQLite one has a single owner.
        self._shared = not database.is_sqlite
        self.handled = 0
        self.after_handled: Callable[[], None] | None = None

    @property
    def observe(self) -> HandlingObserver | None:
        """Told of every update handled: its kind, outcome and seconds (the metrics)."""
        return self._handling.observe

    @observe.setter
    def observe(self, observer: HandlingObserver | None) -> None:
        self._handling.observe = observer

    def start(self) -> None:
        """Start marking delivered updates done in the background (a few times a second)."""
        self._in_hand.start_flushing()

    async def stop(self) -> None:
        """Finish in-flight updates, then stop the background flusher.

        From here on nothing new is started (a late ``recover`` from the periodic job
        included): each chat finishes the update in hand (one held back by flood control
        stops waiting), and what is not yet taken stays in the inbox for the next run (or,
        on PostgreSQL, another process).
        """
        self._stopping.begin()
        await self.wait_idle()
        await self._in_hand.stop_flushing()

    async def receive(self, raw_updates: Sequence[dict[str, Any]]) -> int:
        """Commit updates to the inbox (repeats ignored), queue the new ones; returns how many."""
        unique = {int(raw["update_id"]): well_formed(raw) for raw in raw_updates}
        rows = [(update_id, chat_key(raw), raw) for update_id, raw in sorted(unique.items())]
        new_ids = await self._database.run(
            partial(_store_new, rows, self._clock.now()),
            within=self._in_hand.unit_of_work_marking_done,
        )
        now = time.monotonic()
        for update_id, chat, raw in rows:
            if update_id in new_ids:
                self._flood.hold_if_flooding(update_id, chat, sender_key(raw), now)
                self._chats.schedule(chat, update_id)
        return len(new_ids)

    async def recover(self) -> int:
        """Queue every update a previous run left unfinished; returns how many.

        On SQLite this process owns the database, so replies a crashed run was sending
        are taken over at once; on PostgreSQL only once their lease has run out (the
        process sending them may be alive), which the periodic ``recover`` then finds.
        """
        async with self._database.unit_of_work() as uow:
            if not self._shared:
                await uow.inbox.release_leases()
            rows = await uow.inbox.unfinished()
            left = [
                (row.update_id, row.chat_key)
                for row in rows
                if not self._in_hand.holds(row.update_id)
            ]
        for update_id, chat in left:
            self._chats.schedule(chat, update_id)
        if left:
            log.info("inbox.recovered", extra={"count": len(left)})
        return len(left)

    async def highest_update_id(self) -> int | None:
        """The newest update ever stored (polling resumes after it)."""
        async with self._database.unit_of_work() as uow:
            return await uow.inbox.highest_update_id()

    async def wait_idle(self) -> None:
        """Wait until every queued update has been handled and its replies sent."""
        await self._chats.wait_idle()
        await self.flush_done()

    async def flush_done(self) -> None:
        """Mark delivered updates done, in one transaction (when no other write took them)."""
        await self._in_hand.flush()

    async def _take_turn(self, chat: int, update_id: int, retry: bool) -> None:
        """The update at the head of its chat's queue: wait out any flood hold and (on a
        shared inbox) the chat's earlier updates, then handle it and reply."""
        await self._flood.wait_if_held(update_id)
        if not self._shared or await self._chat_order.after_earlier_in_chat(chat, update_id):
            await self._process(chat, update_id, retry=retry)

    async def _process(self, chat: int, update_id: int, *, retry: bool = False) -> None:
        """Handle an update, send its replies, and have it marked done."""
        replies = await self._handling.handle(chat, update_id, retry=retry)
        if replies is None:  # nothing for us: done already, or another process has it
            self._in_hand.let_go(update_id)
            return
        if self._replies_in_flight is None:
            if not await self._send(update_id, replies):
                return
        else:
            # A place among the replies in flight is kept until the update is recorded done,
            # so a crash repeats at most ``replies_in_flight`` updates' replies.
            async with self._replies_in_flight:
                if not await self._send(update_id, replies):
                    return
                await self.flush_done()
        self.handled += 1
        if self.after_handled is not None:
            self.after_handled()

    async def _send(self, update_id: int, replies: list[dict[str, Any]]) -> bool:
        """Send the replies; True once settled (the update is then marked done), False when
        some are left owed in the inbox for the next run because Bearings is stopping."""
        sent = await self.replies.send(update_id, replies)
        if sent.settled:
            self._in_hand.delivered(update_id)
        else:
            self._in_hand.let_go(update_id)
        return sent.settled


async def _store_new(
    rows: Sequence[tuple[int, int, dict[str, Any]]], at: datetime, uow: UnitOfWork
) -> set[int]:
    return await uow.inbox.receive(rows, at)
