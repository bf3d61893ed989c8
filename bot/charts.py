"""Pictures drawn from plain numbers (matplotlib, Agg): the keeping-your-bearings chart.

This module knows nothing of people, cases or the database. It is given ratings
and the fixed words to print beside them, and returns PNG bytes; nothing that
identifies a worker or a family can reach the picture, because nothing of the
sort is passed in. It uses matplotlib's object-oriented API with the Agg canvas
directly (no pyplot), so there is no global figure state; matplotlib does not
promise to be thread-safe, so drawings (which run off the event loop, in a
thread) take turns behind a lock. One takes about a sixth of a second.

Sized for a phone: 800 pixels wide, large type, high contrast, the previous
check drawn pale behind the current one.

matplotlib (with numpy) is imported on the first drawing, not with this module:
it costs about 40 MiB of memory and a large share of start-up (after a crash,
every second of start-up is a second in which nobody is answered), and most
runs of the bot never draw (bench/memory.py and bench/startup.py measure both).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH_PX = 800
DPI = 100
LOW, HIGH = 1, 5

_NOW = "#1f5f8b"  # deep blue: this check
_LOOK = "#c8553d"  # warm red: worth a look
_BEFORE = "#9aa5ad"  # pale grey: last time
_TEXT = "#1b1b1b"
_MUTED = "#5b6670"
_TRACK = "#e3e8ec"
_TICK = "#b7c0c7"


@dataclass(frozen=True)
class PairBars:
    """One pair: a heading, the two elements' names, their ratings now (and before), and
    which of the two is worth a look (drawn red; the reading decides, not the picture)."""

    heading: str
    first: str
    second: str
    now: tuple[int, int]
    before: tuple[int, int] | None = None
    look: tuple[bool, bool] = (False, False)


@dataclass(frozen=True)
class Slider:
    """One balance: a heading, the words at each end, the position now (and before), and
    whether it is worth a look (drawn red)."""

    heading: str
    low_end: str
    high_end: str
    now: int
    before: int | None = None
    look: bool = False


@dataclass(frozen=True)
class Words:
    """The fixed words printed on the picture: its title and the colour key."""

    title: str
    key_now: str
    key_look: str
    key_before: str


_ROW = 1.5  # height of one pair or slider, in data units
_HEAD = 1.6  # height of the title and key
_BAR_Y = -1.05  # a row's bar sits this far below the row's top line
_BAR, _BEFORE_BAR = 0.42, 0.64


def bearings_png(pairs: Sequence[PairBars], sliders: Sequence[Slider], words: Words) -> bytes:
    """The picture of one check, as PNG bytes.

    Each pair is two bars pulling out from the middle line, so the longer side
    is where the pair leans; each slider is a dot on a 1–5 track. What the
    caller marks worth a look is red; the previous check, when given, is drawn
    pale and a little taller behind.
    """
    with _DRAWING:
        return _draw(pairs, sliders, words)


_DRAWING = threading.Lock()


def _draw(pairs: Sequence[PairBars], sliders: Sequence[Slider], words: Words) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = len(pairs) + len(sliders)
    top = _HEAD + _ROW * rows + 0.2
    figure = Figure(figsize=(WIDTH_PX / DPI, top), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.03, 0.0, 0.94, 1.0))
    axes.set_xlim(-6.2, 6.2)
    axes.set_ylim(0, top)
    axes.axis("off")

    axes.text(0, top - 0.5, words.title, ha="center", va="center", fontsize=26, weight="bold")
    has_before = any(p.before is not None for p in pairs) or any(
        s.before is not None for s in sliders
    )
    keys = [(_NOW, 1.0, words.key_now), (_LOOK, 1.0, words.key_look)]
    if has_before:
        keys.append((_BEFORE, 0.6, words.key_before))
    for (colour, alpha, text), x in zip(keys, (-5.6, -1.7, 2.2), strict=False):
        axes.plot([x], [top - 1.2], "s", color=colour, alpha=alpha, markersize=18)
        axes.text(x + 0.35, top - 1.2, text, ha="left", va="center", fontsize=16, color=_TEXT)

    y = top - _HEAD
    for pair in pairs:
        _draw_pair(axes, pair, y)
        y -= _ROW
    for slider in sliders:
        _draw_slider(axes, slider, y)
        y -= _ROW

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def _headings(axes: Axes, y: float, heading: str, left: str, right: str) -> None:
    """A row's quadrant or balance name, then the words at each side."""
    axes.text(0, y - 0.05, heading.upper(), ha="center", va="top", fontsize=13, color=_MUTED)
    axes.text(-5.6, y - 0.3, left, ha="left", va="top", fontsize=18, color=_TEXT)
    axes.text(5.6, y - 0.3, right, ha="right", va="top", fontsize=18, color=_TEXT)


def _draw_pair(axes: Axes, pair: PairBars, y: float) -> None:
    _headings(axes, y, pair.heading, pair.first, pair.second)
    bar_y = y + _BAR_Y
    first, second = (_clamp(v) for v in pair.now)
    axes.barh([bar_y], [-2 * HIGH], left=HIGH, height=0.12, color=_TRACK, zorder=1)
    if pair.before is not None:
        before_first, before_second = (_clamp(v) for v in pair.before)
        for length in (-before_first, before_second):
            axes.barh(
                [bar_y], [length], left=0, height=_BEFORE_BAR, color=_BEFORE, alpha=0.5, zorder=2
            )
    for length, worth_a_look in zip((-first, second), pair.look, strict=True):
        colour = _LOOK if worth_a_look else _NOW
        axes.barh([bar_y], [length], left=0, height=_BAR, color=colour, zorder=3)
    axes.plot([0, 0], [bar_y - 0.32, bar_y + 0.32], color=_TEXT, linewidth=2.5, zorder=4)
    for value, x in ((first, -first - 0.35), (second, second + 0.35)):
        axes.text(
            x, bar_y, str(value), ha="center", va="center", fontsize=18, weight="bold", zorder=5
        )


def _draw_slider(axes: Axes, slider: Slider, y: float) -> None:
    _headings(axes, y, slider.heading, slider.low_end, slider.high_end)
    bar_y = y + _BAR_Y

    def x_of(value: int) -> float:
        return -5.0 + (_clamp(value) - LOW) * 2.5

    axes.plot([x_of(LOW), x_of(HIGH)], [bar_y, bar_y], color=_TRACK, linewidth=8, zorder=1)
    for tick in range(LOW, HIGH + 1):
        axes.plot([x_of(tick)], [bar_y], "o", color=_TICK, markersize=10, zorder=2)
    if slider.before is not None:
        axes.plot(
            [x_of(slider.before)],
            [bar_y],
            "o",
            color=_BEFORE,
            alpha=0.6,
            markersize=34,
            zorder=3,
        )
    colour = _LOOK if slider.look else _NOW
    axes.plot([x_of(slider.now)], [bar_y], "o", color=colour, markersize=26, zorder=4)


def _clamp(value: int) -> int:
    return max(LOW, min(HIGH, int(value)))
