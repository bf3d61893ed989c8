"""What the bot says when nothing else fits, and where handler errors go."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.services import access
from bot.telegram.context import BearingsContext
from bot.telegram.turn import record_handler_error
from handlers.senders import sender


async def show_menu(update: Update, context: BearingsContext) -> None:
    """Unknown commands, free text and other messages: a short menu (or how to join)."""
    turn = context.turn
    person = await access.find_person(turn.uow, sender(update))
    turn.say("menu" if person else "start_stranger", person=person)


async def record_error(update: object, context: Any) -> None:
    """PTB's error hook: hand the error back to the inbox, which rolls back and says sorry
    (``bot.telegram.turn.handle_in_turn`` says why it takes a hook)."""
    record_handler_error(context.error)
