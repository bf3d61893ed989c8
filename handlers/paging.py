"""The ‹ › row under a page of a long list, and the one handler that turns pages.

Every long list (``/cases``, ``/flags``, ``/actions``, ``/agenda``, ``/team``) shows a page
at a time in one message; its paging buttons edit that message. ``LIST_PAGES`` names, for
each list, the handler that shows a page of it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.domain.buttons import ListPage, Offer, StaleButton
from bot.domain.paging import Page
from bot.telegram.press import Press
from bot.telegram.turn import Turn

ListPageHandler = Callable[[Turn, Press[ListPage]], Awaitable[None]]


def paging_row(page: Page[Any], listing: str, subject: int = 0) -> list[Offer]:
    """‹ Previous and Next › for a page of a list (nothing when it fits on one page)."""
    row = []
    if page.has_previous:
        row.append(Offer(ListPage(listing, page.number - 1, page.stamp, subject), "page_previous"))
    if page.has_next:
        row.append(Offer(ListPage(listing, page.number + 1, page.stamp, subject), "page_next"))
    return row


def page_turner(pages: dict[str, ListPageHandler]) -> ListPageHandler:
    """The handler for every paging button: the page's list shows it."""

    async def turn_page(turn: Turn, press: Press[ListPage]) -> None:
        show = pages.get(press.button.listing)
        if show is None:
            raise StaleButton()
        await show(turn, press)

    return turn_page
