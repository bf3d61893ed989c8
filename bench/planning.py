"""Benchmark 2: planning at scale (issue 8).

An organisation of 100,000 cases, 10,000 key workers, 1,000 teams and 50,000
actions (and 10k and 30k cases for the curve) is bulk-inserted, then the
planner's tick (``bot.services.planner.plan``: flags chased, nudges planned,
idle flows expired, closed cases purged, in one committed transaction, as the
bot runs it) is timed when nothing is due, when a fixed 1,000 things are due,
and when 10% of visits and actions are due (every outbox row written).

Targets at 100,000 cases: nothing due ≤ 50 ms, 10% due ≤ 2 s; and the cost
follows the due items, not the cases: with the same 1,000 due, the tick at
100k cases costs at most twice what it costs at 10k.

    python -m bench.planning [--smoke] [--database sqlite|postgres|both]
                             [--scales 10000,30000,100000] [--runs 5] [--plot PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bench.command import arguments
from bench.fresh_database import backends, fresh_database
from bench.report import RESULTS, Report, median
from bench.scale_data import NOW, Scale, make_due, outbox_size, reset_due, seed
from bot.clock import MovableClock
from bot.services.planner import plan
from storage.crypto import generate_key, install_keys
from storage.db import Database

SCALES = (10_000, 30_000, 100_000)
SMOKE_SCALES = (300, 900)
FIXED_DUE = 500
"""Visits, and as many actions, due in the "fixed" scenario (1,000 things in all)."""
NOTHING_DUE_MS, TENTH_DUE_S, GROWTH = 50.0, 2.0, 2.0
PICTURE = Path(__file__).resolve().parent.parent / "docs" / "planning-curve.png"


@dataclass(frozen=True)
class Point:
    """One scale on one backend: the tick's median times (seconds) and what it owed."""

    backend: str
    cases: int
    nothing: float
    nothing_cpu: float
    fixed: float
    fixed_owed: int
    tenth: float
    tenth_cpu: float
    tenth_owed: int
    seed_seconds: float


async def tick(database: Database, clock: MovableClock) -> int:
    """One planning tick as the bot runs it: one transaction, committed."""
    async with database.unit_of_work() as uow:
        return await plan(uow, clock, flow_idle=timedelta(hours=48), retention_days=90)


async def timed_tick(database: Database, clock: MovableClock) -> tuple[float, float, int]:
    """One tick's wall time, this process's CPU time for it (the database server's, on
    PostgreSQL, not included), and how many rows it owed."""
    started, cpu = time.perf_counter(), time.process_time()
    owed = await tick(database, clock)
    return time.perf_counter() - started, time.process_time() - cpu, owed


async def due_runs(
    database: Database, clock: MovableClock, runs: int, every: int, limit: int | None
) -> tuple[float, float, int]:
    """Median tick (wall and CPU) with things brought due (put back after each run); and how
    many it owed."""
    before = await outbox_size(database)
    times, cpus, owed = [], [], 0
    for _ in range(runs):
        await make_due(database, every, limit)
        seconds, cpu, owed = await timed_tick(database, clock)
        times.append(seconds)
        cpus.append(cpu)
        await reset_due(database, before)
    return median(times), median(cpus), owed


async def measure(backend: str, cases: int, runs: int) -> Point:
    """Seed one organisation and time the three scenarios on it."""
    clock = MovableClock(NOW)
    async with fresh_database(backend) as database:
        started = time.perf_counter()
        await seed(database, Scale(cases))
        seeded = time.perf_counter() - started
        await tick(database, clock)  # warm: connections, statement caches
        idle = [await timed_tick(database, clock) for _ in range(max(runs, 5))]
        fixed, _, fixed_owed = await due_runs(database, clock, runs, 1, FIXED_DUE)
        tenth, tenth_cpu, tenth_owed = await due_runs(database, clock, runs, 10, None)
    return Point(
        backend,
        cases,
        median([wall for wall, _, _ in idle]),
        median([cpu for _, cpu, _ in idle]),
        fixed,
        fixed_owed,
        tenth,
        tenth_cpu,
        tenth_owed,
        seeded,
    )


