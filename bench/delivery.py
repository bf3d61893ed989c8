"""Benchmark 3: delivery against Telegram's limits (issue 8).

The Bot API emulator enforces Telegram's flood limits (30 messages a second
overall, one a second per chat, 20 a minute per group; 429 with retry_after
past them). The outbox owes 900 nudges to 900 people, 5 messages each to 30
more, and 40 to a team's group, all due at once and interleaved; the real
delivery (``bot.telegram.delivery`` with its ``Pacer``) sends them through
python-telegram-bot over HTTP. The emulator stamps each message as it arrives.

Targets: at Telegram's limits, at least 28.5 messages a second while the
private chats are being served, and not one 429; with every limit multiplied
by ten (and the pacer told so), at least 90% of the overall limit.

    python -m bench.delivery [--smoke] [--database sqlite|postgres|both] [--factors 1,10]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import SecretStr

from bench.command import arguments
from bench.fresh_database import backends, fresh_database
from bench.report import Report
from bench.scale_data import insert_rows
from bot.app import build
from bot.clock import Clock
from bot.config import Settings
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from bot.sandbox.emulator.ratelimit import RateLimits
from bot.telegram.delivery import Delivery
from bot.telegram.pacing import PaceLimits, Pacer
from storage.crypto import generate_key, install_keys, key_ring
from storage.db import Database
from storage.models import Member, OutboxMessage, Team

GROUP_CHAT = -1_000_001
FIRST_USER = 20_000_001


@dataclass(frozen=True)
class Load:
    """How many messages go where."""

    private: int = 900
    busy_chats: int = 30
    busy_each: int = 5
    group: int = 40

    @property
    def total(self) -> int:
        """Messages owed in all."""
        return self.private + self.busy_chats * self.busy_each + self.group


SMOKE = Load(private=60, busy_chats=5, busy_each=3, group=6)


@dataclass(frozen=True)
class Outcome:
    """One delivery run: rates, refusals and times."""

    backend: str
    factor: float
    delivered: int
    rate: float
    group_per_minute: float
    busiest_chat_gap: float
    refused: int
    seconds: float


async def owe(database: Database, load: Load, now: datetime) -> None:
    """One team with a group; a member per private chat; every message owed now, mixed."""
    name = key_ring().encrypt("Sam Example")
    await insert_rows(
        database,
        Team,
        [
            {
                "id": 1,
                "name": "Bench Team",
                "timezone": "Europe/London",
                "quiet_start": "20:00",
                "quiet_end": "08:00",
                "working_days": "12345",
                "settings": {},
                "group_chat_id": GROUP_CHAT,
                "created_at": now,
            }
        ],
    )
    chats = load.private + load.busy_chats
    await insert_rows(
        database,
        Member,
        [
            {
                "id": n + 1,
                "team_id": 1,
                "telegram_user_id": FIRST_USER + n,
                "role": "worker",
                "display_name": name,
                "timezone": None,
                "active": True,
                "joined_at": now,
                "deactivated_at": None,
                "settings": {},
                "away_until": None,
                "away_cover_id": None,
                "unreachable_at": None,
            }
            for n in range(chats)
        ],
    )
    rows = [_nudge(n, 0, now) for n in range(load.private)]
    rows += [
        _nudge(load.private + n, turn, now)
        for n in range(load.busy_chats)
        for turn in range(load.busy_each)
    ]
    rows += [
        {
            **_nudge(0, 0, now),
            "key": f"digest:1:{day}",
            "kind": "digest",
            "member_id": None,
            "chat_id": GROUP_CHAT,
            "ref": {"team": 1, "week": str(now.date() - timedelta(days=7 * day))},
        }
        for day in range(load.group)
    ]
    random.Random(8).shuffle(rows)  # due together: chats and the group come interleaved
    await insert_rows(database, OutboxMessage, rows)


def _nudge(n: int, turn: int, now: datetime) -> dict[str, Any]:
    return {
        "key": f"bearings_prompt:{n + 1}:{turn}",
        "kind": "bearings_prompt",
        "team_id": 1,
        "member_id": n + 1,
        "chat_id": FIRST_USER + n,
        "ref": {},
        "due_at": now - timedelta(seconds=1),
        "status": "pending",
        "lease_until": None,
        "attempts": 0,
        "timeouts": 0,
        "last_error": None,
        "created_at": now,
        "sent_at": None,
        "message_id": None,
    }


class WorkdayClock:
    """Real time, as if the run began on a working Tuesday at 10:00 in London.

    On the system clock, a run in the evening or at a weekend owed every message inside the
    team's quiet hours: delivery rightly moved them all to the next working morning, and the
    benchmark (and CI's smoke run of it) waited for that morning."""

    START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)

    def __init__(self, start: datetime = START) -> None:
        self._start, self._began = start, time.monotonic()

    def now(self) -> datetime:
        """The run's start plus the real time gone since."""
        return self._start + timedelta(seconds=time.monotonic() - self._began)


