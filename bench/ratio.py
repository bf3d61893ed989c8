"""Issue 24: Bearings against a bare python-telegram-bot echo bot, side by side in one run.

    python -m bench.ratio [--smoke] [--database sqlite|postgres|both] [--people 10]
                          [--updates 600] [--runs 3]

Each run starts, one after another against the Bot API emulator, the echo bot
and Bearings (per database) in a process of its own (``bench/chat_bots.py``), and
drives each the same way:

- ``--people`` people act as fast as the bot answers, ``--updates`` updates in
  all: the echo bot gets texts; Bearings gets ``/cases`` (a command) and, in a
  second phase, the /visit note walked again and again (a flow: the command and
  its five steps). The bot process's CPU time (user + system, from
  ``/proc/<pid>/stat``) over the updates sent is its CPU per update; updates
  answered per second is its throughput.
- then with 50 ms added to every API call, the same people walk the flow paced
  at 20 updates per second in all: the p95 reply latency (from the update being
  available to the bot's first call about that chat reaching the emulator).

The ratios are taken within a run (the echo bot and Bearings under the same load
on the shared machine) and the medians over ``--runs`` runs are quoted. A short
warm-up (each person's first updates) is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bench.chat import echo_steps, visit_steps
from bench.command import arguments, run
from bench.fresh_database import migrated_url
from bench.harness import BotProcess, People, Step, reply_latencies
from bench.report import Report, median, percentile
from bench.seed import Worker, seed_workers
from bot.sandbox.emulator import BotApiEmulator
from storage.crypto import generate_key, install_keys

API_LATENCY = 0.05
PACED_RATE = 20.0
LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """A process's CPU time so far (user + system, every thread), from /proc."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


@dataclass
class Phase:
    """One measured phase: updates answered, seconds, the bot's CPU seconds, latencies."""

    updates: int = 0
    seconds: float = float("nan")
    cpu: float = float("nan")
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else float("nan")

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / self.updates if self.updates else float("nan")


def repeated(steps: Callable[[str], list[Step]], case: str, total: int) -> list[Step]:
    """``steps(case)`` again and again, ``total`` steps in all."""
    out: list[Step] = []
    while len(out) < total:
        out += steps(case)
    return out[:total]


async def timed(
    bot: BotProcess, people: People, workers: Sequence[Worker], plan: Callable[[str], list[Step]]
) -> Phase:
    """Everyone follows their plan at machine speed; the bot's CPU and the wall time."""
    loop = asyncio.get_running_loop()
    failures = people.failures
    cpu, started = cpu_seconds(bot.pid), loop.time()
    await asyncio.gather(*(people.follow(w.user_id, plan(w.case)) for w in workers))
    seconds, cpu = loop.time() - started, cpu_seconds(bot.pid) - cpu
    updates = sum(len(plan(w.case)) for w in workers) - (people.failures - failures)
    return Phase(updates, seconds, cpu)


async def paced(
    emulator: BotApiEmulator, people: People, workers: Sequence[Worker], per_person: int
) -> Phase:
    """The flow walked at PACED_RATE updates/s in all, with API_LATENCY on every call."""
    emulator.latency = API_LATENCY
    people.sent.clear()
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2
    count = len(workers)

    def pacing(index: int) -> Callable[[int], float]:
        return lambda k: start + (k * count + index) / PACED_RATE

    plan = visit_steps if workers and workers[0].case else echo_steps
    await asyncio.gather(
        *(
            people.follow(w.user_id, repeated(plan, w.case, per_person), pacing(i))
            for i, w in enumerate(workers)
        )
    )
    emulator.latency = 0.0
    return Phase(len(people.sent), latencies=reply_latencies(emulator, people.sent).latencies)


@dataclass
class Run:
    """What one run measured for one bot: named phases."""

    phases: dict[str, Phase]
    failures: int


