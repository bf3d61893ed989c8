"""Telegram's limits on what the bot sends, kept in one place.

Telegram counts a message's length in UTF-16 code units of the text *after* its HTML has
been parsed (tags do not count, ``&amp;`` counts as one), and refuses a message over 4,096
or a caption over 1,024 with 400 Bad Request. ``split_html`` cuts an HTML text into parts
that each fit: between paragraphs if it can, else between lines, else between words, never
inside a tag or an entity; a tag left open at a cut is closed there and opened again at the
start of the next part, so every part is well-formed HTML on its own.

Keyboards: at most 8 buttons a row and 100 in all (more is refused, or silently lost on
some clients), callback data of 1–64 bytes (bot/domain/buttons.py guarantees that).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
BUTTONS_PER_ROW = 8
BUTTONS_PER_MESSAGE = 100

_TOKEN = re.compile(r"<[^>]*>|&[#a-zA-Z0-9]+;|[^<&]+|[<&]")
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)")


def utf16_len(text: str) -> int:
    """The length of plain text in UTF-16 code units, as Telegram counts it."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def visible_len(html: str) -> int:
    """The length Telegram counts for an HTML text: its text without tags, entities decoded."""
    return sum(piece.size for piece in _pieces(html))


def split_html(html: str, limit: int = TEXT_LIMIT) -> list[str]:
    """``html`` in parts of at most ``limit`` (as Telegram counts), each well-formed."""
    if visible_len(html) <= limit:
        return [html]
    parts: list[str] = []
    current: list[_Piece] = []
    size = 0
    opened: list[_Piece] = []  # the tags open where the current part begins
    for unit in _units(_pieces(html), limit):
        unit_size = sum(piece.size for piece in unit)
        if current and size + unit_size > limit:
            text, opened = _close(opened, current)
            parts.append(text)
            current, size = [], 0
            unit = _lstrip(unit)
            unit_size = sum(piece.size for piece in unit)
        current.extend(unit)
        size += unit_size
    if current:
        parts.append(_close(opened, current)[0])
    return [part for part in parts if _has_text(part)]


@dataclass(frozen=True)
class _Piece:
    """A tag, an entity or a run of text, and how much of Telegram's count it takes."""

    raw: str
    size: int
    tag: str | None = None  # the tag's name, for a tag
    closing: bool = False


def _pieces(html: str) -> list[_Piece]:
    pieces = []
    for raw in _TOKEN.findall(html):
        tag = _TAG.match(raw) if raw.startswith("<") and raw.endswith(">") else None
        if tag is not None:
            pieces.append(_Piece(raw, 0, tag.group(2).lower(), bool(tag.group(1))))
        else:
            pieces.append(_Piece(raw, utf16_len(unescape(raw))))
    return pieces


def _units(pieces: list[_Piece], limit: int) -> list[list[_Piece]]:
    """Runs of pieces that should stay together: paragraphs, or lines, or words if need be.

    Each unit ends just after its break (a blank line, a newline, a space), so the units
    joined again are the text as it was.
    """
    units: list[list[_Piece]] = []
    for paragraph in _cut_after(pieces, "\n\n"):
        if _size(paragraph) <= limit:
            units.append(paragraph)
            continue
        for line in _cut_after(paragraph, "\n"):
            if _size(line) <= limit:
                units.append(line)
                continue
            for word in _cut_after(line, " "):
                units.extend(_hard_cut(word, limit) if _size(word) > limit else [word])
    return units


def _cut_after(pieces: list[_Piece], separator: str) -> list[list[_Piece]]:
    """Cut a run of pieces just after each ``separator`` in its text (never in a tag)."""
    runs: list[list[_Piece]] = [[]]
    for piece in pieces:
        if piece.tag is not None or separator not in piece.raw or piece.raw.startswith("&"):
            runs[-1].append(piece)
            continue
        chunks = piece.raw.split(separator)
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            text = chunk if last else chunk + separator
            if text:
                runs[-1].append(_Piece(text, utf16_len(unescape(text))))
            if not last:
                runs.append([])
    return [run for run in runs if run]


def _hard_cut(pieces: list[_Piece], limit: int) -> list[list[_Piece]]:
    """A word longer than a whole message: cut between characters (not inside an entity)."""
    units: list[list[_Piece]] = [[]]
    size = 0
    for piece in pieces:
        characters = [piece] if piece.tag is not None or piece.raw.startswith("&") else None
        for part in characters or [_Piece(c, utf16_len(c)) for c in piece.raw]:
            if size + part.size > limit and units[-1]:
                units.append([])
                size = 0
            units[-1].append(part)
            size += part.size
    return units


def _close(opened: list[_Piece], pieces: list[_Piece]) -> tuple[str, list[_Piece]]:
    """The part's HTML, with the tags open at its start opened again and those still open at
    its end closed; and the tags still open, for the next part."""
    stack = list(opened)
    for piece in pieces:
        if piece.tag is None:
            continue
        if piece.closing:
            for index in range(len(stack) - 1, -1, -1):
                if stack[index].tag == piece.tag:
                    del stack[index]
                    break
        elif not piece.raw.rstrip(">").endswith("/"):
            stack.append(piece)
    html = "".join(p.raw for p in opened) + "".join(p.raw for p in pieces)
    html += "".join(f"</{p.tag}>" for p in reversed(stack))
    return html, stack


def _lstrip(pieces: list[_Piece]) -> list[_Piece]:
    """Drop the whitespace a part would start with (Telegram trims it anyway)."""
    out = list(pieces)
    while out and out[0].tag is None and not out[0].raw.strip():
        out.pop(0)
    return out


def _size(pieces: list[_Piece]) -> int:
    return sum(piece.size for piece in pieces)


def _has_text(html: str) -> bool:
    return any(piece.tag is None and piece.raw.strip() for piece in _pieces(html))
