"""A nudge's buttons (Done, Snooze, Reschedule and the day chosen), /digest and /back."""

from __future__ import annotations

from telegram import Update

from bot.domain.buttons import NudgeChoice
from bot.services import availability, nudges
from bot.telegram.context import BearingsContext
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers.flows import idle_time, show
from handlers.senders import sender


async def answer_nudge(turn: Turn, press: Press[NudgeChoice]) -> None:
    """Done, Snooze 1 day, Reschedule: the nudge shows what was done; Done may open a flow."""
    outcome = await nudges.act_on_nudge(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        row_id=press.button.row_id,
        op=press.button.choice,
        idle=idle_time(turn),
    )
    turn.replace(press.message_id, outcome.template, keyboard=outcome.buttons, **outcome.values)
    if outcome.flow is not None:
        show(turn, outcome.flow)


async def show_digest(update: Update, context: BearingsContext) -> None:
    """/digest: a supervisor's private preview of the team's Monday digest."""
    turn = context.turn
    digest = await nudges.digest_preview(turn.uow, turn.clock, telegram_user_id=sender(update))
    turn.say("digest", digest=digest)


async def back(update: Update, context: BearingsContext) -> None:
    """/back: no longer away."""
    turn = context.turn
    said = await availability.come_back(turn.uow, turn.clock, telegram_user_id=sender(update))
    turn.say(said.template, **said.values)
