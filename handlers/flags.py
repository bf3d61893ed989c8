"""Flags: /flags, and a supervisor's buttons on a flag (``fl:<action>:<flag>``)."""

from __future__ import annotations

from telegram import Update

from bot.domain.errors import Refusal
from bot.domain.flags import FlagAction
from bot.services import flags
from bot.services.access import find_person
from bot.telegram.context import BearingsContext
from handlers.flows import idle_time, show


async def show_flags(update: Update, context: BearingsContext) -> None:
    """/flags: open flags, most urgent and oldest first."""
    turn, user = context.turn, update.effective_user
    assert user is not None
    views = await flags.open_flags(turn.uow, turn.clock, telegram_user_id=user.id)
    person = await find_person(turn.uow, user.id)
    turn.say("flags", flags=views, whole_team=bool(person and person.is_supervisor))


async def act(update: Update, context: BearingsContext) -> None:
    """Acknowledge, I'll call you, Add to agenda (the message updates at once), or Resolve."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    try:
        _, action_text, flag_id_text = query.data.split(":")
        action, flag_id = FlagAction(action_text), int(flag_id_text)
    except ValueError:  # forged or garbled button data: nothing to act on
        raise Refusal("already_done") from None
    if action is FlagAction.RESOLVE:
        reply = await flags.begin_resolving(
            turn.uow,
            turn.clock,
            telegram_user_id=query.from_user.id,
            flag_id=flag_id,
            idle=idle_time(turn),
        )
        show(turn, reply)
        return
    view = await flags.act_on_flag(
        turn.uow,
        turn.clock,
        telegram_user_id=query.from_user.id,
        flag_id=flag_id,
        action=action,
    )
    turn.replace(
        query.message.message_id,
        "flag_message",
        keyboard=flags.flag_buttons(view),
        flag=view,
        stage=None,
    )
