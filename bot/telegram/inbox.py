"""The durable inbox: no update lost, none handled twice, each chat in order.

``receive`` commits fetched updates to the ``inbox`` table before the poller
confirms them to Telegram. Each update is then handled in one unit of work
that also marks its row handled and stores the replies; the replies are sent
after the commit. Rows whose replies went out are marked done a few times a
second, and a chat's are also marked done in the same transaction as that
chat's next update: so after a crash at most one update per chat has its
replies sent again. Start-up (``recover``) finishes whatever a crash left.
Updates of one chat run one after another; different chats run concurrently,
up to a limit. A passing database fault retries the whole unit of work
(``Database.run``); if it persists the person is asked to send it again.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.clock import Clock
from bot.config import Settings
from bot.domain.errors import Refusal
from bot.telegram.calls import ApiCaller
from bot.telegram.replies import Replies
from bot.telegram.turn import Turn, current_turn
from prompts import render
from storage.db import Database, is_transient
from storage.models import InboxUpdate
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]


def chat_key(raw: dict[str, Any]) -> int:
    """The chat an update belongs to, for ordering (the user for chat-less updates)."""
    for kind in ("message", "edited_message", "channel_post", "my_chat_member", "chat_member"):
        if kind in raw and isinstance(raw[kind], dict):
            chat = raw[kind].get("chat") or {}
            if "id" in chat:
                return int(chat["id"])
    query = raw.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message") or {}
        if "chat" in message:
            return int(message["chat"]["id"])
        return int((query.get("from") or {}).get("id", 0))
    for value in raw.values():
        if isinstance(value, dict) and isinstance(value.get("from"), dict):
            return int(value["from"].get("id", 0))
    return 0


def well_formed(value: Any) -> Any:
    """The update with any lone surrogate (text with no UTF-8 form, which a JSON escape like
    \\ud800 can still carry) replaced by U+FFFD, as Telegram does with broken text: it
    could be neither stored nor encrypted, and one such update would stall the whole inbox."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {key: well_formed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [well_formed(item) for item in value]
    return value


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
        self._application = application
        self._database = database
        self._clock = clock
        self._settings = settings
        self._caller = caller
        self._bot_username = bot_username
        self._queues: dict[int, deque[int]] = {}
        self._slots = asyncio.Semaphore(settings.concurrent_chats)
        self._tasks: set[asyncio.Task[None]] = set()
        self._done: dict[int, list[int]] = {}
        self._flushing = asyncio.Lock()
        self._flusher: asyncio.Task[None] | None = None
        self.handled = 0
        self.after_handled: Callable[[], None] | None = None

    def start(self) -> None:
        """Start marking delivered updates done in the background (a few times a second)."""
        self._flusher = asyncio.create_task(self._flush_forever(), name="inbox-done-flusher")

    async def stop(self) -> None:
        """Finish in-flight updates, then stop the background flusher."""
        await self.wait_idle()
        if self._flusher is not None:
            self._flusher.cancel()
            await asyncio.gather(self._flusher, return_exceptions=True)
            self._flusher = None
        await self.flush_done()

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(0.2)
            await self.flush_done()

    async def receive(self, raw_updates: Sequence[dict[str, Any]]) -> int:
        """Commit updates to the inbox (repeats ignored), queue the new ones; returns how many."""
        unique = {int(raw["update_id"]): well_formed(raw) for raw in raw_updates}
        rows = [(update_id, chat_key(raw), raw) for update_id, raw in sorted(unique.items())]
        now = self._clock.now()
        new_ids = await self._database.run(lambda uow: uow.inbox.receive(rows, now))
        for update_id, key, _ in rows:
            if update_id in new_ids:
                self._schedule(key, update_id)
        return len(new_ids)

    async def recover(self) -> int:
        """Queue every update a previous run left unfinished; returns how many."""

        async def unfinished(uow: UnitOfWork) -> list[tuple[int, int]]:
            return [(row.update_id, _recovery_key(row)) for row in await uow.inbox.unfinished()]

        left = await self._database.run(unfinished)
        for update_id, key in left:
            self._schedule(key, update_id)
        if left:
            log.info("inbox.recovered", extra={"count": len(left)})
        return len(left)

    async def highest_update_id(self) -> int | None:
        """The newest update ever stored (polling resumes after it)."""
        async with self._database.unit_of_work() as uow:
            return await uow.inbox.highest_update_id()

    async def wait_idle(self) -> None:
        """Wait until every queued update has been handled and its replies sent."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.flush_done()

    async def flush_done(self) -> None:
        """Mark delivered updates done, in one transaction (after any flush under way, so
        that when this returns everything delivered so far is marked)."""
        async with self._flushing:
            taken, self._done = self._done, {}
            done = [update_id for ids in taken.values() for update_id in ids]
            if not done:
                return
            try:
                await self._database.run(lambda uow: uow.inbox.mark_done(done))
            except Exception as error:  # a later flush or start-up will finish them
                log.warning("inbox.mark_done_failed", extra={"error": type(error).__name__})
                for key, ids in taken.items():
                    self._done.setdefault(key, []).extend(ids)

    def _schedule(self, key: int, update_id: int) -> None:
        queue = self._queues.get(key)
        if queue is not None:
            queue.append(update_id)
            return
        self._queues[key] = deque([update_id])
        task = asyncio.create_task(self._run_chat(key), name=f"chat-{key}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_chat(self, key: int) -> None:
        async with self._slots:
            queue = self._queues[key]
            while queue:
                update_id = queue[0]
                try:
                    await self._process(key, update_id)
                except Exception:
                    log.exception("inbox.process_failed", extra={"update_id": update_id})
                finally:
                    queue.popleft()
            del self._queues[key]

    async def _process(self, key: int, update_id: int) -> None:
        replies = await self._handle(key, update_id)
        if replies is None:
            return
        for call in replies:
            outcome = await self._caller.call(call["method"], call["params"])
            if not outcome.ok:
                log.warning(
                    "reply.undelivered",
                    extra={
                        "update_id": update_id,
                        "method": call["method"],
                        "reason": outcome.reason,
                    },
                )
        self._done.setdefault(key, []).append(update_id)
        self.handled += 1
        if self.after_handled is not None:
            self.after_handled()

    async def _handle(self, key: int, update_id: int) -> list[dict[str, Any]] | None:
        """Handle one update in its own unit of work; returns the replies to send."""
        try:
            return await self._database.run(partial(self._handle_once, key, update_id))
        except Refusal as refusal:
            return await self._finish_without_effects(update_id, refusal)
        except Exception as error:
            transient = is_transient(error)
            log.error(
                "inbox.handler_failed",
                extra={"update_id": update_id, "error": type(error).__name__},
                exc_info=not transient,
            )
            template = "try_again" if transient else "something_went_wrong"
            return await self._finish_without_effects(update_id, None, template)

    async def _handle_once(
        self, key: int, update_id: int, uow: UnitOfWork
    ) -> list[dict[str, Any]] | None:
        # The chat's earlier updates whose replies went out are marked done with this one,
        # so a crash can leave at most this update's replies to send again.
        delivered = list(self._done.get(key, ()))
        if delivered:
            await uow.inbox.mark_done(delivered)
        row = await uow.inbox.claim(update_id)
        if row is None:
            return None
        if row.status != "pending":
            # Handled before a crash: only its replies may still be owed.
            return list(row.replies or []) if row.status == "handled" else None
        update = Update.de_json(row.payload, self._application.bot)
        turn = Turn(
            uow=uow,
            clock=self._clock,
            settings=self._settings,
            bot_username=self._bot_username,
            chat_id=update.effective_chat.id if update.effective_chat else None,
        )
        token = current_turn.set(turn)
        try:
            await self._application.process_update(update)
        finally:
            current_turn.reset(token)
        if turn.error is not None:
            raise turn.error
        _answer_button(update, turn.replies)
        await uow.inbox.mark_handled(row, turn.replies.calls, self._clock.now())
        return turn.replies.calls

    async def _finish_without_effects(
        self, update_id: int, refusal: Refusal | None, template: str = "something_went_wrong"
    ) -> list[dict[str, Any]] | None:
        """Roll back the update's effects but keep it, marked handled, with an explanation."""

        async def finish(uow: UnitOfWork) -> list[dict[str, Any]] | None:
            row = await uow.inbox.get(update_id)
            if row is None or row.status != "pending":
                return None
            update = Update.de_json(row.payload, self._application.bot)
            replies = Replies()
            chat = update.effective_chat
            query = update.callback_query
            if refusal is not None and refusal.code == "already_done" and query is not None:
                replies.answer(query.id, render("button_done"))
            elif chat is not None and refusal is not None:
                replies.send(chat.id, render(f"refusal_{refusal.code}", **refusal.details))
            elif chat is not None:
                replies.send(chat.id, render(template))
            _answer_button(update, replies)
            await uow.inbox.mark_handled(
                row, replies.calls, self._clock.now(), failed=refusal is None
            )
            return replies.calls

        return await self._database.run(finish)


def _recovery_key(row: InboxUpdate) -> int:
    """The chat a left-over update belongs to. A handled row no longer says who sent it, but
    its replies name the chat: re-sending them in that chat's queue keeps the chat in order
    (and other chats' left-overs out of its way)."""
    if row.chat_key:
        return row.chat_key
    for call in row.replies or []:
        chat_id = call.get("params", {}).get("chat_id")
        if isinstance(chat_id, int):
            return chat_id
    return 0


def _answer_button(update: Update, replies: Replies) -> None:
    """Every button press is answered once, so the phone stops spinning."""
    query = update.callback_query
    if query is not None and not replies.answers_callback(query.id):
        replies.answer(query.id)
