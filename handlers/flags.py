"""Flags: /flags, and a supervisor's buttons on a flag."""

from __future__ import annotations

from telegram import Update

from bot.domain.buttons import FlagResponse
from bot.domain.flags import FlagAction
from bot.services import flags
from bot.services.access import find_person
from bot.telegram.context import BearingsContext
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers.flows import idle_time, show
from handlers.senders import sender


async def show_flags(update: Update, context: BearingsContext) -> None:
    """/flags: open flags, most urgent and oldest first."""
    turn, user_id = context.turn, sender(update)
    views = await flags.open_flags(turn.uow, turn.clock, telegram_user_id=user_id)
    person = await find_person(turn.uow, user_id)
    turn.say("flags", flags=views, whole_team=bool(person and person.is_supervisor))


async def respond_to_flag(turn: Turn, press: Press[FlagResponse]) -> None:
    """Acknowledge, I'll call you, Add to agenda (the message updates at once), or Resolve."""
    action, flag_id = press.button.action, press.button.flag_id
    if action is FlagAction.RESOLVE:
        reply = await flags.begin_resolving(
            turn.uow,
            turn.clock,
            telegram_user_id=press.user_id,
            flag_id=flag_id,
            idle=idle_time(turn),
        )
        show(turn, reply)
        return
    view = await flags.act_on_flag(
        turn.uow, turn.clock, telegram_user_id=press.user_id, flag_id=flag_id, action=action
    )
    turn.replace(
        press.message_id, "flag_message", keyboard=flags.flag_buttons(view), flag=view, stage=None
    )
