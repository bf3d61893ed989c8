"""``python -m bench.all``: every benchmark in its own process, one summary table, all.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import all as bench_all
from bench.report import RESULTS


def test_a_missing_benchmark_module_is_an_error_in_the_summary(tmp_path: Path) -> None:
    rows = bench_all.run_one("not_written_yet", smoke=True, extra=[], folder=tmp_path)
    assert [(row.benchmark, row.verdict) for row in rows] == [("not_written_yet", "ERROR")]
    assert "does not exist" in rows[0].measure


def test_the_summary_runs_each_benchmark_in_its_own_process_and_writes_all_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = bench_all.main(
        ["--smoke", "--only", "delivery", "--", "--database", "sqlite", "--factors", "50"]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "== all benchmarks ==" in printed
    summary = json.loads((RESULTS / "all.json").read_text())
    assert summary["benchmarks"] == ["delivery"] and summary["errors"] == []
    measures = [row["measure"] for row in summary["rows"] if row["benchmark"] == "delivery"]
    assert "delivered (sqlite, limits ×50)" in measures
    assert all(row["verdict"] in ("ok", "MISSED", "") for row in summary["rows"])


def test_an_unknown_benchmark_name_is_refused() -> None:
    with pytest.raises(SystemExit, match="unknown benchmark"):
        bench_all.main(["--only", "nonsense"])
