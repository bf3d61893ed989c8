"""/actions: a person's open actions, with a Done button each."""

from __future__ import annotations

from telegram import Update

from bot.domain.buttons import ActionDone, Offer, Offers
from bot.services import actions
from bot.telegram.context import BearingsContext
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers.senders import sender

PER_ROW = 3


async def show_actions(update: Update, context: BearingsContext) -> None:
    """/actions: the open actions, soonest due first."""
    turn = context.turn
    listing = await actions.open_actions(turn.uow, turn.clock, telegram_user_id=sender(update))
    turn.say("actions", keyboard=_done_buttons(listing), listing=listing)


async def mark_done(turn: Turn, press: Press[ActionDone]) -> None:
    """Done: the list again, in the same message, without it."""
    listing = await actions.complete_action(
        turn.uow, turn.clock, telegram_user_id=press.user_id, action_id=press.button.action_id
    )
    turn.replace(press.message_id, "actions", keyboard=_done_buttons(listing), listing=listing)


def _done_buttons(listing: actions.ActionList) -> Offers:
    buttons = [
        Offer(ActionDone(action.id), "action_done", {"number": number})
        for number, action in enumerate(listing.actions, start=1)
    ]
    return [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]
