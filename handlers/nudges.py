"""A nudge's buttons (``nd:<nudge>:<done|snooze|move|d<date>>``), /digest and /back."""

from __future__ import annotations

from telegram import Update

from bot.services import availability, nudges
from bot.telegram.context import BearingsContext
from handlers.flows import idle_time, show


async def act(update: Update, context: BearingsContext) -> None:
    """Done, Snooze 1 day, Reschedule: the nudge shows what was done; Done may open a flow."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    _, row_id, op = query.data.split(":")
    outcome = await nudges.act_on_nudge(
        turn.uow,
        turn.clock,
        telegram_user_id=query.from_user.id,
        row_id=int(row_id),
        op=op,
        idle=idle_time(turn),
    )
    turn.replace(
        query.message.message_id, outcome.template, keyboard=outcome.buttons, **outcome.values
    )
    if outcome.flow is not None:
        show(turn, outcome.flow)


async def show_digest(update: Update, context: BearingsContext) -> None:
    """/digest: a supervisor's private preview of the team's Monday digest."""
    turn, user = context.turn, update.effective_user
    assert user is not None
    digest = await nudges.digest_preview(turn.uow, turn.clock, telegram_user_id=user.id)
    turn.say("digest", digest=digest)


async def back(update: Update, context: BearingsContext) -> None:
    """/back: no longer away."""
    turn, user = context.turn, update.effective_user
    assert user is not None
    said = await availability.come_back(turn.uow, turn.clock, telegram_user_id=user.id)
    turn.say(said.template, **said.values)
