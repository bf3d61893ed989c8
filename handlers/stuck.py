"""The endings under an "I'm stuck" summary (``sk:<walk-through>:<ending>``)."""

from __future__ import annotations

from telegram import Update

from bot.services import stuck
from bot.telegram.context import BearingsContext


async def choose(update: Update, context: BearingsContext) -> None:
    """Flag, save as a note, make actions, or keep for supervision: the summary updates."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    _, walkthrough_id, choice = query.data.split(":")
    summary, says = await stuck.choose_ending(
        turn.uow,
        turn.clock,
        telegram_user_id=query.from_user.id,
        walkthrough_id=int(walkthrough_id),
        choice=choice,
    )
    turn.replace(
        query.message.message_id,
        "stuck_summary",
        keyboard=stuck.ending_buttons(summary),
        summary=summary,
        readonly=False,
    )
    for said in says:
        turn.say(said.template, keyboard=said.buttons, **said.values)
