"""What the big-team end-to-end tests share: paging a list or a picker to its last page, what
its pages offer, and what the emulator refused.

One copy, so that the lists' tests and the pickers' tests read pages (and count what is
refused) the same way.
"""

from __future__ import annotations

import re

from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from tests.e2e.conftest import Chatter

PAGE = re.compile(r"Page (\d+) of (\d+)")
NOT_ITEMS = {
    "‹ Previous",
    "Next ›",
    "👤 One worker's cases",
    "‹ Whole team",
    "↩ Back",
    "Skip",
    "General – no case",
    "No cover",
    "‹ Back",
    "‹ All cases",
    "📊 Team picture",
    "📊 Open the dashboard",
}
"""Paging, navigation and skip buttons: not items of the list or picker."""


def refused(emulator: BotApiEmulator) -> list[str]:
    """Every request the emulator turned down, as Telegram would have."""
    return [
        f"{r.method} {r.status} {r.description}"
        for r in emulator.requests
        if r.status >= 400 and r.method != "getUpdates"
    ]


def labels(pages: list[ChatMessage]) -> list[str]:
    """What the pages offer, a button's whole label each (a member's name, or "Me")."""
    return [label for page in pages for label in page.labels if label not in NOT_ITEMS]


def items(pages: list[ChatMessage]) -> list[str]:
    """What the pages offer, a button each (its first word: a case's reference)."""
    return [label.split(" ")[0] for label in labels(pages)]


async def page_through(person: Chatter, first: ChatMessage) -> list[ChatMessage]:
    """Every page of a list, pressing Next › to the last (each page edits the one message)."""
    pages = [first]
    while "Next ›" in pages[-1].labels:
        assert len(pages) < 40, pages[-1].text
        turned = await person.press("Next ›")
        assert turned.message_id == first.message_id
        pages.append(turned)
    found = PAGE.search(pages[-1].text)
    if found is not None:
        assert int(found.group(1)) == int(found.group(2)) == len(pages)
    return pages
