"""Benchmark 1: chat throughput and latency, against two baselines measured in the same run.

    python -m bench.chat [--smoke] [--database sqlite|postgres|both] [--workers 200]
                         [--runs 3] [--open-flows 3000]

Each run starts every bot afresh in its own process (``bench/chat_bots.py``)
against the Bot API emulator over HTTP, and drives it in three phases:

1. ``--open-flows`` people start /visit and leave it open (the event loop's
   longest stall is measured from here to the end);
2. ``--workers`` people each walk the whole /visit note as fast as the bot
   answers (updates per second, latency under full load);
3. with 50 ms added to every API call, another ``--workers`` people walk it
   paced at 200 updates per second in all (latency at a steady load).

Bearings runs on a fresh, seeded SQLite or PostgreSQL database; the echo bot
(the framework's ceiling) and the common-way bot (ConversationHandler +
PicklePersistence) keep everything in memory and in a pickle file. Latency is
from the update being available in the emulator to the bot's first call about
that chat reaching it. Figures are medians over ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.command import arguments, run
from bench.fresh_database import migrated_url
from bench.harness import BotProcess, People, Replies, Step, reply_latencies
from bench.report import Report, median, percentile
from bench.seed import Worker, case_reference, seed_workers
from bot.sandbox.emulator import BotApiEmulator
from storage.crypto import generate_key, install_keys

API_LATENCY = 0.05
OPENING_TIMEOUT = 1800.0
STEP_TIMEOUT = 60.0
OFFERED_RATE = 200.0
LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def visit_steps(case: str) -> list[Step]:
    """The /visit note: the command, then its five steps (case, date, how, risk, next)."""
    return [
        Step("/visit"),
        Step(case, press=True),
        Step("Today", press=True),
        Step("Went well. Mum has talked to the school."),
        Step("Same", press=True),
        Step("Call the school on Thursday"),
    ]


def echo_steps(_: str) -> list[Step]:
    """As many texts as the visit note has updates (the echo bot has no buttons)."""
    return [Step(f"Echo {k}") for k in range(6)]


@dataclass
class Figures:
    """What one run of one bot measured."""

    rate: float
    load: Replies
    paced: Replies
    stats: dict[str, Any]
    failures: int

    def quantile(self, which: str, share: float) -> float:
        """A latency percentile in milliseconds, under full load or at the paced rate."""
        replies = self.load if which == "load" else self.paced
        return percentile(replies.latencies, share) * 1000

    @property
    def commits_per_update(self) -> float:
        handled = self.stats["handled"]
        return self.stats["commits"] / handled if handled else float("nan")


async def drive(
    kind: str,
    env: dict[str, str],
    workers: Sequence[Worker],
    *,
    count: int,
    open_flows: int,
    args: Sequence[str] = (),
    wait_for_write: Path | None = None,
) -> Figures:
    """One run of one bot: open flows, full load, then paced load with API latency."""
    steps: Callable[[str], list[Step]] = echo_steps if kind == "echo" else visit_steps
    opening = workers[:open_flows] if kind != "echo" else []
    loaded = workers[open_flows : open_flows + count]
    paced = workers[open_flows + count : open_flows + 2 * count]
    async with BotApiEmulator() as emulator:
        bot = BotProcess(kind, emulator, env)
        await bot.start(*args)
        try:
            # Every opening /visit is sent at once, so the last waits for all the others.
            people = People(emulator, timeout=OPENING_TIMEOUT)
            await asyncio.gather(*(people.follow(w.user_id, steps(w.case)[:1]) for w in opening))
            people.timeout = STEP_TIMEOUT
            opened_at = datetime.now(UTC).timestamp()

            people.sent.clear()
            await asyncio.gather(*(people.follow(w.user_id, steps(w.case)) for w in loaded))
            load = reply_latencies(emulator, people.sent)

            people.sent.clear()
            if kind == "common":
                # One update at a time (see chat_bots.py): at 50 ms a call it manages about
                # ten a second, so 200 a second would only build a queue for minutes.
                paced = []
            emulator.latency = API_LATENCY
            start = asyncio.get_running_loop().time() + 0.5
            total = len(paced)

            def pacing(index: int) -> Callable[[int], float]:
                return lambda k: start + (k * total + index) / OFFERED_RATE

            await asyncio.gather(
                *(people.follow(w.user_id, steps(w.case), pacing(i)) for i, w in enumerate(paced))
            )
            paced_replies = reply_latencies(emulator, people.sent)
            if wait_for_write is not None:
                await _written_since(wait_for_write, opened_at)
        finally:
            stats = await bot.stop()
        return Figures(load.rate, load, paced_replies, stats, people.failures)


async def _written_since(path: Path, since: float, timeout: float = 120.0) -> None:  # noqa: ASYNC109
    """Wait until the common-way bot has rewritten its pickle file after ``since``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not _modified_after(path, since):
        if loop.time() > deadline:
            raise TimeoutError(f"{path} was not written within {timeout}s")
        await asyncio.sleep(0.1)


