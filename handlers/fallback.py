"""What the bot says when nothing else fits, and where handler errors go."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.services import access
from bot.telegram.context import BearingsContext
from bot.telegram.turn import record_handler_error
from prompts import render


async def menu(update: Update, context: BearingsContext) -> None:
    """Unknown commands, free text and other messages: a short menu (or how to join)."""
    turn, user = context.turn, update.effective_user
    assert user is not None
    person = await access.find_person(turn.uow, user.id)
    turn.say("menu" if person else "start_stranger", person=person)


async def stale_button(update: Update, context: BearingsContext) -> None:
    """A button nothing recognises any more (an old message): it changes nothing."""
    query = update.callback_query
    assert query is not None
    context.turn.replies.answer(query.id, render("button_done"))


async def record_error(update: object, context: Any) -> None:
    """PTB's error hook: hand the error back to the inbox, which rolls back and says sorry
    (``bot.telegram.turn.handle_in_turn`` says why it takes a hook)."""
    record_handler_error(context.error)
