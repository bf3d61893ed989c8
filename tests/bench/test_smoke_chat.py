"""A tiny run of the chat benchmark (bench/chat.py): every bot answers every step, every row
has a figure.

Only the shape and sanity of the figures are checked, never the targets: the
machine running the tests is shared and noisy (the real run is
``python -m bench.chat``).
"""

from __future__ import annotations

import math

import pytest

from bench import chat


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_chat_smoke_run_measures_bearings_and_both_baselines(backend: str) -> None:
    report = chat.main(["--smoke", "--database", backend])
    rows = {row.measure: row for row in report.rows}
    label = chat.LABELS[backend]
    assert rows[f"Steps left unanswered, {label} (all runs)"].value == 0
    assert rows["Steps left unanswered, echo bot (all runs)"].value == 0
    assert rows["Steps the common-way bot left unanswered (all runs)"].value == 0
    for measure in (
        f"Bearings updates/s, {label}",
        f"Bearings p95 latency at full load, {label}",
        f"Bearings p95 latency, 50 ms API, 200/s, {label}",
        f"Bearings longest stall, open flows, {label}",
        f"Bearings CPU per update, {label}",
        f"Bearings SQL statements per update, {label}",
        "Echo bot updates/s (framework ceiling)",
        "Echo bot CPU per update",
        "Common-way bot updates/s",
        "Common-way bot longest stall, open flows",
    ):
        value = rows[measure].value
        assert math.isfinite(value) and value > 0, measure
    # Latency with 50 ms added to every call includes at least the wait for getUpdates.
    assert rows[f"Bearings p50 latency, 50 ms API, 200/s, {label}"].value > 0
    # Handling an update is one write transaction; receiving a batch adds its share of one.
    commits = rows[f"Bearings write transactions per update, {label}"].value
    assert 1 <= commits < 3
