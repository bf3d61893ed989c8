"""A tiny run of the planning benchmark (bench/planning.py): it seeds, ticks and reports.

Only the shape and sanity of the figures are checked, never the targets: the
machine running the tests is shared and noisy (the real run is ``make bench``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import planning


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_planning_smoke_run_reports_each_scale_and_draws_the_curve(
    backend: str, tmp_path: Path
) -> None:
    picture = tmp_path / "curve.png"
    report = planning.main(["--smoke", "--database", backend, "--plot", str(picture)])
    rows = {row.measure: row for row in report.rows}
    for cases in planning.SMOKE_SCALES:
        where = f"{backend}, {cases:,} cases"
        nothing = rows[f"tick, nothing due ({where})"]
        assert 0 < nothing.value < 60_000 and nothing.unit == "ms"
        tenth = next(row for m, row in rows.items() if m.startswith("tick, 10% due") and where in m)
        # A tenth of the visits and of the actions fell due, and the tick owed each of them.
        assert f"{cases // 10 + cases // 20:,} owed" in tenth.measure
        assert 0 < tenth.value < 600
    growth = next(row for m, row in rows.items() if m.startswith("same 1,000 due"))
    assert growth.unit == "×" and growth.value > 0
    assert picture.read_bytes().startswith(b"\x89PNG")
