"""The bots the chat benchmark drives, each in a process of its own.

    python -m bench.chat_bots bearings|echo|common

The emulator and the simulated people live in the benchmark's process; the bot
under test runs here, so the two share the machine's cores the way a bot and
Telegram would (the bot never competes with the emulator for one event loop).
Settings come from the environment (``TELEGRAM_BOT_TOKEN``,
``TELEGRAM_API_BASE_URL``, ``DATABASE_URL``, ...). While the bot runs, a
ticker measures the event loop's longest stall and, for Bearings, a SQLAlchemy
listener counts commits. SIGUSR1 starts the counting afresh (after start-up);
SIGTERM stops the bot, which then prints one line: ``STATS {json}``.

The two baselines:

- ``echo``: a bare python-telegram-bot echo bot, the framework's ceiling;
- ``common``: the same five-step visit note written the common way, with a
  ConversationHandler and PicklePersistence (answers in ``user_data``).

The echo bot handles up to 64 updates at once, as Bearings handles 64 chats at
once. The common-way bot keeps python-telegram-bot's default of one update at a
time: a ConversationHandler only moves to the next state when its callback
returns, so with concurrent updates a quick answer arrives while the old state
is still set and is silently dropped (the benchmark saw exactly that).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import os
import signal
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, event
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)

from bench.seed import case_reference
from bot.app import build
from bot.config import load_settings

CONCURRENT_UPDATES = 64
WRITES = {"INSERT", "UPDATE", "DELETE"}
TICK = 0.005
CASE, DATE, HOW, RISK, NEXT = range(5)


class StallTicker:
    """Measures the longest time the event loop was kept from running a ready task."""

    def __init__(self) -> None:
        self.max_stall = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start ticking (every 5 ms)."""
        self._task = asyncio.create_task(self._tick(), name="stall-ticker")

    def reset(self) -> None:
        """Forget what was seen so far."""
        self.max_stall = 0.0

    async def stop(self) -> None:
        """Stop ticking."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _tick(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(TICK)
            now = time.perf_counter()
            self.max_stall = max(self.max_stall, now - last - TICK)
            last = now


def resident_kib() -> tuple[int, int]:
    """This process's resident memory now and at its peak, in KiB (from /proc)."""
    found: dict[str, int] = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0])
    return found.get("VmRSS", 0), found.get("VmHWM", 0)


class Counters:
    """What the benchmark reads back: updates handled, commits, the longest stall."""

    def __init__(self, ticker: StallTicker) -> None:
        self.ticker = ticker
        self.handled = 0
        self.commits = 0
        self.statements = 0
        # Bearings counts handled updates itself (UpdateInbox.handled); the baselines count here.
        self.source: Callable[[], int] | None = None
        self._base = 0
        self._cpu = time.process_time()

    def reset(self) -> None:
        """Start counting afresh (the benchmark signals this once the bot has started)."""
        self.handled = 0
        self.commits = 0
        self.statements = 0
        self._base = self.source() if self.source is not None else 0
        self._cpu = time.process_time()
        self.ticker.reset()

    def as_dict(self) -> dict[str, Any]:
        """The counters as the JSON the benchmark reads."""
        rss, peak = resident_kib()
        handled = self.source() - self._base if self.source is not None else self.handled
        return {
            "handled": handled,
            "commits": self.commits,
            "statements": self.statements,
            "max_stall_ms": self.ticker.max_stall * 1000,
            # CPU time of every thread: per update, a figure the shared machine's noise
            # does not swell the way it swells wall-clock rates.
            "cpu_seconds": time.process_time() - self._cpu,
            "rss_kib": rss,
            "peak_rss_kib": peak,
        }


# The baselines ---------------------------------------------------------------------------


def polling_application(persistence: PicklePersistence[Any, Any, Any] | None = None) -> Any:
    """A python-telegram-bot application polling the API named in the environment.

    Without persistence (the echo bot) it handles 64 updates at once; with it (the
    common way) one at a time, python-telegram-bot's default.
    """
    builder = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .connection_pool_size(CONCURRENT_UPDATES + 8)
        .pool_timeout(30.0)
    )
    if persistence is None:
        builder = builder.concurrent_updates(CONCURRENT_UPDATES)
    else:
        builder = builder.persistence(persistence)
    return builder.build()


def add_echo(application: Any, counters: Counters) -> None:
    """Echo every text back."""

    async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)
        counters.handled += 1

    application.add_handler(MessageHandler(filters.TEXT, echo))


