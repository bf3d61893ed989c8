"""The keeping-your-bearings picture (bot/charts.py): a phone-sized PNG from plain numbers."""

from __future__ import annotations

import struct

from bot.charts import PairBars, Slider, Words, bearings_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WORDS = Words(title="Keeping your bearings", key_now="Now", key_look="Look", key_before="Before")


def _size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's header chunk."""
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _pairs(before: bool) -> list[PairBars]:
    return [
        PairBars(
            "Team", "One-to-one", "Connected", (5, 2), (4, 2) if before else None, (False, True)
        ),
        PairBars("Family", "Their people", "Risk", (3, 3), (3, 4) if before else None),
        PairBars("Network", "Whole of life", "Joining up", (4, 1), (2, 4) if before else None),
        PairBars("Learning", "Local", "Evidence", (2, 2), (3, 3) if before else None),
    ]


def _sliders(before: bool) -> list[Slider]:
    return [
        Slider("Lead or steer", "Their lead", "A clear steer", 5, 4 if before else None, True),
        Slider("Your time", "Face to face", "Networking", 3, 1 if before else None),
    ]


def test_the_picture_is_a_phone_sized_png() -> None:
    png = bearings_png(_pairs(before=False), _sliders(before=False), WORDS)
    assert png.startswith(PNG_SIGNATURE)
    width, height = _size(png)
    assert width == 800 and 800 <= height <= 1400
    assert 10_000 < len(png) < 400_000


def test_the_previous_check_is_drawn_behind_and_changes_the_picture() -> None:
    first = bearings_png(_pairs(before=False), _sliders(before=False), WORDS)
    second = bearings_png(_pairs(before=True), _sliders(before=True), WORDS)
    assert second.startswith(PNG_SIGNATURE) and _size(second) == _size(first)
    assert second != first


def test_drawing_is_repeatable_and_independent_of_earlier_drawings() -> None:
    one = bearings_png(_pairs(before=True), _sliders(before=True), WORDS)
    bearings_png(_pairs(before=False), _sliders(before=False), WORDS)
    again = bearings_png(_pairs(before=True), _sliders(before=True), WORDS)
    assert one == again


def test_out_of_range_numbers_are_held_to_the_scale() -> None:
    wild = [PairBars("Team", "A", "B", (9, -3))]
    held = [PairBars("Team", "A", "B", (5, 1))]
    assert bearings_png(wild, [], WORDS) == bearings_png(held, [], WORDS)


def test_what_is_worth_a_look_is_drawn_differently() -> None:
    plain = bearings_png([PairBars("Team", "A", "B", (4, 2))], [], WORDS)
    marked = bearings_png([PairBars("Team", "A", "B", (4, 2), look=(False, True))], [], WORDS)
    assert plain != marked


def test_the_trend_picture_is_a_png_a_row_taller_per_line() -> None:
    import io

    from PIL import Image

    from bot.charts import TrendRow, trend_png

    row = TrendRow("Your team", "One-to-one trust", "Connected", (0, 1, 2, -4, 4), 4)
    one = Image.open(io.BytesIO(trend_png([row], "Over time", "1 Dec", "8 Dec")))
    two = Image.open(io.BytesIO(trend_png([row, row], "Over time", "1 Dec", "8 Dec")))
    assert one.format == "PNG" and one.width == 800
    assert two.height - one.height == 130
