"""Benchmark 4: the bot's resident memory with 10,000 people in the middle of a flow.

    python -m bench.memory [--smoke] [--database sqlite|postgres|both] [--people 10000]

The real ``bearings run`` starts in its own process against the Bot API
emulator, on a database seeded with ``--people`` workers (a case each). Its
resident memory (VmRSS in /proc) is read once it polls and has settled, then
every person starts /visit and leaves it open at the first question, and the
memory is read again once every one of them has had the question. A flow's
state lives in the database, so the process should hardly grow: the targets
are at most 10 MiB of growth and at most 150 MiB at the peak (VmHWM).
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime

from bench.command import arguments, run
from bench.fresh_database import migrated_url
from bench.harness import BearingsRun, People, Step
from bench.report import Report
from bench.seed import seed_workers
from bot.sandbox.emulator import BotApiEmulator
from storage.crypto import generate_key, install_keys

GROWTH_MIB = 10.0
TOTAL_MIB = 150.0
# Every person writes at once, so the last answer waits for all the others (a shared
# two-core machine can take minutes over 10,000).
ANSWER_TIMEOUT = 1800.0
LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


async def measure_one(database: str, people: int) -> tuple[float, float, float, int]:
    """Idle, with the flows open and peak memory in MiB; and how many questions went unasked."""
    key = generate_key()
    install_keys([key])
    async with migrated_url(database) as url:
        workers = await seed_workers(url, people, datetime.now(UTC))
        async with BotApiEmulator() as emulator:
            # Nudges off: the seeded visits are all due today, and 10,000 nudges on their way
            # would be measured too (and read as the answers people wait for).
            env = {"DATABASE_URL": url, "BEARINGS_DATA_KEYS": key, "NUDGES_ENABLED": "false"}
            bot = BearingsRun(emulator, env)
            await bot.start()
            try:
                # Settled: the first tick has planned and the poller waits (nothing to do).
                await emulator.wait_until(lambda: emulator.state.updates.polling, timeout=30)
                idle, _ = bot.resident_mib()
                crowd = People(emulator, timeout=ANSWER_TIMEOUT)
                await asyncio.gather(*(crowd.act(w.user_id, Step("/visit")) for w in workers))
                busy, peak = bot.resident_mib()
            finally:
                await bot.stop()
    return idle, busy, peak, crowd.failures


async def measure(args: argparse.Namespace) -> Report:
    """Each database in turn, then the report."""
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    report = Report("memory", {"people": args.people, "databases": databases})
    for database in databases:
        label = LABELS[database]
        idle, busy, peak, unasked = await measure_one(database, args.people)
        report.add(f"Resident memory idle, {label}", idle, "MiB")
        report.add(f"Resident memory with {args.people:,} open flows, {label}", busy, "MiB")
        growth = busy - idle
        report.add(
            f"Growth over idle, {label}",
            growth,
            "MiB",
            target=f"<= {GROWTH_MIB:.0f}",
            met=growth <= GROWTH_MIB,
        )
        report.add(
            f"Peak resident memory, {label}",
            peak,
            "MiB",
            target=f"<= {TOTAL_MIB:.0f}",
            met=peak <= TOTAL_MIB,
        )
        report.add(
            f"People left without their question, {label}",
            unasked,
            "people",
            target="0",
            met=unasked == 0,
        )
    return report


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = arguments("memory", "Memory with open flows (issue 8, no. 4).")
    parser.add_argument("--people", type=int, default=10_000)
    args = parser.parse_args(argv)
    if args.smoke:
        args.people = 30
    return args


def main(argv: list[str] | None = None) -> Report:
    """Run the benchmark, print the table and write bench/results/memory.json."""
    return run(measure, parse(argv))


if __name__ == "__main__":
    main()
