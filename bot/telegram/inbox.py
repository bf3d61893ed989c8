"""The durable inbox: no update lost, none handled twice, each chat in order.

``receive`` commits fetched updates to the ``inbox`` table before the poller
confirms them to Telegram. Each update is then handled in one unit of work
that also marks its row handled and stores the replies; the replies are sent
after the commit. Marking rows done (their replies delivered) costs no
transaction of its own while the bot is busy: it rides along with the next
write (another update's handling, or the next batch received), and only an
idle bot flushes it alone, a few times a second. So an update costs one write
transaction plus its share of one per batch received (bench/chat.py counts
them). Start-up (``recover``) finishes whatever a crash left. Updates of one
chat run one after another; different chats run concurrently, up to a limit.

Telegram has no idempotent send, so replies that went out before a crash, not
yet marked done, go out again after it: at most one update's per chat. With
``REPLIES_IN_FLIGHT`` set, at most that many updates in all are between their
first reply going out and being marked done (each then marked at once, a write
of its own): 1 means a crash repeats at most one update's replies.

Flood control (``bot.domain.flood``) counts each new update against its
sender's bucket as it arrives. An update over the limit is kept and handled
later: its chat waits for it (holding one of the ``CONCURRENT_CHATS`` workers,
so other chats carry on with the rest), and the first one to wait in a flood
first tells the person, once, to slow down. Nothing is dropped.

On PostgreSQL several processes may share the inbox (webhook mode behind one
address): each update is handled once (its row is locked and its status
checked), a chat's updates take turns under the chat's advisory lock, an
update waits until the chat's earlier ones, wherever they arrived, are handled
and their replies sent, and the replies of a handled update are sent by the
process holding their lease, or by another once that lease has run out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.domain.errors import Refusal
from bot.domain.flood import FloodGuard, FloodRule
from bot.logs import bound_ids
from bot.telegram.calls import ApiCaller
from bot.telegram.replies import Replies
from bot.telegram.turn import Turn, handle_in_turn
from prompts import render
from storage.db import Database, is_transient
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
DB_RETRIES = 6
# How long the process that handled an update has to send its replies before another
# process may take them over (a process that died holding them).
REPLY_LEASE = timedelta(minutes=2)
# How often an update looks again whether the chat's earlier update, handled by another
# process, has had its replies sent.
CHAT_TURN_POLL = 0.05
# After an update failed for want of the database, the first pause before trying it again,
# doubled each time it fails again, up to the longest.
PROCESS_RETRY_DELAY = 0.5
LONGEST_PROCESS_RETRY = 30.0

# Told of every update handled: its kind, the outcome ("handled", "refused", "failed")
# and how long handling took in seconds.
HandlingObserver = Callable[[str, str, float], None]


def update_kind(raw: dict[str, Any]) -> str:
    """What sort of update this is ("message", "callback_query", ...)."""
    return next((key for key in raw if key != "update_id"), "unknown")


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


def sender_key(raw: dict[str, Any]) -> int:
    """Who sent an update, for flood control (the chat when there is no person)."""
    for value in raw.values():
        if isinstance(value, dict) and isinstance(value.get("from"), dict):
            return int(value["from"].get("id", 0))
    return chat_key(raw)


@dataclass(frozen=True)
class _Held:
    """An update held back by flood control: not before ``until`` (monotonic seconds)."""

    until: float
    warn_chat: int | None
    """The private chat to tell to slow down, when this is the first wait of a flood."""


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
        # Each chat with updates waiting has a queue; chats waiting for a free worker line up
        # in ``_ready``. At most ``concurrent_chats`` worker tasks exist, however many chats
        # wait: a task per waiting chat cost ~3 KiB each, 30 MiB for 10,000 people writing at
        # once (bench/memory.py). A chat's queue is a short list (one update, nearly always):
        # a deque would take 600 bytes for it.
        self._queues: dict[int, list[int]] = {}
        self._ready: deque[int] = deque()
        self._workers_limit = settings.concurrent_chats
        self._workers = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._done: list[int] = []
        self._active: set[int] = set()
        self._flushing = asyncio.Lock()
        limit = settings.replies_in_flight
        self._replying = asyncio.Semaphore(limit) if limit is not None else None
        self._closing = False
        self._flusher: asyncio.Task[None] | None = None
        self._flood = FloodGuard(FloodRule(settings.flood_burst, settings.flood_per_second))
        self._held: dict[int, _Held] = {}
        self._draining = asyncio.Event()
        # Several processes may share a PostgreSQL inbox; a SQLite one has a single owner.
        self._shared = not database.is_sqlite
        # Leases measure real time between processes, whatever the domain clock says.
        self._lease_clock: Clock = SystemClock()
        self.handled = 0
        self.after_handled: Callable[[], None] | None = None
        self.observe: HandlingObserver | None = None

    def start(self) -> None:
        """Start marking delivered updates done in the background (a few times a second)."""
        self._flusher = asyncio.create_task(self._flush_forever(), name="inbox-done-flusher")

    async def stop(self) -> None:
        """Finish in-flight updates, then stop the background flusher.

        From here on nothing new is started (a late ``recover`` from the periodic job
        included): each chat finishes the update in hand (one held back by flood control
        stops waiting), and what is not yet taken stays in the inbox for the next run (or,
        on PostgreSQL, another process).
        """
        self._closing = True
        self._draining.set()
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
        new_ids = await self._database.run(
            partial(_receive, rows, self._clock.now()), within=self._riding_along
        )
        now = time.monotonic()
        for update_id, key, raw in rows:
            if update_id in new_ids:
                self._hold_if_flooding(update_id, key, sender_key(raw), now)
                self._schedule(key, update_id)
        return len(new_ids)

    def _hold_if_flooding(self, update_id: int, key: int, sender: int, now: float) -> None:
        admission = self._flood.admit(sender, now)
        if admission.wait <= 0:
            return
        # Private chats have the person's own (positive) id; groups are never told.
        warn_chat = key if admission.warn and key > 0 else None
        self._held[update_id] = _Held(now + admission.wait, warn_chat)
        if admission.warn:
            log.info("inbox.flood", extra={"chat": key, "update_id": update_id})

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
                (row.update_id, row.chat_key) for row in rows if row.update_id not in self._active
            ]
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
        """Mark delivered updates done, in one transaction (when no other write took them)."""
        async with self._flushing:  # after any flush under way: then all delivered are marked
            if not self._done:
                return
            try:
                await self._database.run(_nothing, within=self._riding_along)
            except Exception as error:  # a later write or start-up will finish them
                log.warning("inbox.mark_done_failed", extra={"error": type(error).__name__})

    @contextlib.asynccontextmanager
    async def _riding_along(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work that also marks the updates delivered so far done.

        Should the transaction fail, they stay queued for the next one (marking done
        twice is harmless; a crash before it only means start-up re-sends replies
        it cannot know were delivered).
        """
        done: list[int] = []
        try:
            async with self._database.unit_of_work() as uow:
                done, self._done = self._done, []
                await uow.inbox.mark_done(done)
                yield uow
        except BaseException:
            self._done.extend(done)
            raise
        self._active.difference_update(done)

    def _schedule(self, key: int, update_id: int) -> None:
        if self._closing:
            return
        self._active.add(update_id)
        queue = self._queues.get(key)
        if queue is not None:
            queue.append(update_id)
            return
        self._queues[key] = [update_id]
        self._ready.append(key)
        if self._workers < self._workers_limit:
            self._workers += 1
            task = asyncio.create_task(self._work(), name="inbox-worker")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _work(self) -> None:
        """Take waiting chats one at a time; end when none is left."""
        try:
            while self._ready:
                await self._run_chat(self._ready.popleft())
        finally:
            # Counted down in the same step that saw no chat waiting, so a chat queued
            # next always finds this worker gone and starts another.
            self._workers -= 1

    async def _run_chat(self, key: int) -> None:
        """Handle a chat's updates in order, including any that arrive meanwhile.

        An update that fails because the database is out of reach for longer than the
        handling's own retries (a server restarting, say) stays at the head of its chat's
        queue and is tried again after a pause, for as long as it takes: nothing the person
        sent is dropped, and their later updates still wait their turn.
        """
        queue = self._queues[key]
        failures = 0
        while queue and not self._closing:
            update_id = queue[0]
            try:
                with bound_ids(update_id=update_id, chat_id=key):
                    await self._wait_if_held(update_id)
                    if not self._shared or await self._after_earlier_in_chat(key, update_id):
                        await self._process(key, update_id, retry=failures > 0)
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
                self._active.discard(update_id)
            failures = 0
            queue.pop(0)
        del self._queues[key]

    async def _pause(self, failures: int) -> None:
        """Wait a little longer after each failure in a row."""
        await self._wait_unless_stopping(
            min(PROCESS_RETRY_DELAY * 2 ** (failures - 1), LONGEST_PROCESS_RETRY)
        )

    async def _wait_unless_stopping(self, seconds: float) -> None:
        """Wait so many seconds, or less if Bearings begins to stop meanwhile."""
        if seconds > 0 and not self._draining.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._draining.wait(), seconds)

    async def _wait_if_held(self, update_id: int) -> None:
        """Flood control: tell the person once, then wait for this update's turn."""
        held = self._held.pop(update_id, None)
        if held is None:
            return
        if held.warn_chat is not None:
            await self._caller.call(
                "sendMessage",
                {"chat_id": held.warn_chat, "text": render("slow_down"), "parse_mode": "HTML"},
            )
        await self._wait_unless_stopping(held.until - time.monotonic())

    async def _after_earlier_in_chat(self, key: int, update_id: int) -> bool:
        """Handle (or wait for) the chat's earlier updates first, wherever they arrived;
        False if Bearings began to stop meanwhile (the update is left for later).

        Behind one address, a chat's next update may reach this process while its
        previous one, which reached another, is not yet handled or its replies not yet
        sent: the person must still see the answers in the order they wrote.
        """
        failed: set[int] = set()
        while True:
            owed = await self._database.run(
                partial(_owed_in_chat, key, update_id, self._lease_clock.now())
            )
            # Ours, handled and sent, only waiting to be marked done, hold nothing up; nor
            # does one that failed just now (it stays in the inbox for a later try).
            waiting = [(i, s) for i, s in owed if i not in self._done and i not in failed]
            if not waiting:
                return True
            if self._closing:
                return False
            earlier, status = waiting[0]
            if status != "pending":  # another process is sending its replies
                await asyncio.sleep(CHAT_TURN_POLL)
                continue
            try:
                await self._process(key, earlier)
            except Exception:
                log.exception("inbox.process_failed", extra={"update_id": earlier})
                failed.add(earlier)

    async def _process(self, key: int, update_id: int, *, retry: bool = False) -> None:
        replies = await self._handle(key, update_id, retry=retry)
        if replies is None:  # nothing for us: done already, or another process has it
            self._active.discard(update_id)
            return
        if self._replying is None:
            await self._send(update_id, replies)
            self._done.append(update_id)
        else:
            # A place among the replies in flight is kept until the update is recorded done,
            # so a crash repeats at most ``replies_in_flight`` updates' replies.
            async with self._replying:
                await self._send(update_id, replies)
                self._done.append(update_id)
                await self.flush_done()
        self.handled += 1
        if self.after_handled is not None:
            self.after_handled()

    async def _send(self, update_id: int, replies: list[dict[str, Any]]) -> None:
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

    async def _handle(
        self, key: int, update_id: int, *, retry: bool = False
    ) -> list[dict[str, Any]] | None:
        """Handle one update in its own unit of work; returns the replies to send
        (``retry``: an earlier try of this update failed, and may have committed)."""
        started = time.perf_counter()
        for attempt in range(DB_RETRIES):
            try:
                return await self._handle_once(key, update_id, started, retry=retry or attempt > 0)
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
        self, key: int, update_id: int, started: float, *, retry: bool = False
    ) -> list[dict[str, Any]] | None:
        """Handle the update (``retry``: again, after a database fault, when the previous
        try may have committed and taken the reply lease itself, its answer lost)."""
        async with self._riding_along() as uow:
            await uow.inbox.lock_chat(key)
            row = await uow.inbox.claim(update_id)
            if row is None:
                return None
            if row.status != "pending":
                # Handled before a crash (or by another process): only its replies may still
                # be owed, and only if nobody is sending them.
                if row.status != "handled":
                    return None
                now = self._lease_clock.now()
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
                row, turn.replies.calls, self._clock.now(), lease_until=self._reply_lease()
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
                    row, [], self._clock.now(), failed=True, lease_until=self._reply_lease()
                )
                self._observe(kind, "failed", started)
                return []
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
                row,
                replies.calls,
                self._clock.now(),
                failed=refusal is None,
                lease_until=self._reply_lease(),
            )
        self._observe(kind, "failed" if refusal is None else "refused", started)
        return replies.calls

    def _reply_lease(self) -> datetime:
        return self._lease_clock.now() + REPLY_LEASE

    def _observe(self, kind: str, outcome: str, started: float) -> None:
        """One log event per update handled (its ids are bound by ``_run_chat``), and the
        metrics."""
        seconds = time.perf_counter() - started
        log.info(
            "update.handled", extra={"kind": kind, "outcome": outcome, "ms": round(seconds * 1000)}
        )
        if self.observe is not None:
            self.observe(kind, outcome, seconds)


async def _nothing(uow: UnitOfWork) -> None:
    """No work: the unit of work around it does it all (marking updates done)."""


async def _receive(
    rows: Sequence[tuple[int, int, dict[str, Any]]], at: datetime, uow: UnitOfWork
) -> set[int]:
    return await uow.inbox.receive(rows, at)


async def _owed_in_chat(
    key: int, before: int, now: datetime, uow: UnitOfWork
) -> list[tuple[int, str]]:
    return await uow.inbox.owed_in_chat(key, before, now)


def _answer_button(update: Update, replies: Replies) -> None:
    """Every button press is answered once, so the phone stops spinning."""
    query = update.callback_query
    if query is not None and not replies.answers_callback(query.id):
        replies.answer(query.id)