async def drive(
    kind: str, env: dict[str, str], workers: Sequence[Worker], updates: int, paced_each: int
) -> Run:
    """One bot: warm-up, the timed phases at machine speed, the paced phase."""
    per_person = max(1, updates // len(workers))
    phases: dict[str, Phase] = {}
    async with BotApiEmulator() as emulator:
        bot = BotProcess(kind, emulator, env)
        await bot.start()
        try:
            people = People(emulator)
            if kind == "echo":
                await timed(bot, people, workers, lambda c: echo_steps(c)[:2])
                phases["command"] = await timed(
                    bot, people, workers, lambda c: repeated(echo_steps, c, per_person)
                )
            else:
                await timed(bot, people, workers, lambda c: [Step("/cases"), *visit_steps(c)])
                phases["command"] = await timed(
                    bot, people, workers, lambda c: [Step("/cases")] * per_person
                )
                phases["flow"] = await timed(
                    bot, people, workers, lambda c: repeated(visit_steps, c, per_person)
                )
            phases["paced"] = await paced(emulator, people, workers, paced_each)
        finally:
            await bot.stop()
    return Run(phases, people.failures)


async def one_run(databases: Sequence[str], args: argparse.Namespace) -> dict[str, Run]:
    """The echo bot, then Bearings on each database, one after another."""
    echo_people = [Worker(700_000 + k, "") for k in range(args.people)]
    runs = {"echo": await drive("echo", {}, echo_people, args.updates, args.paced_each)}
    for database in databases:
        key = generate_key()
        install_keys([key])
        async with migrated_url(database) as url:
            workers = await seed_workers(url, args.people, datetime.now(UTC))
            env = {"DATABASE_URL": url, "BEARINGS_DATA_KEYS": key}
            runs[database] = await drive("bearings", env, workers, args.updates, args.paced_each)
    return runs


async def measure(args: argparse.Namespace) -> Report:
    """Every run, then the medians of the ratios as a report."""
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    runs = [await one_run(databases, args) for _ in range(args.runs)]
    report = Report(
        "ratio",
        {
            "people": args.people,
            "updates": args.updates,
            "runs": args.runs,
            "paced_rate": PACED_RATE,
            "api_latency_ms": API_LATENCY * 1000,
            "databases": databases,
            "load_average": os.getloadavg(),
        },
    )
    add_rows(report, runs, databases)
    report.extra["runs_detail"] = [
        {
            name: {
                phase: {"updates": p.updates, "rate": p.rate, "cpu_ms": p.cpu_ms}
                for phase, p in one.phases.items()
            }
            | {"failures": one.failures}
            for name, one in each.items()
        }
        for each in runs
    ]
    return report


def add_rows(report: Report, runs: Sequence[dict[str, Run]], databases: Sequence[str]) -> None:
    """Echo bot, then each database: CPU per update and rate, each with its ratio to echo."""

    def med(value: Callable[[dict[str, Run]], float]) -> float:
        return median([value(r) for r in runs])

    report.add("Echo bot CPU per update", med(lambda r: _echo(r).cpu_ms), "ms")
    report.add("Echo bot updates/s", med(lambda r: _echo(r).rate), "updates/s")
    report.add(
        "Echo bot p95 latency, 50 ms API, 20/s",
        med(lambda r: _p95(r["echo"])),
        "ms",
    )
    for database in databases:
        _database_rows(report, runs, database)


def _echo(run_: dict[str, Run]) -> Phase:
    return run_["echo"].phases["command"]


def _p95(one: Run) -> float:
    return 1000 * percentile(one.phases["paced"].latencies, 0.95)


def _database_rows(report: Report, runs: Sequence[dict[str, Run]], database: str) -> None:
    """One database's rows: each phase against the echo bot of the same run."""
    label = LABELS[database]
    mine = [r[database] for r in runs]
    echo = [_echo(r) for r in runs]
    for phase, what, limit in (("command", "/cases", 2.0), ("flow", "/visit step", 3.0)):
        measured = [one.phases[phase] for one in mine]
        report.add(
            f"Bearings {what} CPU per update, {label}",
            median([p.cpu_ms for p in measured]),
            "ms",
        )
        ratio = median([p.cpu_ms / e.cpu_ms for p, e in zip(measured, echo, strict=True)])
        report.add(
            f"  {what} CPU as a multiple of echo, {label}",
            ratio,
            "x",
            target=f"<= {limit:g}",
            met=ratio <= limit,
        )
        report.add(
            f"Bearings {what} updates/s, {label}", median([p.rate for p in measured]), "updates/s"
        )
        share = median([100 * p.rate / e.rate for p, e in zip(measured, echo, strict=True)])
        report.add(
            f"  {what} throughput as a share of echo, {label}",
            share,
            "%",
            target=">= 50",
            met=share >= 50,
        )
    p95 = median([_p95(one) for one in mine])
    report.add(
        f"Bearings p95 latency, 50 ms API, 20 updates/s, {label}",
        p95,
        "ms",
        target="<= 100",
        met=p95 <= 100,
    )
    failures = sum(one.failures for one in mine)
    report.add(f"Steps left unanswered, {label}", failures, "steps", target="0", met=failures == 0)


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = arguments("ratio", "Bearings against the echo bot, side by side (issue 24).")
    parser.add_argument("--people", type=int, default=10)
    parser.add_argument("--updates", type=int, default=600)
    parser.add_argument("--paced-each", type=int, default=12, help="paced updates per person")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if args.smoke:
        args.people, args.updates, args.paced_each, args.runs = 2, 12, 6, 1
    return args


def main(argv: list[str] | None = None) -> Report:
    """Run the benchmark, print the table and write bench/results/ratio.json."""
    return run(measure, parse(argv))


if __name__ == "__main__":
    main()
