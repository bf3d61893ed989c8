"""The composition root: builds and runs Bearings from ``Settings``.

Everything long-lived is made here (database, clock, python-telegram-bot
application, inbox, poller or webhook, HTTP server, metrics) and handed to what
needs it. Tests, the sandbox and ``bearings run`` all call ``build`` and
``Bearings.start``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, Defaults

import handlers
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.ops.health import check_health, scheduler_age
from bot.ops.metrics import Metrics
from bot.services.planner import plan
from bot.services.startup import prepare_services
from bot.telegram.calls import ApiCaller
from bot.telegram.commands import register_default_commands
from bot.telegram.context import BearingsContext
from bot.telegram.delivery import Delivery
from bot.telegram.inbox import ALLOWED_UPDATES, UpdateInbox
from bot.telegram.polling import Poller
from storage.crypto import install_keys
from storage.db import Database, DatabaseInUse
from storage.schema import schema_state, upgrade_to_head

if TYPE_CHECKING:  # aiohttp is imported only when a server is started (start-up time)
    from bot.ops.server import OpsServer

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
# Every process ticks on its own timer; the planner runs in whichever finds it due, once per
# period overall. A little slack keeps two processes' timers from both finding it due.
PLANNER_JOB = "planner"
PLANNER_SLACK = 0.8
# How often (at most) a process on PostgreSQL looks for updates another one left behind
# (it died): their reply leases last minutes, so there is no hurry.
SWEEP_SECONDS = 10.0


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
    metrics: Metrics = field(default_factory=Metrics)
    inbox: UpdateInbox | None = None
    poller: Poller | None = None
    delivery: Delivery | None = None
    server: OpsServer | None = None
    # /healthz and /metrics on their own address (OPS_LISTEN_HOST/OPS_LISTEN_PORT), if set.
    ops_server: OpsServer | None = None
    # When this process's periodic job last ran (monotonic seconds), for the health check.
    last_tick: float | None = None
    started_at: float | None = None
    """When the periodic job was started (monotonic): until its first run, the scheduler's
    age is judged from here, so a bot that has just started is not reported unhealthy."""
    _last_sweep: float | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    # Job leases are about real time between processes, whatever the domain clock says.
    _lease_clock: Clock = field(default_factory=SystemClock)

    async def prepare_database(self) -> None:
        """Check the schema; migrate a SQLite database automatically, refuse otherwise."""
        await ensure_schema(self.database, auto_migrate=self.settings.is_sqlite)

    @property
    def webhook_mode(self) -> bool:
        """Whether updates come by webhook (``WEBHOOK_URL`` set) rather than long polling."""
        return self.settings.webhook_url is not None

    async def start(self, *, polling: bool = True) -> None:
        """Connect to Telegram, finish what a previous run left, and start receiving:
        by webhook when ``WEBHOOK_URL`` is set, else by long polling (unless ``polling``
        is false: updates are then handed to the inbox by the caller)."""
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
            in_flight=self.settings.delivery_in_flight,
            send_timeout=self.settings.telegram_send_timeout,
        )
        self.inbox.after_handled = self.delivery.kick
        self.inbox.observe = self.metrics.observe_update
        self.inbox.replies.on_dropped = self.metrics.replies_dropped.inc
        self.inbox.replies.on_telegram_back = self.delivery.telegram_back
        delivery = self.delivery
        self.metrics.watch_deliveries(lambda: delivery.stats)
        await self.application.start()
        await register_default_commands(self.caller)
        self.inbox.start()
        await self.inbox.recover()
        job_queue = self.application.job_queue
        assert job_queue is not None  # python-telegram-bot[job-queue] is a dependency
        self.started_at = time.monotonic()
        job_queue.run_repeating(
            self._tick,
            interval=self.settings.tick_seconds,
            first=0.0,
            name="tick",
            job_kwargs=TICK_JOB_OPTIONS,
        )
        if self.webhook_mode:
            await self._serve_webhook(self.inbox)
        else:
            await self._serve_ops()
            if polling:
                # Back from webhook mode: Telegram only answers getUpdates without a webhook.
                await self.caller.call("deleteWebhook", {"drop_pending_updates": False})
                self.poller = Poller(self.application.bot, self.inbox)
                self.poller.on_telegram_back = self.delivery.telegram_back
                self._tasks.append(asyncio.create_task(self.poller.run(), name="poller"))
        mode = "webhook" if self.webhook_mode else "polling" if polling else "no updates"
        log.info("bearings.started", extra={"bot": username, "mode": mode})

    async def _serve_webhook(self, inbox: UpdateInbox) -> None:
        """Listen for Telegram's POSTs, then tell Telegram where to send them."""
        from bot.telegram.webhook import WebhookEndpoint

        url, secret = self.settings.webhook_url, self.settings.webhook_secret
        assert url is not None and secret is not None  # checked by ``build``
        endpoint = WebhookEndpoint(
            inbox,
            secret.get_secret_value(),
            answered=lambda status: self.metrics.webhook_requests.labels(status=status).inc(),
        )
        await self._serve_ops(webhook=(urlsplit(url).path or "/", endpoint.handle))
        outcome = await self.caller.call(
            "setWebhook",
            {
                "url": url,
                "secret_token": secret.get_secret_value(),
                "allowed_updates": ALLOWED_UPDATES,
                "max_connections": self.settings.concurrent_chats,
            },
        )
        if not outcome.ok:
            raise StartupError(f"Telegram refused the webhook {url}: {outcome.reason}")

    async def _serve_ops(self, webhook: Any = None) -> None:
        """Start the HTTP server: the webhook (if given), health and metrics (if enabled) beside
        it, or on their own address when ``OPS_LISTEN_PORT`` is set."""
        settings = self.settings
        enabled, apart = settings.metrics_enabled, settings.ops_address
        if not enabled and webhook is None and settings.public_url is None:
            return  # nothing to serve: aiohttp is not even imported
        from bot.ops.server import OpsServer

        if enabled and apart is not None:
            self.ops_server = await _listen(
                OpsServer(*apart, health=self.health, metrics=self.metrics_page),
                apart,
                "Set OPS_LISTEN_HOST/OPS_LISTEN_PORT, or METRICS_ENABLED=false.",
            )
        beside = enabled and apart is None
        dashboard = self._dashboard_routes()
        if webhook is None and not beside and not dashboard:
            return
        address = (settings.listen_host, settings.listen_port)
        self.server = await _listen(
            OpsServer(
                *address,
                webhook=webhook,
                health=self.health if beside else None,
                metrics=self.metrics_page if beside else None,
                routes=dashboard,
            ),
            address,
            "Set LISTEN_HOST/LISTEN_PORT"
            + ("." if webhook is not None else ", or METRICS_ENABLED=false."),
        )

    def _dashboard_routes(self) -> list[Any]:
        """The dashboard's routes when ``PUBLIC_URL`` is set (in polling mode too)."""
        settings, token = self.settings, self.settings.token
        if settings.public_url is None or token is None:
            return []
        from bot.webapp.server import DashboardRoutes

        return DashboardRoutes(
            self.database,
            self.clock,
            bot_token=token,
            bot_username=self.application.bot.username,
            max_age=settings.webapp_auth_max_age,
        ).routes()

    async def health(self) -> tuple[bool, dict[str, Any]]:
        """This process's health: database, migrations, scheduler, last delivery."""
        age = scheduler_age(time.monotonic(), last_tick=self.last_tick, started_at=self.started_at)
        return await check_health(
            self.database, tick_age=age, tick_seconds=self.settings.tick_seconds
        )

    async def metrics_page(self) -> bytes:
        """The metrics in the Prometheus text format, database figures read just now."""
        await self.metrics.refresh(self.database, self.clock.now())
        return self.metrics.render()

    async def tick(self) -> None:
        """Plan what is owed from the data now, then deliver what is due."""
        await self._plan(shared=False)
        if self.delivery is not None:
            self.delivery.kick()

    async def _plan(self, *, shared: bool) -> None:
        """Run the planner; when ``shared``, only if no process has in the last period."""
        period = timedelta(seconds=self.settings.tick_seconds * PLANNER_SLACK)
        started = time.perf_counter()
        try:
            async with self.database.unit_of_work() as uow:
                if shared and not await uow.jobs.start_if_due(
                    PLANNER_JOB, self._lease_clock.now(), period
                ):
                    return
                await plan(
                    uow,
                    self.clock,
                    flow_idle=timedelta(hours=self.settings.flow_idle_hours),
                    retention_days=self.settings.retention_days,
                    nudges=self.settings.nudges_enabled,
                )
                await uow.jobs.finish(PLANNER_JOB, self._lease_clock.now())
        except Exception as error:  # the next tick plans again from the same data
            self.metrics.planner_errors.inc()
            log.warning("planner.error", extra={"error": type(error).__name__})
            return
        self.metrics.planner.observe(time.perf_counter() - started)

    async def _tick(self, _: Any) -> None:
        """The periodic job: plan (once per period across processes), pick up updates
        another process left behind, deliver what is due."""
        self.last_tick = time.monotonic()
        self.metrics.ticks.inc()
        self.metrics.last_tick.set(time.time())
        if self._sweep_due():
            assert self.inbox is not None
            try:
                await self.inbox.recover()
            except Exception as error:  # the next sweep looks again
                log.warning("inbox.recover_failed", extra={"error": type(error).__name__})
        await self._plan(shared=True)
        if self.delivery is not None:
            self.delivery.kick()

    def _sweep_due(self) -> bool:
        """Whether to look for updates left behind by another process now (PostgreSQL)."""
        if self.inbox is None or self.database.is_sqlite:
            return False
        now = time.monotonic()
        if self._last_sweep is not None and now - self._last_sweep < SWEEP_SECONDS:
            return False
        self._last_sweep = now
        return True

    async def stop(self) -> None:
        """Stop taking updates (the web server lets requests in flight finish), finish
        in-flight updates and deliveries, put back claimed outbox rows, close everything."""
        if self.server is not None:
            await self.server.stop()
            self.server = None
        if self.ops_server is not None:
            await self.ops_server.stop()
            self.ops_server = None
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


async def _listen(server: OpsServer, address: tuple[str, int], advice: str) -> OpsServer:
    """Start an HTTP server, or stop start-up with what to change."""
    try:
        await server.start()
    except OSError as error:
        host, port = address
        raise StartupError(
            f"cannot listen on {host}:{port} ({error.strerror or error}). {advice}"
        ) from None
    return server


def build(settings: Settings, *, clock: Clock | None = None) -> Bearings:
    """Make every part of Bearings from settings; nothing connects until ``start``."""
    token = settings.token
    if token is None:
        raise StartupError("TELEGRAM_BOT_TOKEN is not set")
    if not settings.data_keys:
        raise StartupError("BEARINGS_DATA_KEYS is not set")
    if settings.webhook_url is not None and settings.webhook_secret is None:
        raise StartupError(
            "WEBHOOK_SECRET is not set: webhook mode needs it, so that only Telegram can post "
            "updates (1-256 characters of A-Z, a-z, 0-9, _ and -)"
        )
    install_keys(settings.data_keys)
    # Flow endings, checks and outbox composers are registered at start-up, not by imports.
    prepare_services(default_timezone=settings.default_timezone)
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
