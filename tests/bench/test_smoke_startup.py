"""A tiny run of the start-up benchmark (bench/startup.py): ``bearings run`` reaches its first
getUpdates call and the time is reported.

Only the shape and sanity of the figure are checked, never the target.
"""

from __future__ import annotations

from bench import startup


def test_startup_smoke_run_times_bearings_run_to_its_first_poll() -> None:
    report = startup.main(["--smoke", "--database", "sqlite"])
    run, imports = report.rows
    assert run.measure == "bearings run to first getUpdates, SQLite"
    assert run.unit == "s" and 0 < run.value < 60
    assert imports.unit == "s" and 0 < imports.value < 60
