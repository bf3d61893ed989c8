"""Pictures drawn from plain numbers (Pillow): the keeping-your-bearings chart.

This module knows nothing of people, cases or the database. It is given ratings
and the fixed words to print beside them, and returns PNG bytes; nothing that
identifies a worker or a family can reach the picture, because nothing of the
sort is passed in.

Sized for a phone: 800 pixels wide, large type, high contrast, the previous
check drawn pale behind the current one. The picture is drawn at twice its
size and scaled down, which smooths the edges of the dots and the letters.

Pillow, not a plotting library: the picture is a few bars, dots and words.
matplotlib, used before, took about a sixth of a second a drawing and grew the
running bot by about 95 MiB once it had drawn a few (its font and text caches);
Pillow takes about a twentieth and a few MiB (with bot/heap.py keeping the big
image buffers out of the threads' heaps). Drawings take turns behind a lock, so
a font is never used by two threads at once.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from PIL import Image, ImageDraw, ImageFont

from bot.fonts import BOLD, REGULAR, font_file

WIDTH_PX = 800
LOW, HIGH = 1, 5

_NOW = "#1f5f8b"  # deep blue: this check
_LOOK = "#c8553d"  # warm red: worth a look
_BEFORE = (154, 165, 173)  # pale grey: last time (drawn see-through)
_TEXT = "#1b1b1b"
_MUTED = "#5b6670"
_TRACK = "#e3e8ec"
_TICK = "#b7c0c7"
_WHITE = "#ffffff"


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


_SCALE = 2
"""Drawn at twice the size, then scaled down (smooth edges)."""
_HEAD_PX = 160  # the title and the colour key
_ROW_PX = 150  # one pair or one slider
_FOOT_PX = 20
_UNIT_PX = 60.6  # one step of a rating, across
_BAR_PX = 105  # a row's bar sits this far below the row's top
_TRACK_END = 5.0  # the grey track runs this many steps either side of the middle


def bearings_png(pairs: Sequence[PairBars], sliders: Sequence[Slider], words: Words) -> bytes:
    """The picture of one check, as PNG bytes.

    Each pair is two bars pulling out from the middle line, so the longer side
    is where the pair leans; each slider is a dot on a 1–5 track. What the
    caller marks worth a look is red; the previous check, when given, is drawn
    pale and a little taller behind.
    """
    with DRAWING:
        return _draw(pairs, sliders, words)


DRAWING = threading.Lock()


class Canvas:
    """Drawing in the picture's own pixels (800 wide), at ``_SCALE`` times underneath."""

    def __init__(self, height: int) -> None:
        self.height = height
        self.image = Image.new("RGB", (WIDTH_PX * _SCALE, height * _SCALE), _WHITE)
        self.draw = ImageDraw.Draw(self.image, "RGBA")

    def text(
        self,
        x: float,
        y: float,
        words: str,
        size: int,
        *,
        bold: bool = False,
        colour: str = _TEXT,
        anchor: str = "mm",
    ) -> None:
        """Words placed by ``anchor`` (Pillow's: "mm" middle, "lt" left-top, "rt" right-top...)."""
        self.draw.text(
            (x * _SCALE, y * _SCALE),
            words,
            font=_font(size * _SCALE, bold),
            fill=colour,
            anchor=anchor,
        )

    def box(
        self, left: float, top: float, right: float, bottom: float, colour: str | tuple[int, ...]
    ) -> None:
        """A filled rectangle (its corners in any order)."""
        x0, x1 = sorted((left, right))
        y0, y1 = sorted((top, bottom))
        self.draw.rectangle((x0 * _SCALE, y0 * _SCALE, x1 * _SCALE, y1 * _SCALE), fill=colour)

    def dot(self, x: float, y: float, diameter: float, colour: str | tuple[int, ...]) -> None:
        """A filled circle centred on (x, y)."""
        r = diameter / 2
        self.draw.ellipse(
            ((x - r) * _SCALE, (y - r) * _SCALE, (x + r) * _SCALE, (y + r) * _SCALE), fill=colour
        )

    def png(self) -> bytes:
        """The picture at its real size, as PNG bytes."""
        small = self.image.reduce(_SCALE)
        buffer = io.BytesIO()
        small.save(buffer, format="PNG")
        return buffer.getvalue()


@cache
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_file(BOLD if bold else REGULAR)), size)


def _x(steps: float) -> float:
    """Across: ``steps`` rating steps right of the middle line (left when negative)."""
    return WIDTH_PX / 2 + steps * _UNIT_PX


def _draw(pairs: Sequence[PairBars], sliders: Sequence[Slider], words: Words) -> bytes:
    rows = len(pairs) + len(sliders)
    canvas = Canvas(_HEAD_PX + _ROW_PX * rows + _FOOT_PX)
    canvas.text(WIDTH_PX / 2, 50, words.title, 36, bold=True)
    has_before = any(p.before is not None for p in pairs) or any(
        s.before is not None for s in sliders
    )
    keys: list[tuple[str | tuple[int, ...], str]] = [(_NOW, words.key_now), (_LOOK, words.key_look)]
    if has_before:
        keys.append(((*_BEFORE, 153), words.key_before))
    for (colour, text), steps in zip(keys, (-5.6, -1.7, 2.2), strict=False):
        left = _x(steps) - 12
        canvas.box(left, 108, left + 25, 133, colour)
        canvas.text(_x(steps + 0.35), 120, text, 22, anchor="lm")

    top = _HEAD_PX
    for pair in pairs:
        _draw_pair(canvas, pair, top)
        top += _ROW_PX
    for slider in sliders:
        _draw_slider(canvas, slider, top)
        top += _ROW_PX
    return canvas.png()