def _modified_after(path: Path, since: float) -> bool:
    return path.exists() and path.stat().st_mtime > since


async def run_bearings(database: str, count: int, open_flows: int) -> Figures:
    """One run of Bearings on a fresh database seeded with everyone the phases need."""
    key = generate_key()
    install_keys([key])
    async with migrated_url(database) as url:
        workers = await seed_workers(url, open_flows + 2 * count, datetime.now(UTC))
        env = {"DATABASE_URL": url, "BEARINGS_DATA_KEYS": key}
        return await drive("bearings", env, workers, count=count, open_flows=open_flows)


async def run_baseline(kind: str, count: int, open_flows: int, flush_seconds: float) -> Figures:
    """One run of a baseline bot (people made up: the baselines have no database)."""
    workers = [
        Worker(user_id, case_reference(user_id))
        for user_id in range(700_000, 700_000 + open_flows + 2 * count)
    ]
    with tempfile.TemporaryDirectory(prefix="bearings-bench-") as folder:
        pickle = Path(folder) / "common_way.pickle"
        return await drive(
            kind,
            {},
            workers,
            count=count,
            open_flows=open_flows,
            args=("--pickle", str(pickle), "--flush-seconds", str(flush_seconds)),
            wait_for_write=pickle if kind == "common" else None,
        )


async def measure(args: argparse.Namespace) -> Report:
    """Every run of every bot, then the medians as a report."""
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    runs: dict[str, list[Figures]] = {}
    for _ in range(args.runs):
        for database in databases:
            figures = await run_bearings(database, args.workers, args.open_flows)
            runs.setdefault(database, []).append(figures)
        for kind in ("echo", "common"):
            figures = await run_baseline(kind, args.workers, args.open_flows, args.flush_seconds)
            runs.setdefault(kind, []).append(figures)
    report = Report(
        "chat",
        {
            "workers": args.workers,
            "runs": args.runs,
            "open_flows": args.open_flows,
            "api_latency_ms": API_LATENCY * 1000,
            "offered_rate": OFFERED_RATE,
            "databases": databases,
            "common_way_flush_seconds": args.flush_seconds,
        },
    )
    add_rows(report, runs, databases)
    report.extra["runs_detail"] = {
        name: [
            {
                "rate": f.rate,
                "stats": f.stats,
                "failures": f.failures,
                "p95_load_ms": f.quantile("load", 0.95),
                "p95_paced_ms": f.quantile("paced", 0.95),
            }
            for f in figures
        ]
        for name, figures in runs.items()
    }
    return report


def _median(figures: Sequence[Figures], value: Callable[[Figures], float]) -> float:
    return median([value(f) for f in figures])


def _cpu_ms(figures: Figures) -> float:
    return 1000 * figures.stats["cpu_seconds"] / max(1, figures.stats["handled"])


