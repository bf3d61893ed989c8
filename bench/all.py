"""Every benchmark of issue 8, one after another, and one summary table.

Each benchmark runs in its own process (``python -m bench.<name>``, so one
cannot warm or slow the next through shared state), writes its JSON to a
folder of this run, and the summary reads those files back: benchmark,
measure, value, target, and ok or MISSED. A benchmark that fails to run, or
whose module does not exist, is an ERROR row in the summary, never skipped.
The summary goes to ``bench/results/all.json`` as well.

    python -m bench.all [--smoke | --quick] [--only planning,delivery] [-- extra arguments]

``--quick`` runs each benchmark smaller (``QUICK``: one run, fewer people, cases
and notes; about ten minutes in all on the 2-core reference machine, against
most of an hour for the full sizes): the side-by-side ratios of issue 24
(``bench.ratio``) keep their meaning, the absolute figures are rougher.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.report import RESULTS, machine
from bench.report import _figure as figure  # the same number format as each table

BENCHMARKS = ("ratio", "chat", "planning", "delivery", "memory", "startup", "rotation")
QUICK = {
    "ratio": ["--runs", "1"],
    "chat": ["--workers", "50", "--open-flows", "300", "--runs", "1"],
    "planning": ["--scales", "10000,100000", "--runs", "1"],
    "delivery": ["--factors", "10"],
    "memory": ["--people", "2000"],
    "startup": ["--runs", "3"],
    "rotation": ["--notes", "20000"],
}
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class SummaryRow:
    """One line of the summary: a benchmark's measure, or why the benchmark gave none."""

    benchmark: str
    measure: str
    value: float | None
    unit: str
    target: str
    verdict: str  # "ok", "MISSED", "" (no target) or "ERROR"


def run_one(
    name: str, smoke: bool, extra: list[str], folder: Path, *, quick: bool = False
) -> list[SummaryRow]:
    """Run ``python -m bench.<name>`` in its own process; its rows, or an ERROR row."""
    if not (ROOT / "bench" / f"{name}.py").exists():
        return [SummaryRow(name, f"bench/{name}.py does not exist", None, "", "", "ERROR")]
    sizes = QUICK.get(name, []) if quick and not smoke else []
    command = [
        sys.executable,
        "-m",
        f"bench.{name}",
        *(["--smoke"] if smoke else []),
        *sizes,
        *extra,
    ]
    print(f"--- {' '.join(command[1:])}", flush=True)
    started = time.monotonic()
    finished = subprocess.run(command, cwd=ROOT, check=False)
    seconds = time.monotonic() - started
    written = RESULTS / f"{name}.json"
    if finished.returncode != 0:
        return [SummaryRow(name, f"exit code {finished.returncode}", None, "", "", "ERROR")]
    if not written.exists() or written.stat().st_mtime < time.time() - seconds - 1:
        return [SummaryRow(name, "wrote no results", None, "", "", "ERROR")]
    data = json.loads(written.read_text())
    (folder / written.name).write_text(written.read_text())
    return [
        SummaryRow(
            name,
            row["measure"],
            row["value"],
            row["unit"],
            row["target"],
            {True: "ok", False: "MISSED", None: ""}[row["met"]],
        )
        for row in data["rows"]
    ]


def summary_table(rows: list[SummaryRow]) -> str:
    """The one table: benchmark, measure, value, unit, target, verdict."""
    header = ("benchmark", "measure", "value", "unit", "target", "")
    lines = [
        (
            r.benchmark,
            r.measure,
            "" if r.value is None else figure(r.value),
            r.unit,
            r.target,
            r.verdict,
        )
        for r in rows
    ]
    widths = [
        max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=False)
    ]
    out = [
        "== all benchmarks ==",
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
    ]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    return "\n".join(out)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.all", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a tiny run of each")
    parser.add_argument("--quick", action="store_true", help="each smaller (see QUICK)")
    parser.add_argument("--only", help="benchmarks to run, comma-separated (default: all)")
    parser.add_argument("extra", nargs="*", help="arguments passed on to every benchmark")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks, print the summary, write ``all.json``; 1 when one could not run."""
    args = parse(argv)
    names = tuple(args.only.split(",")) if args.only else BENCHMARKS
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(unknown)}; known: {BENCHMARKS}")
    rows: list[SummaryRow] = []
    with tempfile.TemporaryDirectory(prefix="bearings-bench-") as folder:
        for name in names:
            rows += run_one(name, args.smoke, args.extra, Path(folder), quick=args.quick)
    print(summary_table(rows))
    result: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "smoke": args.smoke,
        "quick": args.quick,
        "benchmarks": list(names),
        "rows": [row.__dict__ for row in rows],
        "all_met": all(row.verdict in ("ok", "") for row in rows),
        "errors": [row.benchmark for row in rows if row.verdict == "ERROR"],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "all.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"written: {RESULTS / 'all.json'}")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
