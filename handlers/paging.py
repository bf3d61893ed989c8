"""The ‹ › row under a page of a long list, and the one handler that turns pages.

Every long list (``/cases``, ``/flags``, ``/actions``, ``/agenda``, ``/team``) shows a page
at a time in one message; its paging buttons edit that message. ``LIST_PAGES`` names, for
each list, the handler that shows a page of it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update

from bot.domain.buttons import ListPage, Offer, StaleButton
from bot.domain.paging import Page, turning_row
from bot.telegram.press import Press
from bot.telegram.replies import Keyboard
from bot.telegram.turn import Turn
from handlers.senders import sender

ListPageHandler = Callable[[Turn, Press[ListPage]], Awaitable[None]]


@dataclass(frozen=True)
class Showing:
    """Where and which page of a list to show: a new message for a command, the pressed
    message for a paging button."""

    user_id: int
    message_id: int | None = None
    page: int = 0
    stamp: str | None = None
    subject: int = 0

    @classmethod
    def as_new_message(cls, update: Update) -> Showing:
        """The first page, in a new message (a typed command)."""
        return cls(sender(update))

    @classmethod
    def in_pressed_message(cls, press: Press[ListPage]) -> Showing:
        """The page a paging button asks for, in the message it is on."""
        button = press.button
        return cls(
            press.user_id, press.message_id, button.page, button.stamp or None, button.subject
        )

    def show(self, turn: Turn, template: str, keyboard: Keyboard | None, **values: Any) -> None:
        """Say it, or put it in place of the pressed message."""
        if self.message_id is None:
            turn.say(template, keyboard=keyboard, **values)
        else:
            turn.replace(self.message_id, template, keyboard=keyboard, **values)


def paging_row(page: Page[Any], listing: str, subject: int = 0) -> list[Offer]:
    """‹ Previous and Next › for a page of a list (nothing when it fits on one page)."""
    return turning_row(page, lambda number: ListPage(listing, number, page.stamp, subject))


def page_turner(pages: dict[str, ListPageHandler]) -> ListPageHandler:
    """The handler for every paging button: the page's list shows it."""

    async def turn_page(turn: Turn, press: Press[ListPage]) -> None:
        show = pages.get(press.button.listing)
        if show is None:
            raise StaleButton()
        await show(turn, press)

    return turn_page
