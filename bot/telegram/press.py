"""A button press, parsed once at the edge and handed to the handler for its kind of button.

One python-telegram-bot handler takes every callback query: it reads the data with
``bot.domain.buttons.parse`` (anything malformed or stale is answered "already done" and
changes nothing) and calls the handler that the routing table in ``handlers`` names for
that kind of button, with a ``Press``: the parsed button and who pressed it where.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from telegram import Update

from bot.domain.buttons import Button, StaleButton, kinds, parse
from bot.telegram.context import BearingsContext
from bot.telegram.turn import Turn
from prompts import render

B = TypeVar("B", bound=Button)


@dataclass(frozen=True)
class Press(Generic[B]):
    """A pressed button: what it means, who pressed it, and the message it is on."""

    button: B
    user_id: int
    first_name: str
    query_id: str
    chat_id: int
    message_id: int
    username: str | None = None
    """The presser's Telegram @username (without the @), if they have one."""


PressHandler = Callable[[Turn, Press[Any]], Awaitable[None]]
"""A handler for one kind of button: the update's turn and the parsed press."""


def press_router(
    routes: Mapping[type[Button], PressHandler],
) -> Callable[[Update, BearingsContext], Coroutine[Any, Any, None]]:
    """The one callback-query handler: parse the data, then call the route for its kind.

    Every kind of button must have a route: a missing one fails at start-up, not on a press.
    """
    missing = sorted(kind.__name__ for kind in kinds().values() if kind not in routes)
    if missing:
        raise ValueError(f"no handler for these kinds of button: {', '.join(missing)}")

    async def route_press(update: Update, context: BearingsContext) -> None:
        turn, query = context.turn, update.callback_query
        if query is None:
            return
        try:
            button = parse(query.data)
            if query.message is None:  # a message too old for Telegram to tell us about
                raise StaleButton()
        except StaleButton:
            turn.replies.answer(query.id, render("button_done"))
            return
        press = Press(
            button=button,
            user_id=query.from_user.id,
            first_name=query.from_user.first_name,
            query_id=query.id,
            chat_id=query.message.chat.id,
            message_id=query.message.message_id,
            username=query.from_user.username,
        )
        await routes[type(button)](turn, press)

    return route_press
