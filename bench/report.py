"""What every benchmark shares: medians and percentiles, a printed table, a JSON file.

A benchmark builds a ``Report`` (its name, the machine, the parameters it ran
with), adds one ``Row`` per measurement (the figure, its unit, the target and
whether it was met) and calls ``finish``: the table goes to standard output and
the same content to ``bench/results/<name>.json`` (or the path given).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def median(values: Sequence[float]) -> float:
    """The median of several runs (the machine is shared and noisy; never quote one run)."""
    return float(statistics.median(values)) if values else float("nan")


def percentile(values: Sequence[float], share: float) -> float:
    """The value below which ``share`` (0..1) of the sorted values lie (nearest rank)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return float(ordered[rank])


def machine() -> dict[str, Any]:
    """Where the figures came from."""
    return {
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "processor": platform.machine(),
        "cores": os.cpu_count(),
    }


@dataclass
class Row:
    """One measured figure, with its target when there is one.

    ``met`` is None when the row has no target (a baseline, a ratio for information).
    """

    measure: str
    value: float
    unit: str
    target: str = ""
    met: bool | None = None
    detail: str = ""


@dataclass
class Report:
    name: str
    parameters: dict[str, Any] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def add(
        self,
        measure: str,
        value: float,
        unit: str,
        *,
        target: str = "",
        met: bool | None = None,
        detail: str = "",
    ) -> Row:
        row = Row(measure, value, unit, target, met, detail)
        self.rows.append(row)
        return row

    @property
    def all_met(self) -> bool:
        return all(row.met is not False for row in self.rows)

    def as_dict(self) -> dict[str, Any]:
        return {
            "benchmark": self.name,
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "parameters": self.parameters,
            "rows": [asdict(row) for row in self.rows],
            "all_met": self.all_met,
            **self.extra,
        }

    def table(self) -> str:
        return format_table(self.name, self.rows)

    def finish(self, path: Path | None = None) -> Path:
        """Print the table and write the JSON; return where it went."""
        print(self.table())
        target = path or RESULTS / f"{self.name}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(self.as_dict(), indent=2) + "\n")
        print(f"written: {target}")
        return target


def _figure(value: float) -> str:
    if value != value:  # NaN
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def format_table(title: str, rows: Sequence[Row]) -> str:
    """A plain-text table: measure, value, unit, target, verdict."""
    header = ("measure", "value", "unit", "target", "")
    lines = [
        (
            row.measure,
            _figure(row.value),
            row.unit,
            row.target,
            {True: "ok", False: "MISSED", None: ""}[row.met],
        )
        for row in rows
    ]
    widths = [
        max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=False)
    ]
    out = [f"== {title} ==", "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    for line in lines:
        out.append("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)))
    return "\n".join(out)
