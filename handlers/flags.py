"""Flags: /flags, and a supervisor's buttons on a flag."""

from __future__ import annotations

from telegram import Update

from bot.domain.buttons import FlagResponse, ListPage, Offers
from bot.domain.flags import FlagAction
from bot.domain.paging import Page
from bot.services import flag_messages, flags
from bot.services.access import find_person
from bot.telegram.context import BearingsContext
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers.flows import idle_time, show
from handlers.paging import Showing, paging_row

FLAGS = "flags"


async def show_flags(update: Update, context: BearingsContext) -> None:
    """/flags: open flags, most urgent and oldest first, a page at a time."""
    await _show(context.turn, Showing.as_new_message(update))


async def flags_page(turn: Turn, press: Press[ListPage]) -> None:
    """Another page of /flags."""
    await _show(turn, Showing.in_pressed_message(press))


async def _show(turn: Turn, at: Showing) -> None:
    page = await flags.open_flags_page(
        turn.uow, turn.clock, telegram_user_id=at.user_id, page=at.page, stamp=at.stamp
    )
    person = await find_person(turn.uow, at.user_id)
    whole_team = bool(person and person.is_supervisor)
    at.show(turn, "flags", _paging(page), page=page, whole_team=whole_team)


def _paging(page: Page[flag_messages.FlagView]) -> Offers | None:
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
        press.message_id,
        "flag_message",
        keyboard=flag_messages.flag_buttons(view),
        flag=view,
        stage=None,
    )
