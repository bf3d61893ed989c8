"""A tiny run of the side-by-side benchmark (bench/ratio.py): the echo bot and Bearings
(/cases, the /visit note) measured in one run, each ratio to the echo bot reported.

Only the shape and sanity of the figures are checked, never the targets.
"""

from __future__ import annotations

from bench import ratio


def test_ratio_smoke_run_measures_bearings_against_the_echo_bot() -> None:
    report = ratio.main(["--smoke", "--database", "sqlite"])
    rows = {row.measure: row for row in report.rows}
    assert 0 < rows["Echo bot CPU per update"].value < 1000
    for what, limit in (("/cases", "<= 2"), ("/visit step", "<= 3")):
        multiple = rows[f"  {what} CPU as a multiple of echo, SQLite"]
        assert multiple.target == limit and 0 < multiple.value < 1000
        share = rows[f"  {what} throughput as a share of echo, SQLite"]
        assert share.target == ">= 50" and share.value > 0
    assert rows["Steps left unanswered, SQLite"].value == 0
    latency = rows["Bearings p95 latency, 50 ms API, 20 updates/s, SQLite"]
    assert latency.target == "<= 100" and 0 < latency.value < 60_000
