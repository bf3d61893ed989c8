"""Prometheus metrics (the official ``prometheus_client``), one registry per Bearings.

Counters and histograms are fed as things happen (updates handled, planner
runs, webhook requests); deliveries are read from ``Delivery.stats`` when
scraped; the outbox backlog and open flags are read from the database at
scrape time with a few aggregate queries, so a scrape is cheap and always
shows the state shared by every process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from storage.db import Database

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Handling an update is a database transaction or two and a handler: milliseconds, unless
# the database is struggling.
HANDLING_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
PLANNER_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
# What ``Delivery.stats`` counts, each an outcome of one attempt to deliver an outbox row.
DELIVERY_OUTCOMES = ("sent", "retry_later", "dead", "dropped", "unreachable")


class _DeliveryCollector(Collector):
    """Deliveries by outcome, read from the delivery's own counts when scraped."""

    def __init__(self, stats: Callable[[], Mapping[str, int]]) -> None:
        self._stats = stats

    def collect(self) -> Iterator[Metric]:
        stats = self._stats()
        outcomes = CounterMetricFamily(
            "bearings_deliveries",
            "Outbox deliveries by outcome (sent, retry_later, dead, dropped, unreachable)",
            labels=["outcome"],
        )
        for outcome in DELIVERY_OUTCOMES:
            outcomes.add_metric([outcome], stats.get(outcome, 0))
        yield outcomes
        yield CounterMetricFamily(
            "bearings_delivery_timeouts",
            "Sends that timed out after reaching Telegram (each may have arrived twice)",
            value=stats.get("timeouts", 0),
        )


class Metrics:
    """Every metric Bearings exposes, in its own registry (several bots in one process
    — the tests — never clash)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.updates = Counter(
            "bearings_updates_handled",
            "Updates handled, by kind (message, callback_query, ...) and outcome "
            "(handled, refused, failed)",
            ["kind", "outcome"],
            registry=registry,
        )
        self.handling = Histogram(
            "bearings_update_handling_seconds",
            "Time to handle one update (its transaction and handler, not sending replies)",
            buckets=HANDLING_BUCKETS,
            registry=registry,
        )
        self.planner = Histogram(
            "bearings_planner_run_seconds",
            "Time of each planner run (flags chased, nudges planned, drafts, purge) "
            "in this process",
            buckets=PLANNER_BUCKETS,
            registry=registry,
        )
        self.planner_errors = Counter(
            "bearings_planner_errors", "Planner runs that failed", registry=registry
        )
        self.replies_dropped = Counter(
            "bearings_replies_dropped",
            "Replies still owed when they stopped being useful (REPLY_GIVE_UP_HOURS after "
            "their update), dropped unsent",
            registry=registry,
        )
        self.webhook_requests = Counter(
            "bearings_webhook_requests",
            "Webhook requests by HTTP status answered (200, 400, 403, 500)",
            ["status"],
            registry=registry,
        )
        self.outbox_depth = Gauge(
            "bearings_outbox_depth",
            "Messages owed (pending or being sent), due or not",
            registry=registry,
        )
        self.outbox_oldest_due_age = Gauge(
            "bearings_outbox_oldest_due_age_seconds",
            "How long the oldest message that is due has been waiting (0 when none)",
            registry=registry,
        )
        self.open_flags = Gauge(
            "bearings_open_flags",
            "Open flags by urgency (today, week, supervision) and state "
            "(open = not picked up yet, acknowledged, calling, agenda)",
            ["urgency", "state"],
            registry=registry,
        )
        self.ticks = Counter(
            "bearings_ticks",
            "Runs of this process's periodic job (the planner itself runs in one process "
            "per period)",
            registry=registry,
        )
        self.last_tick = Gauge(
            "bearings_last_tick_timestamp_seconds",
            "When this process's periodic job last ran (Unix time)",
            registry=registry,
        )
        self.last_delivery = Gauge(
            "bearings_last_delivery_timestamp_seconds",
            "When any process last sent an outbox message (Unix time; 0 if never)",
            registry=registry,
        )

    def watch_deliveries(self, stats: Callable[[], Mapping[str, int]]) -> None:
        """Expose the delivery counts that ``stats`` returns at each scrape."""
        self.registry.register(_DeliveryCollector(stats))

    def observe_update(self, kind: str, outcome: str, seconds: float) -> None:
        """Count one handled update and how long it took."""
        self.updates.labels(kind=kind, outcome=outcome).inc()
        self.handling.observe(seconds)

    async def refresh(self, database: Database, now: datetime) -> None:
        """Read the shared figures (outbox backlog, open flags) from the database."""
        async with database.read_only() as uow:  # never waits for a writer
            depth, oldest_due = await uow.outbox.backlog(now)
            flags = await uow.flags.open_counts()
            last_sent = await uow.outbox.last_sent_at()
        self.outbox_depth.set(depth)
        age = 0.0 if oldest_due is None else max(0.0, (now - oldest_due).total_seconds())
        self.outbox_oldest_due_age.set(age)
        self.open_flags.clear()
        for (urgency, state), count in flags.items():
            self.open_flags.labels(urgency=urgency, state=state).set(count)
        self.last_delivery.set(0 if last_sent is None else last_sent.timestamp())

    def render(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)
