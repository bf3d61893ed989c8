"""Sending an update's replies (Telegram side): what Telegram has not taken stays owed.

A reply is owed like a nudge. Telegram down for minutes (every call 502, or no
connection) must not lose the answer to what a person wrote: a reply that fails
for a passing reason is tried again, after a pause that grows to half a minute
(or the wait a 429 names), until Telegram takes it. Meanwhile its chat waits, so
the person's later answers still come in the order they wrote, and other chats
carry on. The replies still to send are written back to the update's row at the
first failure, and the sender's lease renewed at each try: if Bearings stops or
dies meanwhile, the next run (or, on PostgreSQL, another process once the lease
runs out, or at once if this one stopped) sends only those. A reply is useful
for a while only: one still owed ``reply_give_up_hours`` after its update was
handled is dropped, with a log event and a count in the metrics. A reply
Telegram refuses for good (400, a blocked bot) is not owed: it is logged and
let go, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from bot.clock import Clock
from bot.telegram.calls import ApiCaller, CallOutcome
from bot.telegram.inbox.across_processes import ReplyLeases
from bot.telegram.inbox.stopping import Stopping
from storage.db import Database
from storage.uow import UnitOfWork

# One logger for the whole inbox, named as it was before the inbox was split into modules.
log = logging.getLogger(__package__)

# The first send of a reply retries a passing failure this many times, quickly (a blip);
# past that the reply is owed, and tried again after a pause from the first to the longest.
FIRST_ATTEMPTS = 4
OWED_FIRST_PAUSE = 1.0
OWED_LONGEST_PAUSE = 30.0


@dataclass(frozen=True)
class Sent:
    """How sending an update's replies ended: ``settled`` (each sent, refused for good or
    dropped as too old), else left owed in the inbox because Bearings is stopping."""

    settled: bool
    dropped: int = 0


class ReplySender:
    """Sends the replies of handled updates, keeping those Telegram has not taken owed."""

    def __init__(
        self,
        caller: ApiCaller,
        database: Database,
        clock: Clock,
        stopping: Stopping,
        leases: ReplyLeases,
        give_up_after: timedelta,
    ) -> None:
        self._caller = caller
        self._database = database
        self._clock = clock
        self._stopping = stopping
        self._leases = leases
        self._give_up_after = give_up_after
        self.dropped = 0
        self.on_dropped: Callable[[int], None] | None = None
        self.on_telegram_back: Callable[[], None] | None = None

    async def send(self, update_id: int, replies: list[dict[str, Any]]) -> Sent:
        """Send the replies in order; a passing failure makes the rest owed (see above)."""
        for index, call in enumerate(replies):
            outcome = await self._caller.call(
                call["method"], call["params"], max_attempts=FIRST_ATTEMPTS
            )
            if not outcome.ok and outcome.transient:
                owed = await self._owe(update_id, replies[index:], outcome)
                if owed is not None:
                    return owed
                continue
            if not outcome.ok:
                _undelivered(update_id, call["method"], outcome.reason)
        return Sent(settled=True)

    async def _owe(
        self, update_id: int, owed: list[dict[str, Any]], outcome: CallOutcome
    ) -> Sent | None:
        """Try the first owed reply again until Telegram takes it (None: go on with the
        rest), Bearings stops (left owed) or it is too old (dropped, with the rest)."""
        call = owed[0]
        pause = OWED_FIRST_PAUSE
        tries = 1
        log.info("reply.owed", extra={"update_id": update_id, "method": call["method"]})
        while True:
            handled_at = await self._keep(update_id, owed)
            if handled_at is None:  # no longer ours to send (another process took it over)
                return Sent(settled=True)
            if self._clock.now() - handled_at > self._give_up_after:
                return self._drop(update_id, owed, tries)
            await self._stopping.sleep(max(pause, outcome.retry_after or 0.0))
            if self._stopping.begun:
                # Let go of the lease too: the next process to start takes them at once.
                await self._database.run(partial(_still_owed, update_id, owed, None))
                log.info("reply.left_owed", extra={"update_id": update_id, "owed": len(owed)})
                return Sent(settled=False)
            outcome = await self._caller.call(call["method"], call["params"], max_attempts=1)
            tries += 1
            if outcome.ok or not outcome.transient:
                if not outcome.ok:
                    _undelivered(update_id, call["method"], outcome.reason)
                log.info("reply.owed_sent", extra={"update_id": update_id, "tries": tries})
                if outcome.ok and self.on_telegram_back is not None:
                    self.on_telegram_back()
                return None
            log.debug("reply.still_owed", extra={"update_id": update_id, "tries": tries})
            pause = min(pause * 2, OWED_LONGEST_PAUSE)

    async def _keep(self, update_id: int, owed: list[dict[str, Any]]) -> datetime | None:
        """Write the replies still owed back to the row and renew the lease on them."""
        return await self._database.run(partial(_still_owed, update_id, owed, self._leases.until()))

    def _drop(self, update_id: int, owed: list[dict[str, Any]], tries: int) -> Sent:
        log.warning(
            "reply.dropped",
            extra={
                "update_id": update_id,
                "replies": len(owed),
                "tries": tries,
                "reason": "no longer useful",
            },
        )
        self.dropped += len(owed)
        if self.on_dropped is not None:
            self.on_dropped(len(owed))
        return Sent(settled=True, dropped=len(owed))


def _undelivered(update_id: int, method: str, reason: str | None) -> None:
    log.warning(
        "reply.undelivered", extra={"update_id": update_id, "method": method, "reason": reason}
    )


async def _still_owed(
    update_id: int, owed: list[dict[str, Any]], lease_until: datetime | None, uow: UnitOfWork
) -> datetime | None:
    return await uow.inbox.still_owed(update_id, owed, lease_until)