def _headings(canvas: Canvas, top: float, heading: str, left: str, right: str) -> None:
    """A row's quadrant or balance name, then the words at each side."""
    canvas.text(WIDTH_PX / 2, top + 5, heading.upper(), 18, colour=_MUTED, anchor="mt")
    canvas.text(_x(-5.6), top + 30, left, 25, anchor="lt")
    canvas.text(_x(5.6), top + 30, right, 25, anchor="rt")


def _draw_pair(canvas: Canvas, pair: PairBars, top: float) -> None:
    _headings(canvas, top, pair.heading, pair.first, pair.second)
    y = top + _BAR_PX
    first, second = (_clamp(v) for v in pair.now)
    canvas.box(_x(-_TRACK_END), y - 6, _x(_TRACK_END), y + 6, _TRACK)
    if pair.before is not None:
        before_first, before_second = (_clamp(v) for v in pair.before)
        for steps in (-before_first, before_second):
            canvas.box(_x(0), y - 32, _x(steps), y + 32, (*_BEFORE, 128))
    for steps, worth_a_look in zip((-first, second), pair.look, strict=True):
        canvas.box(_x(0), y - 21, _x(steps), y + 21, _LOOK if worth_a_look else _NOW)
    canvas.box(_x(0) - 1.5, y - 32, _x(0) + 1.5, y + 32, _TEXT)
    for value, offset in ((first, -first - 0.35), (second, second + 0.35)):
        canvas.text(_x(offset), y, str(value), 25, bold=True)


def _draw_slider(canvas: Canvas, slider: Slider, top: float) -> None:
    _headings(canvas, top, slider.heading, slider.low_end, slider.high_end)
    y = top + _BAR_PX

    def x_of(value: int) -> float:
        return _x(-_TRACK_END + (_clamp(value) - LOW) * 2.5)

    canvas.box(x_of(LOW), y - 5.5, x_of(HIGH), y + 5.5, _TRACK)
    for end in (LOW, HIGH):
        canvas.dot(x_of(end), y, 11, _TRACK)
    for tick in range(LOW, HIGH + 1):
        canvas.dot(x_of(tick), y, 14, _TICK)
    if slider.before is not None:
        canvas.dot(x_of(slider.before), y, 47, (*_BEFORE, 153))
    canvas.dot(x_of(slider.now), y, 36, _LOOK if slider.look else _NOW)


def _clamp(value: int) -> int:
    return max(LOW, min(HIGH, int(value)))


@dataclass(frozen=True)
class TrendRow:
    """One pair or slider over time: its heading, the words for each way it can lean (up,
    down), where it sat at each check (0 balanced) and how far it can lean (4 or 2)."""

    heading: str
    up: str
    down: str
    values: tuple[int, ...]
    span: int


_TREND_ROW_PX = 130
_PLOT_LEFT, _PLOT_RIGHT = 300.0, 770.0


def trend_png(rows: Sequence[TrendRow], title: str, first_day: str, last_day: str) -> bytes:
    """A person's checks over time, as PNG bytes: a line per pair or slider, the latest point
    darker; above the middle line it leans one way, below it the other."""
    with DRAWING:
        canvas = Canvas(110 + _TREND_ROW_PX * len(rows) + 50)
        canvas.text(WIDTH_PX / 2, 45, title, 34, bold=True)
        top = 100.0
        for row in rows:
            _draw_trend_row(canvas, row, top)
            top += _TREND_ROW_PX
        canvas.text(_PLOT_LEFT, top + 15, first_day, 22, colour=_MUTED, anchor="lm")
        canvas.text(_PLOT_RIGHT, top + 15, last_day, 22, colour=_MUTED, anchor="rm")
        return canvas.png()


def _draw_trend_row(canvas: Canvas, row: TrendRow, top: float) -> None:
    middle, half = top + 70, 42.0
    canvas.text(20, top + 8, row.heading.upper(), 18, colour=_MUTED, anchor="lt")
    canvas.text(20, middle - half / 2, row.up, 20, anchor="lm")
    canvas.text(20, middle + half / 2, row.down, 20, anchor="lm")
    canvas.box(_PLOT_LEFT, middle - 1.5, _PLOT_RIGHT, middle + 1.5, _TRACK)
    count = len(row.values)
    step = (_PLOT_RIGHT - _PLOT_LEFT) / max(1, count - 1)
    points = [
        (_PLOT_LEFT + i * step, middle - max(-1.0, min(1.0, v / row.span)) * half)
        for i, v in enumerate(row.values)
    ]
    for (x0, y0), (x1, y1) in pairwise(points):
        canvas.draw.line(
            (x0 * _SCALE, y0 * _SCALE, x1 * _SCALE, y1 * _SCALE), fill=_NOW, width=4 * _SCALE
        )
    for index, (x, y) in enumerate(points):
        last = index == count - 1
        canvas.dot(x, y, 20 if last else 12, _NOW if last else _TICK)