def add_common_visit(application: Any, counters: Counters) -> None:
    """/visit in five steps, the way most tutorials write it."""

    def buttons(*labels: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(text, callback_data=text)] for text in labels]
        )

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None and update.effective_user is not None
        context.user_data["visit"] = {}  # type: ignore[index]
        reference = case_reference(update.effective_user.id)
        await update.message.reply_text(
            "Which case did you visit?", reply_markup=buttons(reference)
        )
        counters.handled += 1
        return CASE

    def pressed(key: str, question: str, labels: tuple[str, ...], state: int) -> Any:
        async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
            query = update.callback_query
            assert query is not None and query.message is not None and query.data is not None
            context.user_data["visit"][key] = query.data  # type: ignore[index]
            await query.edit_message_text(f"{query.message.text}\n\n✓ {query.data}")  # type: ignore[union-attr]
            await query.message.reply_text(
                question, reply_markup=buttons(*labels) if labels else None
            )
            await query.answer()
            counters.handled += 1
            return state

        return answer

    async def how(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None
        context.user_data["visit"]["how"] = update.message.text  # type: ignore[index]
        await update.message.reply_text(
            "Since your last visit, has the risk changed?",
            reply_markup=buttons("Up", "Same", "Down"),
        )
        counters.handled += 1
        return RISK

    async def finish(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None
        visit = context.user_data.pop("visit")  # type: ignore[union-attr]
        visit["next"] = update.message.text
        context.user_data.setdefault("visits", []).append(visit)  # type: ignore[union-attr]
        await update.message.reply_text(f"Saved your visit to {visit['case']}.")
        counters.handled += 1
        return ConversationHandler.END

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # per_message=False with buttons: the common way
        application.add_handler(
            ConversationHandler(
                entry_points=[CommandHandler("visit", start)],
                states={
                    CASE: [
                        CallbackQueryHandler(
                            pressed("case", "When was the visit?", ("Today", "Yesterday"), DATE)
                        )
                    ],
                    DATE: [CallbackQueryHandler(pressed("date", "How did it go?", (), HOW))],
                    HOW: [MessageHandler(filters.TEXT & ~filters.COMMAND, how)],
                    RISK: [
                        CallbackQueryHandler(pressed("risk", "What's the next step?", (), NEXT))
                    ],
                    NEXT: [MessageHandler(filters.TEXT & ~filters.COMMAND, finish)],
                },
                fallbacks=[],
                name="visit",
                persistent=True,
            )
        )


# Running ---------------------------------------------------------------------------------


async def serve(kind: str, pickle_path: str, flush_seconds: float) -> dict[str, Any]:
    """Run one bot until SIGTERM; return its counters."""
    ticker = StallTicker()
    counters = Counters(ticker)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.add_signal_handler(signal.SIGUSR1, counters.reset)
    if kind == "bearings":
        bearings = build(load_settings(nudges_enabled=False, tick_seconds=300))
        count_transactions(bearings.database.engine.sync_engine, counters)
        await bearings.start()
        inbox = bearings.inbox
        assert inbox is not None
        counters.source = lambda: inbox.handled
        ticker.start()
        await stop.wait()
        stats = counters.as_dict()
        await bearings.stop()
        await ticker.stop()
        return stats
    else:
        persistence = (
            PicklePersistence(pickle_path, update_interval=flush_seconds)
            if kind == "common"
            else None
        )
        application = polling_application(persistence)
        (add_echo if kind == "echo" else add_common_visit)(application, counters)
        async with application:
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0.0, timeout=10)
            await application.start()
            ticker.start()
            await stop.wait()
            stats = counters.as_dict()
            await application.updater.stop()
            await application.stop()
    await ticker.stop()
    return stats


def count_transactions(engine: Engine, counters: Counters) -> None:
    """Count statements, and commits of transactions that wrote (a read-only one does not
    count: on SQLite it still takes the write lock, but it writes nothing)."""

    def executed(connection: Connection, *args: Any) -> None:
        counters.statements += 1
        if args[1].lstrip()[:6].upper() in WRITES:
            connection.info["wrote"] = True

    def committed(connection: Connection) -> None:
        if connection.info.pop("wrote", False):
            counters.commits += 1

    def rolled_back(connection: Connection) -> None:
        connection.info.pop("wrote", None)

    event.listen(engine, "before_cursor_execute", executed)
    event.listen(engine, "commit", committed)
    event.listen(engine, "rollback", rolled_back)


def main(argv: list[str] | None = None) -> None:
    """Run the bot named on the command line; print its counters when stopped.

    With ``BENCH_PROFILE=<file>`` in the environment, SIGUSR2 starts cProfile (timing the
    main thread's CPU) and the stats go to that file when the bot stops (``python -m pstats``).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["bearings", "echo", "common"])
    parser.add_argument("--pickle", default="common_way.pickle")
    parser.add_argument("--flush-seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    profile_to = os.environ.get("BENCH_PROFILE")
    profile = cProfile.Profile(time.thread_time) if profile_to else None
    if profile is not None:
        signal.signal(signal.SIGUSR2, lambda *_: profile.enable())
    stats = asyncio.run(serve(args.kind, args.pickle, args.flush_seconds))
    if profile is not None and profile_to:
        profile.disable()
        profile.dump_stats(profile_to)
    print("STATS " + json.dumps(stats), flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
