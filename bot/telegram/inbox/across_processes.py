"""Several processes sharing one inbox (Telegram side): reply leases and a chat's order.

On PostgreSQL several processes may share the inbox (webhook mode behind one
address). The replies of a handled update are sent by the process holding
their lease, or by another once that lease has run out; and an update waits
until the chat's earlier ones, wherever they arrived, are handled and their
replies sent. (Each update is handled once, its row locked and its status
checked, and a chat's updates take turns under the chat's advisory lock: see
``bot.telegram.inbox.handling``.)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial

from bot.clock import Clock, SystemClock
from bot.telegram.inbox.in_hand import UpdatesInHand
from bot.telegram.inbox.stopping import Stopping
from storage.db import Database
from storage.uow import UnitOfWork

# One logger for the whole inbox, named as it was before the inbox was split into modules.
log = logging.getLogger(__package__)

# How long the process that handled an update has to send its replies before another
# process may take them over (a process that died holding them).
REPLY_LEASE = timedelta(minutes=2)
# How often an update looks again whether the chat's earlier update, handled by another
# process, has had its replies sent.
CHAT_TURN_POLL = 0.05


class ReplyLeases:
    """The clock of reply leases: real time between processes, whatever the domain clock
    says."""

    def __init__(self) -> None:
        self._clock: Clock = SystemClock()

    def now(self) -> datetime:
        """The time leases are measured against."""
        return self._clock.now()

    def until(self) -> datetime:
        """When a lease taken now runs out."""
        return self._clock.now() + REPLY_LEASE


class ChatOrder:
    """Keeps a chat's updates in order when they reach different processes."""

    def __init__(
        self,
        database: Database,
        in_hand: UpdatesInHand,
        stopping: Stopping,
        leases: ReplyLeases,
        process: Callable[[int, int], Awaitable[None]],
    ) -> None:
        self._database = database
        self._in_hand = in_hand
        self._stopping = stopping
        self._leases = leases
        self._process = process

    async def after_earlier_in_chat(self, chat: int, update_id: int) -> bool:
        """Handle (or wait for) the chat's earlier updates first, wherever they arrived;
        False if Bearings began to stop meanwhile (the update is left for later).

        Behind one address, a chat's next update may reach this process while its
        previous one, which reached another, is not yet handled or its replies not yet
        sent: the person must still see the answers in the order they wrote.
        """
        failed: set[int] = set()
        while True:
            owed = await self._database.run(
                partial(_owed_in_chat, chat, update_id, self._leases.now())
            )
            # Ours, handled and sent, only waiting to be marked done, hold nothing up; nor
            # does one that failed just now (it stays in the inbox for a later try).
            waiting = [
                (owed_id, status)
                for owed_id, status in owed
                if not self._in_hand.awaits_marking(owed_id) and owed_id not in failed
            ]
            if not waiting:
                return True
            if self._stopping.begun:
                return False
            earlier, status = waiting[0]
            if status != "pending":  # another process is sending its replies
                await asyncio.sleep(CHAT_TURN_POLL)
                continue
            try:
                await self._process(chat, earlier)
            except Exception:
                log.exception("inbox.process_failed", extra={"update_id": earlier})
                failed.add(earlier)


async def _owed_in_chat(
    chat: int, before: int, now: datetime, uow: UnitOfWork
) -> list[tuple[int, str]]:
    return await uow.inbox.owed_in_chat(chat, before, now)
