"""Benchmark 6: key rotation while the bot keeps answering (issue 8).

100,000 visit notes (each with two encrypted fields) are stored under an old
data key. The real bot runs against the Bot API emulator with the new key
first (``new,old``), a few key workers chat with it (``/cases``, one after
another, each waiting for the answer), and meanwhile an operator runs
``bearings rotate-key`` in its own process, as docs/privacy.md tells them to. The
rotation's time is the command's, start-up included; the workers' reply
latencies are those measured while it ran.

Targets: 100,000 notes re-encrypted in at most 30 s, and no reply lost.

    python -m bench.rotation [--smoke] [--database sqlite|postgres|both] [--notes 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bench.command import arguments
from bench.fresh_database import backends, fresh_database
from bench.report import Report, percentile
from bench.scale_data import insert_rows
from bot.app import build
from bot.clock import SystemClock
from bot.config import Settings
from bot.domain.roles import Role
from bot.sandbox.emulator import BotApiEmulator
from bot.services import onboarding
from storage.crypto import generate_key, install_keys, key_ring
from storage.db import Database
from storage.models import Case, Visit

NOTES, SMOKE_NOTES = 100_000, 2_000
WORKERS = 5
CASES_PER_WORKER = 4
ROTATION_SECONDS = 30.0
SUPERVISOR = 30_000_001
REPLY_TIMEOUT = 30.0
THINK = 0.3
"""Seconds a worker takes before their next message (people read what the bot said)."""
BASELINE = 5.0
"""Seconds of chatting measured before the rotation starts, to compare with."""


@dataclass(frozen=True)
class Outcome:
    """One rotation run: how long it took, and how the chatting workers fared meanwhile."""

    backend: str
    notes: int
    seconds: float
    cpu_seconds: float
    values: int
    replies: int
    failed: int
    p50: float
    p95: float
    longest: float
    baseline_p95: float


async def store(database: Database, notes: int, now: datetime) -> list[int]:
    """A team made through the real services, its cases, and the notes (under the key
    installed now, shared by every note); returns the workers' Telegram ids."""
    clock = SystemClock()
    workers = [SUPERVISOR + n for n in range(1, WORKERS + 1)]
    async with database.unit_of_work() as uow:
        first = await onboarding.create_team(
            uow, clock, name="Rotation Team", timezone="Europe/London", invite_ttl_days=7
        )
        lead = await onboarding.join_team(
            uow, clock, token=first.token, telegram_user_id=SUPERVISOR, display_name="Sam Lead"
        )
        for user in workers:
            invite = await onboarding.create_invite(
                uow, clock, telegram_user_id=SUPERVISOR, role=Role.WORKER, invite_ttl_days=7
            )
            await onboarding.join_team(
                uow, clock, token=invite.token, telegram_user_id=user, display_name="Alex Key"
            )
        members = {m.telegram_user_id: m for m in await uow.members.of_team(lead.team_id)}
        team_id = lead.team_id
    cases = [
        {
            "id": 1 + n,
            "team_id": team_id,
            "reference": f"FAM-{n + 1}",
            "worker_id": members[workers[n % WORKERS]].id,
            "stage": "monitoring",
            "cadence_days": 7,
            "last_visit_on": None,
            "next_visit_due": date(2026, 12, 1),
            "next_review_on": None,
            "opened_at": now,
            "closed_at": None,
            "closing_reason": None,
        }
        for n in range(WORKERS * CASES_PER_WORKER)
    ]
    await insert_rows(database, Case, cases)
    token = key_ring().encrypt("Went well; school attendance up, next step a call to the GP.")
    same = key_ring().encrypt("same")
    await insert_rows(
        database,
        Visit,
        [
            {
                "id": n + 1,
                "case_id": cases[n % len(cases)]["id"],
                "author_id": cases[n % len(cases)]["worker_id"],
                "visited_on": date(2026, 1, 1) + timedelta(days=n % 300),
                "how_it_went": token,
                "risk_change": same,
                "next_step": token,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(notes)
        ],
    )
    return workers


async def chat(
    emulator: BotApiEmulator, user: int, until: asyncio.Event, latencies: list[float]
) -> int:
    """Ask for one's caseload again and again (a short pause to read each answer) until told
    to stop; returns failed replies."""
    failed = 0
    while not until.is_set():
        after = len(emulator.bot_messages(user))
        started = time.monotonic()
        emulator.send_message(user, "/cases", first_name="Alex")
        try:
            await emulator.wait_for_bot_message(user, after=after, timeout=REPLY_TIMEOUT)
        except (TimeoutError, AssertionError):
            failed += 1
            continue
        latencies.append(time.monotonic() - started)
        await asyncio.sleep(THINK)
    return failed


async def rotate(backend: str, notes: int) -> Outcome:
    """Store the notes under the old key, run the bot on ``new,old`` with workers chatting,
    and time ``bearings rotate-key`` in its own process."""
    old, new = generate_key(), generate_key()
    install_keys([old])
    now = datetime.now(UTC)
    async with BotApiEmulator() as emulator, fresh_database(backend) as database:
        workers = await store(database, notes, now)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_bot_token=SecretStr(emulator.token),
            telegram_api_base_url=emulator.base_url,
            telegram_api_file_url=emulator.base_file_url,
            database_url=database.url,
            bearings_data_keys=SecretStr(f"{new},{old}"),
            webhook_url=None,
            nudges_enabled=False,
            metrics_enabled=False,  # no port: smoke runs go side by side
            flood_burst=10_000,  # the simulated workers answer at machine speed
        )
        await database.dispose()  # the bot opens its own
        bearings = build(settings, clock=SystemClock())
        await bearings.start()
        latencies: list[float] = []
        stop = asyncio.Event()
        try:
            chatting = [
                asyncio.create_task(chat(emulator, user, stop, latencies)) for user in workers
            ]
            await asyncio.sleep(1.0)  # warm: the bot's first answers
            first = len(latencies)
            await asyncio.sleep(BASELINE)
            baseline = latencies[first:]
            before = len(latencies)
            started, cpu = time.monotonic(), _children_cpu()
            output = await _rotate_key_command(database.url, f"{new},{old}")
            seconds, cpu = time.monotonic() - started, _children_cpu() - cpu
            during = latencies[before:]
            stop.set()
            failed = sum(await asyncio.gather(*chatting))
        finally:
            stop.set()
            await bearings.stop()
    values = _rotated(output)
    return Outcome(
        backend=backend,
        notes=notes,
        seconds=seconds,
        cpu_seconds=cpu,
        values=values,
        replies=len(during),
        failed=failed,
        p50=percentile(during, 0.5),
        p95=percentile(during, 0.95),
        longest=max(during, default=float("nan")),
        baseline_p95=percentile(baseline, 0.95),
    )