def add_rows(report: Report, runs: dict[str, list[Figures]], databases: Sequence[str]) -> None:
    """The table: Bearings per database with targets, then the baselines for comparison."""
    echo = _median(runs["echo"], lambda f: f.rate)
    for database in databases:
        label, figures = LABELS[database], runs[database]
        rate = _median(figures, lambda f: f.rate)
        report.add(
            f"Bearings updates/s, {label}", rate, "updates/s", target=">= 800", met=rate >= 800
        )
        share = 100 * median([f.rate / e.rate for f, e in zip(figures, runs["echo"], strict=False)])
        report.add(f"Bearings vs echo bot, {label}", share, "%", target=">= 50", met=share >= 50)
        for name, share_ in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
            report.add(
                f"Bearings {name} latency at full load, {label}",
                _median(figures, lambda f, s=share_: f.quantile("load", s)),
                "ms",
            )
        for name, share_ in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
            value = _median(figures, lambda f, s=share_: f.quantile("paced", s))
            target = {"target": "<= 60", "met": value <= 60} if name == "p95" else {}
            report.add(f"Bearings {name} latency, 50 ms API, 200/s, {label}", value, "ms", **target)  # type: ignore[arg-type]
        commits = _median(figures, lambda f: f.commits_per_update)
        report.add(
            f"Bearings write transactions per update, {label}",
            commits,
            "commits",
            target="<= 1",
            met=commits <= 1,
        )
        report.add(
            f"Bearings CPU per update, {label}",
            _median(figures, _cpu_ms),
            "ms",
            detail="the bot process's CPU time over updates handled: less swayed by the "
            "machine's load than a rate",
        )
        report.add(
            f"Bearings SQL statements per update, {label}",
            _median(figures, lambda f: f.stats["statements"] / max(1, f.stats["handled"])),
            "statements",
        )
        stall = _median(figures, lambda f: f.stats["max_stall_ms"])
        report.add(
            f"Bearings longest stall, open flows, {label}",
            stall,
            "ms",
            target="<= 100",
            met=stall <= 100,
        )
    report.add("Echo bot updates/s (framework ceiling)", echo, "updates/s")
    report.add("Echo bot CPU per update", _median(runs["echo"], _cpu_ms), "ms")
    report.add(
        "Echo bot longest stall",
        _median(runs["echo"], lambda f: f.stats["max_stall_ms"]),
        "ms",
        detail="a bot that never blocks: what the machine itself adds (descheduling)",
    )
    report.add(
        "Echo bot p95 latency, 50 ms API, 200/s",
        _median(runs["echo"], lambda f: f.quantile("paced", 0.95)),
        "ms",
    )
    common = runs["common"]
    report.add("Common-way bot updates/s", _median(common, lambda f: f.rate), "updates/s")
    report.add("Common-way bot CPU per update", _median(common, _cpu_ms), "ms")
    report.add(
        "Common-way bot longest stall, open flows",
        _median(common, lambda f: f.stats["max_stall_ms"]),
        "ms",
    )
    for name in (*databases, "echo"):
        failures = sum(f.failures for f in runs[name])
        report.add(
            f"Steps left unanswered, {LABELS.get(name, 'echo bot')} (all runs)",
            failures,
            "steps",
            target="0",
            met=failures == 0,
        )
    report.add(
        "Steps the common-way bot left unanswered (all runs)",
        sum(f.failures for f in common),
        "steps",
        detail="a quick answer that reaches the conversation's old state is dropped",
    )


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = arguments("chat", "Chat throughput and latency (issue 8, no. 1).")
    parser.add_argument("--workers", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--open-flows", type=int, default=3000)
    parser.add_argument(
        "--flush-seconds",
        type=float,
        default=5.0,
        help="how often the common-way bot writes its pickle (PTB's default: 60)",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.workers, args.runs, args.open_flows, args.flush_seconds = 4, 1, 10, 0.5
    return args


def main(argv: list[str] | None = None) -> Report:
    """Run the benchmark, print the table and write bench/results/chat.json."""
    return run(measure, parse(argv))


if __name__ == "__main__":
    main()
