"""Delivering the outbox: claim due rows with a lease, compose, pace, send, record.

Each run claims due rows, oldest first, keeping up to ``batch`` of them in hand
and claiming more as they go (on PostgreSQL with ``SKIP LOCKED``, so several
processes share the work and never take the same row). Claimed rows queue by
chat: chats are served concurrently, each chat's rows one after another in
order, every send paced to Telegram's limits by the ``Pacer``. Each row is
composed from current data just before it is sent (the rows whose turn comes
together composed in one transaction, ``GroupCommit``), and marked sent with
Telegram's message id (the sends that finish together marked in one transaction,
``SentMarks``). At most ``in_flight`` sends are between going out and
being recorded at any moment (``DELIVERY_IN_FLIGHT``): that is how many a crash
can repeat, at most, and never more than one per chat.

What Telegram says decides what happens next:

- 429: the row, and the rest of that chat's rows, wait ``retry_after`` (the row
  is rescheduled, nobody sleeps on it); other chats carry on.
- 5xx and network errors: retried a few times at once with backoff and jitter,
  then rescheduled with a growing, jittered delay; given up ("dead") only after
  ``MAX_ATTEMPTS`` runs.
- A timeout (or a dropped connection) after the request went out may or may not
  have delivered the message: it is retried, and counted on the row
  (``timeouts``), so any duplicate is accounted for.
- 403 (blocked by the user): the row fails as "unreachable", the member is
  marked unreachable and their supervisors are told once.
- A group that became a supergroup: the team's chat id is updated, with every
  row still owed to it, and the message is sent once more to the new id.
- Any other 400: the row is a dead letter, with the reason's first words.
- "Message is not modified" and an already-answered button count as sent.

A crash between sending and recording leaves the lease to run out and the row
is sent again: at least once, never lost.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from bot.clock import Clock
from bot.logs import bound_ids
from bot.services import reachability
from bot.services.outgoing import Later, Outgoing, compose
from bot.telegram.calls import FLOOD_REASON, ApiCaller, CallOutcome
from bot.telegram.group_commit import GroupCommit
from bot.telegram.pacing import Pacer
from bot.telegram.replies import Replies
from bot.telegram.sent_marks import SentMarks
from prompts import render
from storage.db import Database, is_transient
from storage.repositories.outbox import DEAD, DROPPED, FAILED, PENDING, Claim
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
BATCH = 100
IN_FLIGHT = 16
MAX_ATTEMPTS = 30
CALL_ATTEMPTS = 4
LONGEST_BACKOFF = 900.0
WAKE_WITHIN = 60.0


@dataclass(frozen=True)
class _Prepared:
    """A row composed and rendered, ready to send."""

    kind: str
    chat_id: int
    method: str
    params: dict[str, Any]
    edits: bool


_Composed = tuple[str, int, Outgoing, str]
"""A row composed: its kind, its chat, what to say and its text rendered."""


@dataclass(frozen=True)
class _Verdict:
    """What became of one row: sent or not, and until when its chat must wait."""

    sent: int = 0
    hold_until: datetime | None = None


@dataclass
class _Run:
    """One delivery run: the claimed rows queued by chat, and the chats told to wait."""

    queues: dict[int, deque[Claim]] = field(default_factory=dict)
    held: dict[int, datetime] = field(default_factory=dict)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    progress: asyncio.Event = field(default_factory=asyncio.Event)
    sent: int = 0

    def in_hand(self) -> int:
        """Rows claimed and not yet done with."""
        return sum(len(queue) for queue in self.queues.values())


class Delivery:
    """Sends what the outbox owes; safe to run from a timer and on demand at once."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        caller: ApiCaller,
        *,
        pacer: Pacer | None = None,
        in_flight: int = IN_FLIGHT,
        batch: int = BATCH,
        send_timeout: float | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._database = database
        self._clock = clock
        self._caller = caller
        self._pacer = pacer or Pacer()
        self._in_flight = asyncio.Semaphore(in_flight)
        self._batch = batch
        self._send_timeout = send_timeout
        self._random = rng or random.Random()
        self._sent_marks = SentMarks(database)
        self._composing: GroupCommit[Claim, _Composed | None] = GroupCommit(
            database,
            self._compose_all,
            name="outbox-compose",
            alone_on=lambda error: not is_transient(error),
        )
        self._lock = asyncio.Lock()
        self._dirty = False
        self._stopped = False
        self._runner: asyncio.Task[None] | None = None
        self._wake: asyncio.TimerHandle | None = None
        self._back = False
        self.sent = 0
        self.stats: Counter[str] = Counter()

    def kick(self) -> None:
        """Deliver soon, in the background: something was just owed (a flag, say)."""
        if self._stopped:
            return
        self._dirty = True
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._drain(), name="outbox-delivery")

    def telegram_back(self) -> None:
        """Telegram answers again after an outage: what was put off for its errors (not
        for a 429's wait) is due now, not minutes later at the end of its backoff."""
        self._back = True
        self.kick()

    async def stop(self) -> None:
        """Finish the sends in flight and put back what was claimed but not yet sent."""
        self._stopped = True
        if self._wake is not None:
            self._wake.cancel()
            self._wake = None
        if self._runner is not None:
            self._dirty = False
            await asyncio.gather(self._runner, return_exceptions=True)

    async def _drain(self) -> None:
        while self._dirty:
            self._dirty = False
            try:
                if self._back:
                    self._back = False
                    due = await self._database.run(partial(_bring_forward, self._clock.now()))
                    log.info("outbox.telegram_back", extra={"count": due})
                await self.deliver_due()
            except Exception as error:  # the next tick tries again; nothing is lost
                log.warning("outbox.delivery_error", extra={"error": type(error).__name__})

    async def deliver_due(self) -> int:
        """Send every row due now; returns how many were sent."""
        async with self._lock:
            run = _Run()
            exhausted = False
            try:
                while True:
                    room = self._batch - run.in_hand()
                    if not (exhausted or self._stopped) and room >= max(1, self._batch // 2):
                        now = self._clock.now()
                        claims = await self._database.run(partial(_claim, now, room))
                        exhausted = len(claims) < room
                        if claims:
                            log.debug(
                                "outbox.claimed",
                                extra={"count": len(claims), "rows": [c.id for c in claims]},
                            )
                        for claim in claims:
                            self._queue(run, claim)
                    if not run.queues:  # every lane has finished (its last act empties this)
                        break
                    run.progress.clear()
                    await run.progress.wait()
            finally:  # never leave lanes running into the next run
                await asyncio.gather(*run.tasks, return_exceptions=True)
        self.sent += run.sent
        return run.sent

    def _queue(self, run: _Run, claim: Claim) -> None:
        queue = run.queues.get(claim.chat_id)
        if queue is not None:
            queue.append(claim)
            return
        run.queues[claim.chat_id] = deque([claim])
        task = asyncio.create_task(self._lane(run, claim.chat_id), name="outbox-lane")
        run.tasks.add(task)
        task.add_done_callback(run.tasks.discard)

    async def _lane(self, run: _Run, chat_id: int) -> None:
        """One chat's rows, in order; once the chat must wait, the rest wait after it."""
        queue = run.queues[chat_id]
        try:
            while queue:
                if chat_id in run.held or self._stopped:
                    # The chat must wait (or Bearings is stopping): the rest go back unsent,
                    # in order, for a later run.
                    after = run.held.get(chat_id)
                    rest = list(queue)
                    await self._database.run(partial(_put_back, rest, after))
                    if after is not None:
                        run.held[chat_id] = after + timedelta(microseconds=len(rest))
                    queue.clear()
                    break
                with bound_ids(chat_id=chat_id):
                    verdict = await self._deliver(queue[0])
                queue.popleft()
                run.sent += verdict.sent
                if verdict.hold_until is not None:
                    run.held[chat_id] = verdict.hold_until
                run.progress.set()
        except Exception as error:  # its rows' leases run out and a later run sends them
            log.warning("outbox.lane_failed", extra={"error": type(error).__name__})
        finally:
            del run.queues[chat_id]
            run.progress.set()

    async def _deliver(self, claim: Claim) -> _Verdict:
        prepared = await self._prepare(claim)
        if prepared is None:
            return _Verdict()
        # The chat's own turn is awaited before taking a place among the sends in flight: a
        # chat waiting a second (or a group three) holds nothing the other chats need. The
        # place is kept until the send is recorded, so a crash repeats at most ``in_flight``.
        await self._pacer.wait_chat(prepared.chat_id)
        async with self._in_flight:
            outcome = await self._send(prepared.chat_id, prepared)
            if outcome.migrated_to is not None:
                outcome = await self._follow_migration(prepared, outcome)
            return await self._record(claim, prepared, outcome)

    async def _prepare(self, claim: Claim) -> _Prepared | None:
        """Compose the row from current data (dropping it when nothing is left to say)."""
        composed = await self._composing.submit(claim)
        if composed is None:
            return None
        kind, chat_id, outgoing, html = composed
        replies = Replies()
        if outgoing.edit_message_id is not None:
            replies.edit(chat_id, outgoing.edit_message_id, html, outgoing.buttons)
        elif outgoing.photo is not None:
            replies.send_photo(chat_id, outgoing.photo, html, outgoing.buttons)
        elif outgoing.document is not None:
            replies.send_document(chat_id, outgoing.document[1], outgoing.document[0], html)
        else:
            replies.send(chat_id, html, outgoing.buttons)
        call = replies.calls[0]
        if len(replies.calls) > 1:
            # One outbox row is one message (its id is recorded, to edit it later): a text
            # over Telegram's limit keeps its first part, with the buttons of the last.
            log.warning("outbox.cut", extra={"row": claim.id, "kind": kind})
            markup = replies.calls[-1]["params"].get("reply_markup")
            if markup is not None:
                call["params"]["reply_markup"] = markup
        return _Prepared(
            kind, chat_id, call["method"], call["params"], outgoing.edit_message_id is not None
        )

    async def _compose_all(
        self, claims: Sequence[Claim], uow: UnitOfWork
    ) -> list[_Composed | None]:
        """The rows whose turn has come in the lanes meanwhile, composed in one transaction."""
        return [await self._compose(claim, uow) for claim in claims]

    async def _compose(self, claim: Claim, uow: UnitOfWork) -> _Composed | None:
        """Extend the lease, compose the row, or settle it as unsendable."""
        row = await uow.outbox.held(claim)
        if row is None:
            return None  # our lease ran out and another run took it
        now = self._clock.now()
        row.lease_until = now + LEASE  # the lease covers the send from here
        kind, chat_id = row.kind, row.chat_id
        try:
            outgoing = await compose(uow, self._clock, row)
            shown = outgoing if isinstance(outgoing, Outgoing) else None
            html = render(shown.template, **shown.values) if shown else ""
        except Exception as error:
            if type(error) is LookupError:  # compose's own "nobody composes this kind"
                log.error("outbox.unknown_kind", extra={"row": claim.id, "kind": kind})
                row.status, row.last_error, row.lease_until = FAILED, "unknown kind", None
                return None
            if is_transient(error):
                raise
            log.exception("outbox.compose_failed", extra={"row": claim.id, "kind": kind})
            row.status, row.lease_until = DEAD, None
            row.last_error = f"could not compose: {type(error).__name__}"[:80]
            self.stats["dead"] += 1
            return None
        if outgoing is None:
            row.status, row.lease_until = DROPPED, None
            self.stats["dropped"] += 1
            log.debug("outbox.no_longer_true", extra={"row": claim.id, "kind": kind})
            return None
        if isinstance(outgoing, Later):  # owed, but not now: only its time moves
            row.status, row.lease_until, row.due_at = PENDING, None, outgoing.at
            row.attempts -= 1  # holding it back was no attempt to send it
            self.stats["held"] += 1
            log.info("outbox.held", extra={"row": claim.id, "kind": kind, "why": outgoing.why})
            return None
        return kind, chat_id, outgoing, html

    async def _send(self, chat_id: int, prepared: _Prepared) -> CallOutcome:
        turn = await self._pacer.wait_overall(chat_id)
        try:
            return await self._caller.call(
                prepared.method,
                {**prepared.params, "chat_id": chat_id},
                flood_wait=0.0,
                read_timeout=self._send_timeout,
                max_attempts=CALL_ATTEMPTS,
            )
        finally:
            self._pacer.finish(turn)

    async def _follow_migration(self, prepared: _Prepared, first: CallOutcome) -> CallOutcome:
        """The group is a supergroup now: move the team's chat, then send once more there."""
        assert first.migrated_to is not None
        new_chat_id = first.migrated_to
        async with self._database.unit_of_work() as uow:
            await reachability.move_group_chat(
                uow, self._clock, old_chat_id=prepared.chat_id, new_chat_id=new_chat_id
            )
        log.info("outbox.group_moved", extra={"kind": prepared.kind})
        await self._pacer.wait_chat(new_chat_id)
        again = await self._send(new_chat_id, prepared)
        timeouts = first.timeouts + again.timeouts
        if again.migrated_to is not None:
            return CallOutcome(False, reason="chat migrated twice", timeouts=timeouts)
        return replace(again, timeouts=timeouts)

    async def _record(self, claim: Claim, prepared: _Prepared, outcome: CallOutcome) -> _Verdict:
        """Write down what became of the row; say until when its chat must wait, if it must."""
        if outcome.ok:
            result = outcome.result if isinstance(outcome.result, dict) else {}
            message_id = None if prepared.edits else result.get("message_id")
            sent_as = None if message_id is None else int(message_id)
            now = self._clock.now()
            held = await self._sent_marks.record(claim, now, sent_as, outcome.timeouts)
            self.stats["timeouts"] += outcome.timeouts
            self.stats["sent"] += 1
            log.info("outbox.sent", extra={"row": claim.id, "kind": prepared.kind})
            if not held:
                log.warning("outbox.lease_lost", extra={"row": claim.id, "kind": prepared.kind})
            return _Verdict(sent=1)
        verdict, told_supervisors = await self._database.run(
            partial(self._settle_failure, claim, prepared, outcome)
        )
        if told_supervisors:
            self.kick()
        return verdict

    async def _settle_failure(
        self, claim: Claim, prepared: _Prepared, outcome: CallOutcome, uow: UnitOfWork
    ) -> tuple[_Verdict, bool]:
        """Record a send that failed: retry later, unreachable, or dead. Returns the verdict
        and whether the person's supervisors were just told they cannot be reached."""
        told = False
        row = await uow.outbox.held(claim)
        if row is None:
            log.warning("outbox.lease_lost", extra={"row": claim.id, "kind": prepared.kind})
            return _Verdict(), False
        now = self._clock.now()
        row.timeouts += outcome.timeouts
        self.stats["timeouts"] += outcome.timeouts
        row.lease_until = None
        reason = outcome.reason or "no reason given"
        if outcome.blocked:
            row.status, row.last_error = FAILED, "unreachable"
            self.stats["unreachable"] += 1
            log.warning("outbox.unreachable", extra={"row": claim.id, "kind": prepared.kind})
            if row.chat_id > 0:
                told = await reachability.mark_unreachable(
                    uow, self._clock, telegram_user_id=row.chat_id
                )
            verdict = _Verdict()
        elif outcome.transient and (outcome.retry_after is not None or row.attempts < MAX_ATTEMPTS):
            wait = outcome.retry_after
            if wait is None:
                wait = min(2.0**row.attempts, LONGEST_BACKOFF) * self._random.uniform(0.8, 1.2)
            row.status, row.last_error = PENDING, reason[:80]
            row.due_at = now + timedelta(seconds=wait)
            self.stats["retry_later"] += 1
            log.info(
                "outbox.retry_later",
                extra={"row": claim.id, "attempt": row.attempts, "wait": round(wait, 1)},
            )
            self._wake_in(wait)
            verdict = _Verdict(hold_until=row.due_at)
        else:
            if outcome.transient:
                reason = f"gave up after {row.attempts} attempts"
            row.status, row.last_error = DEAD, reason[:80]
            self.stats["dead"] += 1
            log.warning("outbox.dead", extra={"row": claim.id, "kind": prepared.kind})
            verdict = _Verdict()
        return verdict, told

    def _wake_in(self, seconds: float) -> None:
        """Run again when a row put off for a short while falls due (ticks may be sparse)."""
        if self._stopped or seconds > WAKE_WITHIN:
            return
        loop = asyncio.get_running_loop()
        when = loop.time() + seconds
        if self._wake is not None and not self._wake.cancelled() and self._wake.when() <= when:
            return
        if self._wake is not None:
            self._wake.cancel()
        self._wake = loop.call_at(when, self._woken)

    def _woken(self) -> None:
        self._wake = None
        self.kick()


async def _claim(now: datetime, room: int, uow: UnitOfWork) -> list[Claim]:
    return await uow.outbox.claim(now, now + LEASE, room)


async def _bring_forward(now: datetime, uow: UnitOfWork) -> int:
    return await uow.outbox.bring_forward(now, keep_waits_told=FLOOD_REASON)


async def _put_back(claims: list[Claim], after: datetime | None, uow: UnitOfWork) -> int:
    return await uow.outbox.put_back(claims, after)