async def _rotate_key_command(url: str, keys: str) -> str:
    """``bearings rotate-key``, as an operator runs it, in its own process."""
    command = Path(sys.executable).with_name("bearings")
    env: dict[str, Any] = {**os.environ, "DATABASE_URL": url, "BEARINGS_DATA_KEYS": keys}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    process = await asyncio.create_subprocess_exec(
        str(command),
        "rotate-key",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
    )
    out, _ = await process.communicate()
    text = out.decode()
    if process.returncode != 0:
        raise RuntimeError(f"bearings rotate-key failed ({process.returncode}):\n{text}")
    return text


def _children_cpu() -> float:
    """CPU seconds used so far by this process's finished children (the command's own)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _rotated(output: str) -> int:
    """How many values the command says it re-encrypted (its "Done: N value(s)" line)."""
    for line in output.splitlines():
        if line.startswith("Done:"):
            return int(line.split()[1])
    raise RuntimeError(f"bearings rotate-key said no Done line:\n{output}")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = arguments("rotation", __doc__)
    parser.add_argument("--notes", type=int, help="visit notes to re-encrypt")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> Report:
    """Run the benchmark, print its table and write its JSON."""
    args = parse(argv)
    notes = args.notes or (SMOKE_NOTES if args.smoke else NOTES)
    outcomes = [asyncio.run(rotate(backend, notes)) for backend in backends(args.database)]
    report = Report(
        "rotation", {"notes": notes, "workers_chatting": WORKERS, "database": args.database}
    )
    for outcome in outcomes:
        where = f"{outcome.backend}, {outcome.notes:,} notes"
        at_scale = outcome.notes >= NOTES
        report.add(
            f"bearings rotate-key ({where})",
            outcome.seconds,
            "s",
            target=f"≤ {ROTATION_SECONDS:.0f} s" if at_scale else "",
            met=outcome.seconds <= ROTATION_SECONDS if at_scale else None,
        )
        report.add(f"its CPU time ({where})", outcome.cpu_seconds, "s")
        report.add(
            f"values re-encrypted ({where})",
            outcome.values,
            "",
            target=f"≥ {outcome.notes * 2:,}",
            met=outcome.values >= outcome.notes * 2,
        )
        report.add(f"replies during rotation ({outcome.backend})", outcome.replies, "")
        report.add(
            f"replies lost ({outcome.backend})",
            outcome.failed,
            "",
            target="0",
            met=not outcome.failed,
        )
        report.add(f"reply p50 during rotation ({outcome.backend})", outcome.p50 * 1000, "ms")
        report.add(f"reply p95 during rotation ({outcome.backend})", outcome.p95 * 1000, "ms")
        report.add(
            f"reply p95 just before, same workers ({outcome.backend})",
            outcome.baseline_p95 * 1000,
            "ms",
        )
        report.add(f"slowest reply ({outcome.backend})", outcome.longest * 1000, "ms")
    report.extra["outcomes"] = [outcome.__dict__ for outcome in outcomes]
    report.finish()
    return report


if __name__ == "__main__":
    main()
