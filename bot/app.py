"""The composition root: builds and runs Bearings from ``Settings``.

Everything long-lived is made here (database, clock, python-telegram-bot
application, inbox, poller) and handed to what needs it. Tests, the sandbox
and ``bearings run`` all call ``build`` and ``Bearings.start``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, Defaults

import handlers
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.services.endings import check_flows
from bot.services.planner import plan
from bot.telegram.calls import ApiCaller
from bot.telegram.commands import register_default_commands
from bot.telegram.context import BearingsContext
from bot.telegram.delivery import Delivery
from bot.telegram.inbox import UpdateInbox
from bot.telegram.polling import Poller
from storage.crypto import install_keys
from storage.db import Database, DatabaseInUse
from storage.schema import schema_state, upgrade_to_head

log = logging.getLogger(__name__)

# The tick only asks the data what is due, so a late tick is as good as an on-time one and
# several missed ticks are worth exactly one: APScheduler 3 would otherwise skip a run that
# starts over a second late (its default misfire grace) and, without coalescing, run every
# missed one in a row after a pause (a suspended laptop, a blocked event loop).
TICK_JOB_OPTIONS: dict[str, Any] = {
    "misfire_grace_time": None,
    "coalesce": True,
    "max_instances": 1,
}


class StartupError(Exception):
    """Bearings cannot start; the message tells the operator what to do."""


@dataclass
class Bearings:
    """A running (or ready to run) Bearings bot."""

    settings: Settings
    clock: Clock
    database: Database
    application: Application[Any, Any, Any, Any, Any, Any]
    caller: ApiCaller
    inbox: UpdateInbox | None = None
    poller: Poller | None = None
    delivery: Delivery | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def prepare_database(self) -> None:
        """Check the schema; migrate a SQLite database automatically, refuse otherwise."""
        await ensure_schema(self.database, auto_migrate=self.settings.is_sqlite)

    async def start(self, *, polling: bool = True) -> None:
        """Connect to Telegram, finish what a previous run left, and start polling."""
        try:
            self.database.claim_sole_use()
        except DatabaseInUse as error:
            raise StartupError(str(error)) from None
        await self.prepare_database()
        if self.database.is_sqlite:
            # This process owns the SQLite file, so any claimed outbox row is a dead run's:
            # send it now rather than when its lease runs out.
            released = await self.database.run(lambda uow: uow.outbox.release_leases())
            if released:
                log.info("outbox.leases_released", extra={"count": released})
        await self.application.initialize()
        username = self.application.bot.username
        self.inbox = UpdateInbox(
            self.application, self.database, self.clock, self.settings, self.caller, username
        )
        self.delivery = Delivery(
            self.database,
            self.clock,
            self.caller,
            send_timeout=self.settings.telegram_send_timeout,
        )
        self.inbox.after_handled = self.delivery.kick
        await self.application.start()
        await register_default_commands(self.caller)
        self.inbox.start()
        await self.inbox.recover()
        job_queue = self.application.job_queue
        assert job_queue is not None  # python-telegram-bot[job-queue] is a dependency
        job_queue.run_repeating(
            self._tick,
            interval=self.settings.tick_seconds,
            first=0.0,
            name="tick",
            job_kwargs=TICK_JOB_OPTIONS,
        )
        if polling:
            await self.caller.call("deleteWebhook", {"drop_pending_updates": False})
            self.poller = Poller(self.application.bot, self.inbox)
            self._tasks.append(asyncio.create_task(self.poller.run(), name="poller"))
        log.info("bearings.started", extra={"bot": username, "polling": polling})

    async def tick(self) -> None:
        """The periodic job: plan what is owed from the data, then deliver what is due."""
        try:
            async with self.database.unit_of_work() as uow:
                await plan(
                    uow,
                    self.clock,
                    flow_idle=timedelta(hours=self.settings.flow_idle_hours),
                    retention_days=self.settings.retention_days,
                    nudges=self.settings.nudges_enabled,
                )
        except Exception as error:  # the next tick plans again from the same data
            log.warning("planner.error", extra={"error": type(error).__name__})
        if self.delivery is not None:
            self.delivery.kick()

    async def _tick(self, _: Any) -> None:
        await self.tick()

    async def stop(self) -> None:
        """Stop polling, finish in-flight updates, and close everything."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self.inbox is not None:
            await self.inbox.stop()
        if self.delivery is not None:
            await self.delivery.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        await self.database.dispose()
        log.info("bearings.stopped")


def build(settings: Settings, *, clock: Clock | None = None) -> Bearings:
    """Make every part of Bearings from settings; nothing connects until ``start``."""
    token = settings.token
    if token is None:
        raise StartupError("TELEGRAM_BOT_TOKEN is not set")
    if not settings.data_keys:
        raise StartupError("BEARINGS_DATA_KEYS is not set")
    install_keys(settings.data_keys)
    check_flows()
    application = (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .updater(None)
        .context_types(ContextTypes(context=BearingsContext))
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .connection_pool_size(settings.concurrent_chats + 8)
        .pool_timeout(30.0)
        .build()
    )
    handlers.register(application)
    return Bearings(
        settings=settings,
        clock=clock or SystemClock(),
        database=Database(settings.database_url),
        application=application,
        caller=ApiCaller(application.bot),
    )


async def ensure_schema(database: Database, *, auto_migrate: bool) -> None:
    """Refuse to run on a database the code does not match; migrate SQLite if allowed."""
    state = await schema_state(database.engine)
    if state.state == "current":
        return
    if state.state == "ahead":
        raise StartupError(
            f"The database is at migration {state.current}, newer than this version of Bearings "
            f"knows (up to {state.head}). Upgrade Bearings before starting it on this database."
        )
    if not auto_migrate:
        raise StartupError(
            f"The database is at migration {state.current or 'none'} but this code needs "
            f"{state.head}. Run `bearings migrate` first."
        )
    await upgrade_to_head(database.engine)
    log.info("database.migrated", extra={"revision": state.head})
