"""Telegram's length limits: long HTML cut into parts Telegram accepts (bot/telegram/limits.py)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.buttons import Offer, ShowCase
from bot.sandbox.emulator.html_text import parse_html
from bot.sandbox.emulator.html_text import utf16_len as telegram_len
from bot.sandbox.emulator.text_rules import caption_text, check_reply_markup, message_text
from bot.telegram.limits import split_html, visible_len
from bot.telegram.replies import Replies, inline_keyboard

WORDS = st.sampled_from(
    ["FAM-0142", "visit", "overdue", "Alex", "😀", "שלום", "مرحبا", "&amp;", "&lt;b&gt;", "x" * 60]
)
TAGS = st.sampled_from(["b", "i", "u", "s", "code", "blockquote", "tg-spoiler"])


@st.composite
def html_texts(draw: st.DrawFn) -> str:
    """HTML like the templates make: paragraphs and lines of words, some of them in tags."""
    paragraphs = []
    for _ in range(draw(st.integers(1, 40))):
        lines = []
        for _ in range(draw(st.integers(1, 8))):
            words = " ".join(draw(st.lists(WORDS, min_size=1, max_size=30)))
            if draw(st.booleans()):
                tag = draw(TAGS)
                words = f"<{tag}>{words}</{tag}>"
            lines.append(words)
        paragraph = "\n".join(lines)
        if draw(st.booleans()):
            paragraph = f"<b>{paragraph}</b>"
        paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


def plain(html: str) -> str:
    return re.sub(r"\s+", "", parse_html(html).text)


@settings(max_examples=60, deadline=None)
@given(html_texts(), st.sampled_from([200, 1024, 4096]))
def test_every_part_fits_is_well_formed_and_nothing_is_lost(html: str, limit: int) -> None:
    parts = split_html(html, limit)
    for part in parts:
        parsed = parse_html(part)  # the emulator's strict parser: raises on broken HTML
        assert telegram_len(parsed.text) <= limit
    assert "".join(plain(part) for part in parts) == plain(html)


def test_a_short_text_is_one_part_as_it_was() -> None:
    assert split_html("<b>Hello</b> &amp; welcome") == ["<b>Hello</b> &amp; welcome"]


def test_length_is_counted_as_telegram_counts_it() -> None:
    assert visible_len("<b>a</b>&amp;b") == 3
    assert visible_len("😀") == 2  # one emoji, two UTF-16 code units
    html = "😀" * 3000  # 3,000 characters, 6,000 as Telegram counts
    assert len(html) < 4096 and len(split_html(html)) == 2


def test_it_cuts_between_paragraphs_first() -> None:
    first, second = "a" * 3000, "b" * 3000
    assert split_html(f"{first}\n\n{second}") == [f"{first}\n\n", second]


def test_a_tag_open_across_a_cut_is_closed_and_opened_again() -> None:
    html = "<blockquote>" + "\n".join(["line " * 100] * 20) + "</blockquote>"
    parts = split_html(html)
    assert len(parts) > 1
    assert all(p.startswith("<blockquote>") and p.endswith("</blockquote>") for p in parts)


def test_replies_over_the_limit_become_parts_telegram_accepts_with_buttons_under_the_last() -> None:
    keyboard = [[Offer(ShowCase(n), "back_to_case")] for n in range(1, 13)]
    lines = [f"<b>FAM-{n:04}</b> · visit overdue · Alex 😀" for n in range(400)]
    html = "\n".join(lines)
    replies = Replies()
    replies.send(1, html, keyboard)
    replies.edit(1, 7, html, keyboard)
    replies.send_photo(1, b"png", "\n".join(lines[:60]), keyboard)
    for call in replies.calls:
        params = call["params"]
        if "text" in params:
            message_text(params)  # raises as Telegram would
        caption_text(params)
        check_reply_markup(params.get("reply_markup"))
    methods = [call["method"] for call in replies.calls]
    assert methods.count("editMessageText") == 1 and methods.count("sendPhoto") == 1
    with_buttons = [i for i, call in enumerate(replies.calls) if "reply_markup" in call["params"]]
    # Each of the three replies has its buttons once, under its last part.
    assert len(with_buttons) == 3
    assert len(replies.calls) > 6  # the long text really was cut into parts


def test_a_row_wider_than_telegram_allows_wraps_and_too_many_buttons_is_refused() -> None:
    row = [Offer(ShowCase(n), "back_to_case") for n in range(1, 11)]
    markup = inline_keyboard([row])
    assert markup is not None and [len(r) for r in markup["inline_keyboard"]] == [8, 2]
    check_reply_markup(markup)
    with pytest.raises(ValueError, match="page the list"):
        inline_keyboard([[Offer(ShowCase(n), "back_to_case")] for n in range(1, 102)])
