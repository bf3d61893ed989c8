"""Readable PDF documents from simple HTML (fpdf2): the layout of exports, and nothing else.

The HTML comes from a template in prompts/ (headings, paragraphs, bold, lists),
rendered with autoescaping, so whatever a person typed (``<b>``, ``&``) reaches
the page as typed and cannot change the layout. The words are embedded in
DejaVu Sans (bot/fonts.py), because the PDF core fonts are
Latin-1 only and people type accents, emoji and right-to-left text. Arabic and
Hebrew are laid out right to left (fpdf2's bidirectional algorithm), with
letters in their separate forms: joining them would need a text-shaping
library, and fpdf2's shaping misorders right-to-left words inside an English
line, which is worse.

A character the font has no drawing for (some emoji, CJK) becomes ``□`` and
the document ends with the notice it is given, instead of failing or silently
dropping it; invisible joiners and variation selectors are just dropped. This
is done before fpdf2 sees the text, because fpdf2 logs missing characters,
and nothing a person typed may reach the logs.

The document is built in memory: no temporary file ever holds it.
"""

from __future__ import annotations

import html
import unicodedata
from datetime import datetime
from functools import cache

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # fpdf2 reads fonts with it
from fpdf import FPDF
from fpdf.fonts import TextStyle

from bot.fonts import BOLD, REGULAR, font_file

FAMILY = "DejaVu"
FONT_FILES = {"": REGULAR, "B": BOLD}
"""Regular and bold only: the templates use no italics (DejaVu's oblique has no Arabic)."""
MISSING = "□"
"""Stands in for a character the font cannot draw."""

_HEADING = "#1f5f8b"  # the deep blue of the bearings chart
_MUTED = "#5b6670"
_TAG_STYLES = {
    "h1": TextStyle(
        font_family=FAMILY, font_style="B", font_size_pt=18, color=_HEADING, t_margin=0, b_margin=2
    ),
    "h2": TextStyle(
        font_family=FAMILY, font_style="B", font_size_pt=14, color=_HEADING, t_margin=6, b_margin=1
    ),
    "h3": TextStyle(
        font_family=FAMILY,
        font_style="B",
        font_size_pt=11.5,
        color=_HEADING,
        t_margin=4,
        b_margin=0.5,
    ),
    "blockquote": TextStyle(color=_MUTED, t_margin=1, l_margin=6, b_margin=1),
}


def document(html_body: str, *, title: str, footer: str, created: datetime, notice: str) -> bytes:
    """A PDF of ``html_body``: ``footer`` on every page (``{page}`` becomes the page number,
    ``{nb}`` the number of pages), ``notice`` at the end if a character had to be replaced."""
    body, replaced = showable(html_body)
    pdf = _Document(showable(html.unescape(footer))[0])
    for style, file in FONT_FILES.items():
        pdf.add_font(FAMILY, style, str(font_file(file)))
    pdf.set_title(showable(title)[0])
    pdf.set_creator("Bearings")
    pdf.set_creation_date(created)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_font(FAMILY, size=10.5)
    pdf.add_page()
    pdf.write_html(body + (notice if replaced else ""), font_family=FAMILY, tag_styles=_TAG_STYLES)
    return bytes(pdf.output())


def showable(text: str) -> tuple[str, bool]:
    """``text`` with every character the font lacks replaced (or, if invisible, dropped), and
    whether anything was replaced."""
    drawn = _drawable()
    out: list[str] = []
    replaced = False
    for character in unicodedata.normalize("NFC", text):
        if ord(character) in drawn or character in "\n\t":
            out.append(character)
        elif unicodedata.category(character) not in ("Cf", "Mn", "Me", "Sk"):
            out.append(MISSING)
            replaced = True
    return "".join(out), replaced


@cache
def _drawable() -> frozenset[int]:
    """The code points every style of the font can draw."""
    covered: set[int] | None = None
    for file in FONT_FILES.values():
        with TTFont(font_file(file), lazy=True) as font:
            points = set(font.getBestCmap())
        covered = points if covered is None else covered & points
    return frozenset(covered or ())


class _Document(FPDF):
    """An A4 page with the footer line at the bottom."""

    def __init__(self, footer: str) -> None:
        super().__init__(format="A4")
        self._footer = footer

    def footer(self) -> None:
        """The footer line (private marking and page numbers), small and grey."""
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(_MUTED)
        self.cell(0, 5, self._footer.replace("{page}", str(self.page_no())), align="C")
