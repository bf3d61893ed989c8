"""Flags: /flags, and a supervisor's buttons on a flag."""

from __future__ import annotations

from telegram import Update

from bot.domain.buttons import FlagResponse, ListPage, Offers
from bot.domain.flags import FlagAction
from bot.domain.paging import Page
from bot.services import flags
from bot.services.access import find_person
from bot.telegram.context import BearingsContext
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers.flows import idle_time, show
from handlers.paging import paging_row
from handlers.senders import sender

FLAGS = "flags"


async def show_flags(update: Update, context: BearingsContext) -> None:
    """/flags: open flags, most urgent and oldest first, a page at a time."""
    turn, user_id = context.turn, sender(update)
    page = await flags.open_flags_page(turn.uow, turn.clock, telegram_user_id=user_id)
    person = await find_person(turn.uow, user_id)
    turn.say(
        "flags",
        keyboard=_paging(page),
        page=page,
        whole_team=bool(person and person.is_supervisor),
    )


async def flags_page(turn: Turn, press: Press[ListPage]) -> None:
    """Another page of /flags."""
    page = await flags.open_flags_page(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        page=press.button.page,
        stamp=press.button.stamp or None,
    )
    person = await find_person(turn.uow, press.user_id)
    turn.replace(
        press.message_id,
        "flags",
        keyboard=_paging(page),
        page=page,
        whole_team=bool(person and person.is_supervisor),
    )


def _paging(page: Page[flags.FlagView]) -> Offers | None:
    row = paging_row(page, FLAGS)
    return [row] if row else None


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
