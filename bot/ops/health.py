"""The health check behind ``/healthz``: is this process fit to take traffic?

Healthy means: the database answers, its migrations are the ones this code
expects, and this process's periodic job (the scheduler's tick) has run
lately. The last successful delivery is reported but does not decide health:
a quiet night sends nothing, which is not a fault (alert on the outbox's
oldest due age instead). It only reads: on SQLite it never takes the write lock, so a
busy writer does not make the bot look unhealthy.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from storage.db import Database
from storage.schema import SchemaState, schema_state

DATABASE_TIMEOUT = 3.0


def tick_deadline(tick_seconds: float) -> float:
    """How old the last tick may be before the scheduler counts as stuck (seconds)."""
    return 2 * tick_seconds + 30.0


def scheduler_age(now: float, *, last_tick: float | None, started_at: float | None) -> float | None:
    """Seconds since the periodic job last ran; before its first run, since it was started
    (so a bot that has just started is healthy); None if it was never started."""
    since = last_tick if last_tick is not None else started_at
    return None if since is None else now - since


async def check_health(
    database: Database, *, tick_age: float | None, tick_seconds: float
) -> tuple[bool, dict[str, Any]]:
    """Check the database, the migrations and the scheduler; return (healthy, report)."""
    report: dict[str, Any] = {}
    try:
        state, last_sent = await asyncio.wait_for(_read(database), DATABASE_TIMEOUT)
    except Exception as error:  # unreachable, timed out, refused: all mean "not healthy"
        report["database"] = {"ok": False, "error": type(error).__name__}
        report["migrations"] = {"ok": False}
        last_sent = None
    else:
        report["database"] = {"ok": True}
        report["migrations"] = {
            "ok": state.state == "current",
            "state": state.state,
            "current": state.current,
            "expected": state.head,
        }
    deadline = tick_deadline(tick_seconds)
    report["scheduler"] = {
        "ok": tick_age is not None and tick_age <= deadline,
        "last_tick_seconds_ago": None if tick_age is None else round(tick_age, 1),
        "allowed_seconds": deadline,
    }
    report["delivery"] = {"last_sent_at": _iso(last_sent)}
    healthy = all(part.get("ok", True) for part in report.values())
    return healthy, {"healthy": healthy, **report}


async def _read(database: Database) -> tuple[SchemaState, datetime | None]:
    state = await schema_state(database.engine)
    async with database.read_only() as uow:
        return state, await uow.outbox.last_sent_at()


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()
