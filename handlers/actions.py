"""/actions: a person's open actions, with a Done button each."""

from __future__ import annotations

from telegram import Update

from bot.domain import callbacks
from bot.services import actions
from bot.telegram.context import BearingsContext
from bot.telegram.replies import Keyboard
from prompts import label

PER_ROW = 3


async def show_actions(update: Update, context: BearingsContext) -> None:
    """/actions: the open actions, soonest due first."""
    turn, user = context.turn, update.effective_user
    assert user is not None
    listing = await actions.open_actions(turn.uow, turn.clock, telegram_user_id=user.id)
    turn.say("actions", keyboard=_done_buttons(listing), listing=listing)


async def mark_done(update: Update, context: BearingsContext) -> None:
    """Done (``ad:<action>``): the list again, in the same message, without it."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    listing = await actions.complete_action(
        turn.uow,
        turn.clock,
        telegram_user_id=query.from_user.id,
        action_id=int(query.data.split(":")[1]),
    )
    turn.replace(
        query.message.message_id, "actions", keyboard=_done_buttons(listing), listing=listing
    )


def _done_buttons(listing: actions.ActionList) -> Keyboard:
    buttons = [
        (label("action_done", number=number), callbacks.action("ad", action.id))
        for number, action in enumerate(listing.actions, start=1)
    ]
    return [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]
