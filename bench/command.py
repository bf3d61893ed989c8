"""The command line every benchmark shares: ``--smoke`` and ``--database``, then its own."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from bench.report import Report

DATABASES = ("sqlite", "postgres", "both")


def arguments(name: str, description: str | None) -> argparse.ArgumentParser:
    """The parser for ``python -m bench.<name>``, with the two shared options."""
    parser = argparse.ArgumentParser(prog=f"python -m bench.{name}", description=description)
    parser.add_argument("--smoke", action="store_true", help="a tiny run, for the test suite")
    parser.add_argument("--database", choices=DATABASES, default="both")
    return parser


def run(
    measure: Callable[[argparse.Namespace], Coroutine[Any, Any, Report]], args: argparse.Namespace
) -> Report:
    """Measure, then print the table and write the JSON."""
    report = asyncio.run(measure(args))
    report.finish()
    return report
