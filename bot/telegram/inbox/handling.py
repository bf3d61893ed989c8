"""Handling one stored update (Telegram side): one unit of work, its replies kept with it.

The update's row is claimed under its chat's lock; python-telegram-bot routes
it to a handler within a ``Turn``; the row is marked handled, with its replies
and a lease on sending them, in the same transaction as the handler's effects.
A refusal or an error rolls the effects back and keeps the update, marked
handled, with an explanation for the person; after an error, what a member sent
is kept (encrypted) so nothing of theirs is lost, and of a stranger only the
update's id and that it failed. A transient database fault is
retried a few times here first.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.clock import Clock
from bot.config import Settings
from bot.domain.errors import Refusal
from bot.telegram.inbox.across_processes import REPLY_LEASE, ReplyLeases
from bot.telegram.inbox.in_hand import UpdatesInHand
from bot.telegram.inbox.updates import sender_key, update_kind
from bot.telegram.replies import Replies
from bot.telegram.turn import Turn, handle_in_turn
from prompts import render
from storage.db import Database, is_transient
from storage.uow import UnitOfWork

# One logger for the whole inbox, named as it was before the inbox was split into modules.
log = logging.getLogger(__package__)

DB_RETRIES = 6

# Told of every update handled: its kind, the outcome ("handled", "refused", "failed")
# and how long handling took in seconds.
HandlingObserver = Callable[[str, str, float], None]


class UpdateHandling:
    """Handles stored updates, each in its own unit of work; returns the replies to send."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        database: Database,
        clock: Clock,
        settings: Settings,
        bot_username: str,
        in_hand: UpdatesInHand,
        leases: ReplyLeases,
    ) -> None:
        self._application = application
        self._database = database
        self._clock = clock
        self._settings = settings
        self._bot_username = bot_username
        self._in_hand = in_hand
        self._leases = leases
        self.observe: HandlingObserver | None = None

    async def handle(
        self, chat: int, update_id: int, *, retry: bool = False
    ) -> list[dict[str, Any]] | None:
        """Handle one update in its own unit of work; returns the replies to send, or None
        when there is nothing for this process to send (``retry``: an earlier try of this
        update failed, and may have committed)."""
        started = time.perf_counter()
        for attempt in range(DB_RETRIES):
            try:
                return await self._handle_once(chat, update_id, started, retry=retry or attempt > 0)
            except Refusal as refusal:
                return await self._finish_without_effects(update_id, refusal, started=started)
            except Exception as error:
                if is_transient(error) and attempt < DB_RETRIES - 1:
                    log.info("inbox.retry", extra={"update_id": update_id, "attempt": attempt + 1})
                    await asyncio.sleep(0.05 * 2**attempt)
                    continue
                log.error(
                    "inbox.handler_failed",
                    extra={"update_id": update_id, "error": type(error).__name__},
                    exc_info=not is_transient(error),
                )
                template = "try_again" if is_transient(error) else "something_went_wrong"
                return await self._finish_without_effects(
                    update_id, None, template, started=started
                )
        return None

    async def _handle_once(
        self, chat: int, update_id: int, started: float, *, retry: bool = False
    ) -> list[dict[str, Any]] | None:
        """Handle the update (``retry``: again, after a database fault, when the previous
        try may have committed and taken the reply lease itself, its answer lost)."""
        async with self._in_hand.unit_of_work_marking_done() as uow:
            await uow.inbox.lock_chat(chat)
            row = await uow.inbox.claim(update_id)
            if row is None:
                return None
            if row.status != "pending":
                # Handled before a crash (or by another process): only its replies may still
                # be owed, and only if nobody is sending them.
                if row.status != "handled":
                    return None
                now = self._leases.now()
                return await uow.inbox.take_replies(row, now, now + REPLY_LEASE, ours=retry)
            kind = update_kind(row.payload)
            update = Update.de_json(row.payload, self._application.bot)
            turn = Turn(
                uow=uow,
                clock=self._clock,
                settings=self._settings,
                bot_username=self._bot_username,
                chat_id=update.effective_chat.id if update.effective_chat else None,
            )
            await handle_in_turn(self._application, update, turn)  # raises a handler's error
            _answer_button(update, turn.replies)
            await uow.inbox.mark_handled(
                row, turn.replies.calls, self._clock.now(), lease_until=self._leases.until()
            )
        self._observe(kind, "handled", started)
        return turn.replies.calls

    async def _finish_without_effects(
        self,
        update_id: int,
        refusal: Refusal | None,
        template: str = "something_went_wrong",
        *,
        started: float,
    ) -> list[dict[str, Any]] | None:
        """Roll back the update's effects but keep it, marked handled, with an explanation."""
        async with self._database.unit_of_work() as uow:
            row = await uow.inbox.claim(update_id)
            if row is None or row.status != "pending":
                return None
            kind = update_kind(row.payload)
            try:
                update = Update.de_json(row.payload, self._application.bot)
            except Exception:
                # Not even readable: kept (failed, its payload encrypted) and not tried again,
                # so it can never hold up the updates after it in its chat.
                log.error("inbox.unreadable", extra={"update_id": update_id, "kind": kind})
                await uow.inbox.mark_handled(
                    row,
                    [],
                    self._clock.now(),
                    failed=True,
                    kept=await _from_member(uow, row.payload),
                    lease_until=self._leases.until(),
                )
                self._observe(kind, "failed", started)
                return []
            replies = Replies()
            chat = update.effective_chat
            query = update.callback_query
            # What a member sent is kept, so nothing of theirs is lost; a stranger's is not.
            kept = refusal is None and await _from_member(uow, row.payload)
            if refusal is not None and refusal.code == "already_done" and query is not None:
                replies.answer(query.id, render("button_done"))
            elif chat is not None and refusal is not None:
                replies.send(chat.id, render(f"refusal_{refusal.code}", **refusal.details))
            elif chat is not None:
                unkept = template == "something_went_wrong" and not kept
                replies.send(chat.id, render(f"{template}_not_kept" if unkept else template))
            _answer_button(update, replies)
            await uow.inbox.mark_handled(
                row,
                replies.calls,
                self._clock.now(),
                failed=refusal is None,
                kept=kept,
                lease_until=self._leases.until(),
            )
        self._observe(kind, "failed" if refusal is None else "refused", started)
        return replies.calls

    def _observe(self, kind: str, outcome: str, started: float) -> None:
        """One log event per update handled (its ids are bound by the chat scheduler), and
        the metrics."""
        seconds = time.perf_counter() - started
        log.info(
            "update.handled", extra={"kind": kind, "outcome": outcome, "ms": round(seconds * 1000)}
        )
        if self.observe is not None:
            self.observe(kind, outcome, seconds)


async def _from_member(uow: UnitOfWork, payload: dict[str, Any]) -> bool:
    """Whether the update was sent by someone Bearings knows (a member, now or before)."""
    sender = sender_key(payload)
    return sender > 0 and await uow.members.by_telegram_id(sender) is not None


def _answer_button(update: Update, replies: Replies) -> None:
    """Every button press is answered once, so the phone stops spinning."""
    query = update.callback_query
    if query is not None and not replies.answers_callback(query.id):
        replies.answer(query.id)
