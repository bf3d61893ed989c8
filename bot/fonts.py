"""Where the DejaVu Sans font files are: the one typeface of the pictures and the PDFs.

matplotlib ships DejaVu Sans (regular and bold) in its package data, so the files
are found through the installed package without importing it: importing
matplotlib costs tens of MiB and a fifth of a second the running bot never
needs for this.
"""

from __future__ import annotations

from functools import cache
from importlib.util import find_spec
from pathlib import Path

REGULAR = "DejaVuSans.ttf"
BOLD = "DejaVuSans-Bold.ttf"


@cache
def font_dir() -> Path:
    """The folder holding the DejaVu files (matplotlib's ``mpl-data/fonts/ttf``)."""
    spec = find_spec("matplotlib")
    if spec is None or spec.origin is None:
        raise RuntimeError("matplotlib, which ships the DejaVu fonts, is not installed")
    return Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"


def font_file(name: str) -> Path:
    """The path of one of the font files above."""
    return font_dir() / name