def draw(points: list[Point], path: Path) -> None:
    """The tick's cost against the number of cases, per scenario and backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(10, 4))
    styles = {"sqlite": "-o", "postgres": "--s"}
    for backend in sorted({p.backend for p in points}):
        mine = sorted((p for p in points if p.backend == backend), key=lambda p: p.cases)
        cases = [p.cases for p in mine]
        style = styles.get(backend, "-")
        axes[0].plot(
            cases, [p.nothing * 1000 for p in mine], style, label=f"nothing due, {backend}"
        )
        axes[0].plot(cases, [p.fixed * 1000 for p in mine], style, label=f"1,000 due, {backend}")
        axes[1].plot(cases, [p.tenth for p in mine], style, label=f"10% due, {backend}")
    axes[0].axhline(NOTHING_DUE_MS, color="grey", linestyle=":", label="target, nothing due")
    axes[1].axhline(TENTH_DUE_S, color="grey", linestyle=":", label="target, 10% due")
    axes[0].set_ylabel("planning tick (ms)")
    axes[1].set_ylabel("planning tick (s)")
    for axis in axes:
        axis.set_xlabel("cases")
        axis.set_ylim(bottom=0)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=7)
    axes[0].set_title("Fixed work: flat as cases grow")
    axes[1].set_title("10% due: grows with the due items")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = arguments("planning", __doc__)
    parser.add_argument("--scales", help="cases at each point, comma-separated")
    parser.add_argument("--runs", type=int, help="timed ticks per scenario (median quoted)")
    parser.add_argument("--plot", type=Path, help="where to draw the curve (PNG)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> Report:
    """Run the benchmark, print its table, write its JSON and the curve."""
    args = parse(argv)
    scales = (
        tuple(int(part) for part in args.scales.split(","))
        if args.scales
        else SMOKE_SCALES
        if args.smoke
        else SCALES
    )
    runs = args.runs or (1 if args.smoke else 3)
    picture = args.plot or (RESULTS / "planning-curve.png" if args.smoke else PICTURE)
    install_keys([generate_key()])
    points = [
        asyncio.run(measure(backend, cases, runs))
        for backend in backends(args.database)
        for cases in scales
    ]
    report = Report(
        "planning",
        {
            "scales": list(scales),
            "runs": runs,
            "database": args.database,
            "fixed_due": FIXED_DUE * 2,
        },
    )
    largest, smallest = max(scales), min(scales)
    for point in points:
        where = f"{point.backend}, {point.cases:,} cases"
        at_target = point.cases == largest
        report.add(
            f"tick, nothing due ({where})",
            point.nothing * 1000,
            "ms",
            target=f"≤ {NOTHING_DUE_MS:.0f} ms" if at_target else "",
            met=point.nothing * 1000 <= NOTHING_DUE_MS if at_target else None,
        )
        report.add(f"  its CPU time, this process ({where})", point.nothing_cpu * 1000, "ms")
        report.add(f"tick, {point.fixed_owed:,} owed ({where})", point.fixed * 1000, "ms")
        report.add(
            f"tick, 10% due: {point.tenth_owed:,} owed ({where})",
            point.tenth,
            "s",
            target=f"≤ {TENTH_DUE_S:.0f} s" if at_target else "",
            met=point.tenth <= TENTH_DUE_S if at_target else None,
        )
        report.add(f"  its CPU time, this process ({where})", point.tenth_cpu, "s")
    for backend in backends(args.database):
        mine = {p.cases: p for p in points if p.backend == backend}
        if largest != smallest:
            growth = mine[largest].fixed / mine[smallest].fixed
            report.add(
                f"same 1,000 due, {largest:,} vs {smallest:,} cases ({backend})",
                growth,
                "×",
                target=f"≤ {GROWTH:.0f}×",
                met=growth <= GROWTH,
            )
    draw(points, picture)
    report.extra["points"] = [point.__dict__ for point in points]
    report.extra["picture"] = str(picture)
    report.finish()
    return report


if __name__ == "__main__":
    main()
