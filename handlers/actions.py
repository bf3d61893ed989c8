"""/actions: a person's open actions, with a Done button each."""

from __future__ import annotations

from telegram import Update

from bot.domain.buttons import ActionDone, ListPage, Offer, Offers
from bot.services import actions
from bot.telegram.context import BearingsContext
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers.paging import Showing, paging_row

PER_ROW = 3
ACTIONS = "actions"


async def show_actions(update: Update, context: BearingsContext) -> None:
    """/actions: the open actions, soonest due first, a page at a time."""
    await _show(context.turn, Showing.as_new_message(update))


async def actions_page(turn: Turn, press: Press[ListPage]) -> None:
    """Another page of /actions."""
    await _show(turn, Showing.in_pressed_message(press))


async def _show(turn: Turn, at: Showing) -> None:
    listing = await actions.open_actions(
        turn.uow, turn.clock, telegram_user_id=at.user_id, page=at.page, stamp=at.stamp
    )
    at.show(turn, "actions", _done_buttons(listing), listing=listing)


async def mark_done(turn: Turn, press: Press[ActionDone]) -> None:
    """Done: the list again, in the same message, without it."""
    listing = await actions.complete_action(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        action_id=press.button.action_id,
        page=press.button.page,
    )
    turn.replace(press.message_id, "actions", keyboard=_done_buttons(listing), listing=listing)


def _done_buttons(listing: actions.ActionList) -> Offers:
    page = listing.page
    buttons = [
        Offer(ActionDone(action.id, page.number), "action_done", {"number": number})
        for number, action in enumerate(page.items, start=page.first)
    ]
    rows = [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]
    paging = paging_row(page, ACTIONS)
    return [*rows, paging] if paging else rows
