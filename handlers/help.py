"""/help: what the bot can do, for the person's role."""

from __future__ import annotations

from telegram import Update

from bot.services import access
from bot.telegram.context import BearingsContext
from handlers.senders import sender


async def show_help(update: Update, context: BearingsContext) -> None:
    """/help for a worker or a supervisor; a stranger hears how to join."""
    turn = context.turn
    person = await access.find_person(turn.uow, sender(update))
    turn.say(f"help_{person.role.value}" if person else "start_stranger")
