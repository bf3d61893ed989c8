"""Pictures of a team's figures (Pillow): the caseload by stage, the team per worker, and a
report's one-page summary.

Like ``bot.charts`` this module is given numbers and the words to print, and returns PNG
bytes; it reads nothing. 800 pixels wide for a phone, large type, drawn at twice the size
and scaled down.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bot.charts import DRAWING, WIDTH_PX, Canvas

_TEXT, _MUTED, _GRID = "#1b1b1b", "#5b6670", "#e3e8ec"
PALETTE = ("#1f5f8b", "#4f9bc9", "#8cc3e3", "#e0a458", "#c8553d", "#6a994e", "#9c6fb6", "#7a7a7a")
"""One colour per stage or series, in order."""


@dataclass(frozen=True)
class StackedWeeks:
    """Bars over time, each split by series: ``values[i][j]`` is series ``j`` on day ``i``."""

    title: str
    days: tuple[str, ...]
    series: tuple[str, ...]
    values: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class Tile:
    """One headline figure of the summary: the figure, and what it is."""

    figure: str
    words: str


def caseload_png(chart: StackedWeeks) -> bytes:
    """The caseload by stage over time, as PNG bytes."""
    with DRAWING:
        canvas = Canvas(_stacked_height(chart) + 20)
        _draw_stacked(canvas, chart, 0)
        return canvas.png()


def summary_png(title: str, subtitle: str, tiles: Sequence[Tile], chart: StackedWeeks) -> bytes:
    """A report on one page: the title and period, the headline figures two by two, and the
    caseload by stage under them."""
    rows = (len(tiles) + 1) // 2
    top = 130 + rows * 130
    with DRAWING:
        canvas = Canvas(top + _stacked_height(chart) + 20)
        canvas.text(WIDTH_PX / 2, 45, title, 34, bold=True)
        canvas.text(WIDTH_PX / 2, 92, subtitle, 22, colour=_MUTED)
        for index, tile in enumerate(tiles):
            left = 30 + (index % 2) * 375
            y = 130 + (index // 2) * 130
            canvas.box(left, y, left + 365, y + 115, "#f1f5f8")
            canvas.text(left + 182, y + 45, tile.figure, 38, bold=True, colour=PALETTE[0])
            canvas.text(left + 182, y + 92, tile.words, 20, colour=_MUTED)
        _draw_stacked(canvas, chart, top)
        return canvas.png()


def team_png(title: str, legend: Sequence[str], rows: Sequence[tuple[str, Sequence[int]]]) -> bytes:
    """Per person, a group of horizontal bars (one per legend entry), with its number."""
    group = 26 * len(legend) + 30
    with DRAWING:
        canvas = Canvas(150 + group * max(1, len(rows)))
        canvas.text(WIDTH_PX / 2, 45, title, 32, bold=True)
        _legend(canvas, legend, 100, step=2)
        largest = max([1, *(v for _, values in rows for v in values)])
        left, right = 250.0, 730.0
        y = 150.0
        for name, values in rows:
            canvas.text(20, y + group / 2 - 15, name, 22, anchor="lm")
            for index, value in enumerate(values):
                bar_top = y + index * 26
                width = (right - left) * value / largest
                canvas.box(left, bar_top, left + max(width, 2), bar_top + 20, PALETTE[index * 2])
                canvas.text(left + width + 8, bar_top + 10, str(value), 18, anchor="lm")
            y += group
        return canvas.png()


_PLOT_TOP, _PLOT_PX = 80, 300


def _stacked_height(chart: StackedWeeks) -> int:
    return _PLOT_TOP + _PLOT_PX + 60 + 34 * ((len(chart.series) + 2) // 3)


def _draw_stacked(canvas: Canvas, chart: StackedWeeks, top: float) -> None:
    canvas.text(WIDTH_PX / 2, top + 35, chart.title, 26, bold=True)
    base = top + _PLOT_TOP + _PLOT_PX
    totals = [sum(row) for row in chart.values]
    tick = max(1, math.ceil(max([1, *totals]) / 4))
    largest = tick * 4  # the axis runs to four whole steps
    left, right = 70.0, 780.0
    for step in range(5):
        y = base - _PLOT_PX * step / 4
        canvas.box(left, y - 0.5, right, y + 0.5, _GRID)
        canvas.text(left - 10, y, str(tick * step), 16, colour=_MUTED, anchor="rm")
    slot = (right - left) / max(1, len(chart.days))
    for index, (day, row) in enumerate(zip(chart.days, chart.values, strict=True)):
        x = left + slot * index + slot * 0.15
        y = base
        for series, value in enumerate(row):
            height = _PLOT_PX * value / largest
            if value:
                canvas.box(x, y - height, x + slot * 0.7, y, PALETTE[series % len(PALETTE)])
            y -= height
        canvas.text(x + slot * 0.35, y - 14, str(totals[index]), 16, bold=True)
        canvas.text(x + slot * 0.35, base + 18, day, 16, colour=_MUTED)
    _legend(canvas, chart.series, base + 50, step=1)


def _legend(canvas: Canvas, names: Sequence[str], top: float, *, step: int) -> None:
    for index, name in enumerate(names):
        x = 30 + (index % 3) * 255
        y = top + (index // 3) * 34
        canvas.box(x, y, x + 20, y + 20, PALETTE[(index * step) % len(PALETTE)])
        canvas.text(x + 28, y + 10, name, 18, colour=_TEXT, anchor="lm")
