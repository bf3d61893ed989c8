"""A tiny run of the delivery benchmark (bench/delivery.py) against the rate-limited emulator.

Only the shape and sanity of the figures are checked, never the targets: the
machine running the tests is shared and noisy (the real run is ``make bench``).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, tzinfo

import pytest

from bench import delivery
from bot import clock as clock_module


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_delivery_smoke_run_sends_everything_and_reports_rates(backend: str) -> None:
    report = delivery.main(["--smoke", "--database", backend, "--factors", "20"])
    rows = {row.measure: row for row in report.rows}
    where = f"{backend}, limits ×20"
    assert rows[f"delivered ({where})"].value == delivery.SMOKE.total
    rate = rows[f"rate while private chats are served ({where})"]
    assert rate.unit == "msg/s" and 0 < rate.value <= 30 * 20 * 1.05  # never above the limit
    assert rows[f"429 answers ({where})"].value >= 0
    # One private chat's messages never came closer than its own limit (20 a second here).
    assert rows[f"closest two in one private chat ({where})"].value >= 1 / 20 * 0.9
    assert rows[f"total time ({where})"].value > 0


@pytest.mark.timeout(180)
def test_the_delivery_benchmark_runs_the_same_on_a_saturday_night(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run on the system clock, a benchmark started in the team's quiet hours owed every
    message for the next working morning and waited for it: CI hung on a Friday night."""

    class SaturdayNight(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> SaturdayNight:
            return cls(2026, 12, 5, 23, 30, tzinfo=UTC)  # the wall clock, as the bot reads it

    monkeypatch.setattr(clock_module, "datetime", SaturdayNight)
    assert clock_module.SystemClock().now().hour == 23
    outcome = asyncio.run(delivery.deliver("sqlite", 20, delivery.SMOKE))
    assert outcome.delivered == delivery.SMOKE.total
