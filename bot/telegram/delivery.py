"""Delivering the outbox: claim due rows with a lease, compose, send, record.

Each row is composed from current data at send time, sent through the
retrying ``ApiCaller``, and marked sent with Telegram's message id (so it can
be edited later). A crash between sending and marking leaves the lease to run
out and the row is sent again: at least once, never lost. A permanent refusal
(blocked bot, bad request) marks the row failed with the reason's first words;
a transient failure puts it back with a growing delay.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.clock import Clock
from bot.services.outgoing import compose
from bot.telegram.calls import ApiCaller
from bot.telegram.replies import Replies
from prompts import render
from storage.db import Database
from storage.repositories.outbox import DROPPED, FAILED, PENDING, SENT

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
BATCH = 50
MAX_ATTEMPTS = 12


class Delivery:
    """Sends what the outbox owes; safe to run from a timer and on demand at once."""

    def __init__(self, database: Database, clock: Clock, caller: ApiCaller) -> None:
        self._database = database
        self._clock = clock
        self._caller = caller
        self._lock = asyncio.Lock()
        self._dirty = False
        self._runner: asyncio.Task[None] | None = None
        self.sent = 0

    def kick(self) -> None:
        """Deliver soon, in the background: something was just owed (a flag, say)."""
        self._dirty = True
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._drain(), name="outbox-delivery")

    async def stop(self) -> None:
        """Let a delivery in progress finish (its leases would cover a crash anyway)."""
        if self._runner is not None:
            self._dirty = False
            await asyncio.gather(self._runner, return_exceptions=True)

    async def _drain(self) -> None:
        while self._dirty:
            self._dirty = False
            try:
                await self.deliver_due()
            except Exception as error:  # the next tick tries again; nothing is lost
                log.warning("outbox.delivery_error", extra={"error": type(error).__name__})

    async def deliver_due(self) -> int:
        """Send every row due now (in batches); returns how many were sent."""
        sent = 0
        async with self._lock:
            while True:
                now = self._clock.now()
                async with self._database.unit_of_work() as uow:
                    claimed = await uow.outbox.claim_due(now, now + LEASE, BATCH)
                for row_id in claimed:
                    sent += await self._deliver(row_id)
                if len(claimed) < BATCH:
                    break
        self.sent += sent
        return sent

    async def _deliver(self, row_id: int) -> int:
        async with self._database.unit_of_work() as uow:
            row = await uow.outbox.get(row_id)
            if row is None:
                return 0
            chat_id, attempts, kind = row.chat_id, row.attempts, row.kind
            try:
                outgoing = await compose(uow, self._clock, row)
            except LookupError:
                log.error("outbox.unknown_kind", extra={"row": row_id, "kind": kind})
                row.status, row.last_error = FAILED, "unknown kind"
                return 0
            if outgoing is None:
                row.status = DROPPED
                return 0
        replies = Replies()
        html = render(outgoing.template, **outgoing.values)
        if outgoing.edit_message_id is not None:
            replies.edit(chat_id, outgoing.edit_message_id, html, outgoing.buttons)
        else:
            replies.send(chat_id, html, outgoing.buttons)
        call = replies.calls[0]
        outcome = await self._caller.call(call["method"], call["params"])
        async with self._database.unit_of_work() as uow:
            row = await uow.outbox.get(row_id)
            if row is None:
                return 0
            now = self._clock.now()
            if outcome.ok:
                row.status, row.sent_at, row.lease_until = SENT, now, None
                result = outcome.result if isinstance(outcome.result, dict) else {}
                if outgoing.edit_message_id is None and "message_id" in result:
                    row.message_id = int(result["message_id"])
                log.info("outbox.sent", extra={"row": row_id, "kind": kind})
                return 1
            if outcome.blocked or attempts >= MAX_ATTEMPTS or not _transient(outcome.reason):
                row.status, row.last_error = FAILED, (outcome.reason or "")[:80]
                log.warning("outbox.failed", extra={"row": row_id, "kind": kind})
                return 0
            row.status, row.lease_until = PENDING, None
            row.due_at = now + timedelta(seconds=min(2**attempts, 600))
            log.info("outbox.retry_later", extra={"row": row_id, "attempt": attempts})
            return 0


def _transient(reason: str | None) -> bool:
    return reason == "gave up after retries"
