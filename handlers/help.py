"""/help: what the bot can do, for the person's role."""

from __future__ import annotations

from telegram import Update

from bot.services import access
from bot.telegram.context import BearingsContext


async def show_help(update: Update, context: BearingsContext) -> None:
    """/help for a worker or a supervisor; a stranger hears how to join."""
    turn, user = context.turn, update.effective_user
    assert user is not None
    person = await access.find_person(turn.uow, user.id)
    turn.say(f"help_{person.role.value}" if person else "start_stranger")
