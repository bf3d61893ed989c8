"""A tiny run of the memory benchmark (bench/memory.py): ``bearings run`` really starts, every
person gets their first question, and the memory figures are read from the bot's process.

Only the shape and sanity of the figures are checked, never the targets.
"""

from __future__ import annotations

from bench import memory


def test_memory_smoke_run_reads_the_bots_resident_memory() -> None:
    report = memory.main(["--smoke", "--database", "sqlite"])
    rows = {row.measure: row for row in report.rows}
    idle = rows["Resident memory idle, SQLite"].value
    busy = rows["Resident memory with 30 open flows, SQLite"].value
    peak = rows["Peak resident memory, SQLite"].value
    assert 20 < idle < 1000 and 20 < busy < 1000
    assert peak >= busy
    assert rows["Growth over idle, SQLite"].value == busy - idle
    assert rows["People left without their question, SQLite"].value == 0
