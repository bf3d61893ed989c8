"""A big team's Monday digest stays one message Telegram accepts: counts first, then the first
of each list and how many more."""

from __future__ import annotations

from datetime import date, timedelta

from bot.sandbox.emulator.text_rules import message_text
from bot.services.nudges.messages import Digest
from prompts import render

MONDAY = date(2026, 11, 30)


def test_two_hundred_overdue_visits_are_counted_not_all_listed() -> None:
    overdue = [
        (f"FAM-{n:04}-LONGREFERENCE", "Bartholomew", MONDAY - timedelta(days=n % 30 + 1))
        for n in range(200)
    ]
    reviews = [(f"FAM-{n:04}", "Zoë", MONDAY + timedelta(days=n % 7)) for n in range(45)]
    html = render("digest", digest=Digest("North Team", MONDAY, reviews, overdue))
    message_text({"text": html, "parse_mode": "HTML"})  # raises if Telegram would refuse it
    assert "45 plan reviews this week · 200 visits overdue" in html
    assert "…and 180 more – see /cases" in html and "…and 25 more – see /cases" in html
    assert html.count("\n• ") == 40


def test_a_small_teams_digest_lists_everything_with_no_more_line() -> None:
    digest = Digest("North Team", MONDAY, [("FAM-1", "Alex", MONDAY)], [])
    html = render("digest", digest=digest)
    assert "1 plan review this week · 0 visits overdue" in html and "more" not in html