async def deliver(backend: str, factor: float, load: Load, clock: Clock | None = None) -> Outcome:
    """Owe the load, then let the real delivery send it all; what the emulator saw."""
    arrivals: list[tuple[float, int]] = []

    def stamp(event: str, message: ChatMessage) -> None:
        if event == "message" and message.from_bot:
            arrivals.append((time.monotonic(), message.chat_id))

    limits = RateLimits().scaled(factor)
    async with (
        BotApiEmulator(rate_limits=limits) as emulator,
        fresh_database(backend) as database,
    ):
        emulator.add_listener(stamp)
        clock = clock or WorkdayClock()
        key = generate_key()
        install_keys([key])
        await owe(database, load, clock.now())
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_bot_token=SecretStr(emulator.token),
            telegram_api_base_url=emulator.base_url,
            telegram_api_file_url=emulator.base_file_url,
            database_url=database.url,
            bearings_data_keys=SecretStr(key),
        )
        bearings = build(settings, clock=clock)
        await bearings.application.initialize()
        try:
            pacer = Pacer(
                PaceLimits(
                    limits.overall_per_second,
                    limits.per_chat_per_second,
                    limits.per_group_per_minute,
                )
            )
            delivery = Delivery(database, clock, bearings.caller, pacer=pacer)
            while len(arrivals) < load.total:
                before = len(arrivals)
                await delivery.deliver_due()
                if len(arrivals) == before:  # something put off (a 429): wait for it
                    await asyncio.sleep(0.5)
        finally:
            await bearings.application.shutdown()
            await bearings.database.dispose()
        refused = emulator.stats["rate_limited"]
    return _outcome(backend, factor, arrivals, refused)


def _outcome(
    backend: str, factor: float, arrivals: list[tuple[float, int]], refused: int
) -> Outcome:
    times = [at for at, _ in arrivals]
    first, last = min(times), max(times)
    private_last = max(at for at, chat in arrivals if chat > 0)
    while_private = sum(1 for at in times if at <= private_last)
    group = sorted(at for at, chat in arrivals if chat < 0)
    by_chat: dict[int, list[float]] = {}
    for at, chat in arrivals:
        by_chat.setdefault(chat, []).append(at)
    gaps = [
        later - earlier
        for chat, seen in by_chat.items()
        if chat > 0 and len(seen) > 1
        for earlier, later in zip(sorted(seen), sorted(seen)[1:], strict=False)
    ]
    return Outcome(
        backend=backend,
        factor=factor,
        delivered=len(arrivals),
        rate=(while_private - 1) / (private_last - first),
        group_per_minute=(len(group) - 1) / (group[-1] - group[0]) * 60 if len(group) > 1 else 0,
        busiest_chat_gap=min(gaps) if gaps else float("nan"),
        refused=refused,
        seconds=last - first,
    )


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = arguments("delivery", __doc__)
    parser.add_argument("--factors", help="limit multipliers to run at, comma-separated")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> Report:
    """Run the benchmark, print its table and write its JSON."""
    args = parse(argv)
    load = SMOKE if args.smoke else Load()
    default = "10,20" if args.smoke else "1,10"
    factors = [float(part) for part in (args.factors or default).split(",")]
    started = datetime.now(UTC)
    outcomes = [
        asyncio.run(deliver(backend, factor, load))
        for backend in backends(args.database)
        for factor in factors
    ]
    report = Report(
        "delivery",
        {"load": load.__dict__, "factors": factors, "database": args.database},
    )
    for outcome in outcomes:
        limits = RateLimits().scaled(outcome.factor)
        where = f"{outcome.backend}, limits ×{outcome.factor:g}"
        wanted = 0.95 if outcome.factor == 1 else 0.9
        report.add(
            f"rate while private chats are served ({where})",
            outcome.rate,
            "msg/s",
            target=f"≥ {limits.overall_per_second * wanted:g}",
            met=outcome.rate >= limits.overall_per_second * wanted,
        )
        report.add(
            f"429 answers ({where})", outcome.refused, "", target="0", met=outcome.refused == 0
        )
        report.add(
            f"delivered ({where})",
            outcome.delivered,
            "msgs",
            target=f"{load.total}",
            met=outcome.delivered == load.total,
        )
        report.add(
            f"group rate ({where}; limit {limits.per_group_per_minute}/min)",
            outcome.group_per_minute,
            "msg/min",
        )
        report.add(f"closest two in one private chat ({where})", outcome.busiest_chat_gap, "s")
        report.add(f"total time ({where})", outcome.seconds, "s")
    report.extra["outcomes"] = [outcome.__dict__ for outcome in outcomes]
    report.extra["started"] = started.isoformat(timespec="seconds")
    report.finish()
    return report


if __name__ == "__main__":
    main()
