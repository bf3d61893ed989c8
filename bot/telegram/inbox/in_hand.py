"""The updates this process has in hand, and marking them done (Telegram side).

An update is taken in hand when it is queued, and let go once its row is
marked done (or it is left in the inbox for a later try). Once its replies are
delivered it waits to be marked done, and that costs no transaction of its own
while the bot is busy: the marks go along with the next write (another
update's handling, or the next batch received, both made with
``unit_of_work_marking_done``), and only an idle bot writes them alone, a few
times a second. So an update costs one write transaction plus its share of one
per batch received (bench/chat.py counts them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from storage.db import Database
from storage.uow import UnitOfWork

# One logger for the whole inbox, named as it was before the inbox was split into modules.
log = logging.getLogger(__package__)

# How often an idle bot marks delivered updates done in a transaction of their own.
FLUSH_SECONDS = 0.2


class UpdatesInHand:
    """Which updates this process has taken up, and which of them wait to be marked done."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._taken: set[int] = set()
        self._delivered: list[int] = []
        self._flushing = asyncio.Lock()
        self._flusher: asyncio.Task[None] | None = None

    def take(self, update_id: int) -> None:
        """This process has queued the update: the next ``recover`` leaves it alone."""
        self._taken.add(update_id)

    def let_go(self, update_id: int) -> None:
        """This process is done with the update without marking it (nothing for it to do,
        or it failed and stays in the inbox for a later try)."""
        self._taken.discard(update_id)

    def holds(self, update_id: int) -> bool:
        """Whether this process has the update in hand."""
        return update_id in self._taken

    def delivered(self, update_id: int) -> None:
        """The update is handled and its replies sent: mark it done with the next write."""
        self._delivered.append(update_id)

    def awaits_marking(self, update_id: int) -> bool:
        """Whether the update is delivered and only waits to be marked done."""
        return update_id in self._delivered

    def start_flushing(self) -> None:
        """Start marking delivered updates done in the background (a few times a second)."""
        self._flusher = asyncio.create_task(self._flush_forever(), name="inbox-done-flusher")

    async def stop_flushing(self) -> None:
        """Stop the background marking, then mark what is left."""
        if self._flusher is not None:
            self._flusher.cancel()
            await asyncio.gather(self._flusher, return_exceptions=True)
            self._flusher = None
        await self.flush()

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            await self.flush()

    async def flush(self) -> None:
        """Mark delivered updates done, in one transaction (when no other write took them)."""
        async with self._flushing:  # after any flush under way: then all delivered are marked
            if not self._delivered:
                return
            try:
                await self._database.run(_only_mark_done, within=self.unit_of_work_marking_done)
            except Exception as error:  # a later write or start-up will finish them
                log.warning("inbox.mark_done_failed", extra={"error": type(error).__name__})

    @contextlib.asynccontextmanager
    async def unit_of_work_marking_done(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work that also marks the updates delivered so far done.

        Should the transaction fail, they stay queued for the next one (marking done
        twice is harmless; a crash before it only means start-up re-sends replies
        it cannot know were delivered).
        """
        marked: list[int] = []
        try:
            async with self._database.unit_of_work() as uow:
                marked, self._delivered = self._delivered, []
                await uow.inbox.mark_done(marked)
                yield uow
        except BaseException:
            self._delivered.extend(marked)
            raise
        self._taken.difference_update(marked)


async def _only_mark_done(uow: UnitOfWork) -> None:
    """No work of its own: the unit of work around it marks the delivered updates done."""
