"""Benchmark 5: ``bearings run`` to its first getUpdates call.

    python -m bench.startup [--smoke] [--database sqlite|postgres|both] [--runs 5]

Each run starts the real command in a new process against the Bot API emulator,
with an already migrated database, and times it from starting the process to
the emulator receiving the bot's first getUpdates call: the interpreter, the
imports, the configuration, the schema check, the connection to "Telegram",
the recovery of the inbox and the first planning tick all count. The figure is
the median of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from bench.command import arguments, run
from bench.fresh_database import migrated_url
from bench.harness import BearingsRun
from bench.report import Report, median
from bot.sandbox.emulator import BotApiEmulator
from storage.crypto import generate_key, install_keys

TARGET_SECONDS = 1.5
LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


async def time_startups(database: str, runs: int) -> list[float]:
    """Start and stop ``bearings run`` ``runs`` times on one migrated database."""
    key = generate_key()
    install_keys([key])
    seconds = []
    async with migrated_url(database) as url:
        for _ in range(runs):
            async with BotApiEmulator() as emulator:
                bot = BearingsRun(emulator, {"DATABASE_URL": url, "BEARINGS_DATA_KEYS": key})
                seconds.append(await bot.start())
                await bot.stop()
    return seconds


async def time_imports(runs: int) -> list[float]:
    """Seconds for a new interpreter to import ``bot.cli`` and exit: the floor under start-up."""
    seconds = []
    for _ in range(runs):
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(sys.executable, "-c", "import bot.cli")
        await process.wait()
        seconds.append(time.monotonic() - started)
    return seconds


async def measure(args: argparse.Namespace) -> Report:
    """Every database's runs, then the medians as a report."""
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    report = Report("startup", {"runs": args.runs, "databases": databases})
    for database in databases:
        seconds = await time_startups(database, args.runs)
        value = median(seconds)
        report.add(
            f"bearings run to first getUpdates, {LABELS[database]}",
            value,
            "s",
            target=f"<= {TARGET_SECONDS}",
            met=value <= TARGET_SECONDS,
            detail=f"runs: {', '.join(f'{s:.2f}' for s in seconds)}",
        )
    imports = await time_imports(args.runs)
    report.add(
        "of which: a new interpreter importing bot.cli",
        median(imports),
        "s",
        detail=f"runs: {', '.join(f'{s:.2f}' for s in imports)}",
    )
    return report


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = arguments("startup", "Start-up time (issue 8, no. 5).")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    if args.smoke:
        args.runs = 1
    return args


def main(argv: list[str] | None = None) -> Report:
    """Run the benchmark, print the table and write bench/results/startup.json."""
    return run(measure, parse(argv))


if __name__ == "__main__":
    main()
