"""The battery's sizes (environment variables, CI defaults) and how each test reports.

Every size can be raised for a longer run, e.g.
``BEARINGS_BATTERY_LOAD_SECONDS=120 pytest tests/reliability -s``.
"""

from __future__ import annotations

import os


def size(name: str, default: int) -> int:
    """A whole-number size from ``BEARINGS_BATTERY_<NAME>``, else the CI default."""
    return int(os.environ.get(f"BEARINGS_BATTERY_{name}", default))


def figure(name: str, default: float) -> float:
    """A real-number setting from ``BEARINGS_BATTERY_<NAME>``, else the CI default."""
    return float(os.environ.get(f"BEARINGS_BATTERY_{name}", default))


def report(test: str, **counts: object) -> None:
    """Print a test's figures on one line (shown with ``pytest -s``)."""
    shown = ", ".join(f"{key.replace('_', ' ')}={value}" for key, value in counts.items())
    print(f"\n[battery] {test}: {shown}")
