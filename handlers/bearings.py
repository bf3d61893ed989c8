"""/bearings: the keeping-your-bearings check, its buttons, and a supervisor's team summary."""

from __future__ import annotations

from telegram import Update

from bot.domain.buttons import BearingsTeamSummary, BearingsToAgenda, ShareBearings, SharedBearings
from bot.services import bearings
from bot.services import flows as flow_service
from bot.services.flows import FlowReply, Said
from bot.telegram.context import BearingsContext
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers import flows
from handlers.senders import sender

FLOW = "bearings"


async def bearings_command(update: Update, context: BearingsContext) -> None:
    """/bearings starts the check; /bearings team shows a supervisor the team summary;
    /bearings trend one's own last eight checks over time."""
    turn, user_id = context.turn, sender(update)
    if [arg.lower() for arg in context.args or []] == ["team"]:
        _say(turn, await bearings.team_summary(turn.uow, turn.clock, telegram_user_id=user_id))
        return
    if [arg.lower() for arg in context.args or []] == ["trend"]:
        said = await bearings.trend(turn.uow, turn.clock, telegram_user_id=user_id)
        if said.photo is None:
            _say(turn, said)
        else:
            turn.say_photo(said.photo, said.template, **said.values)
        return
    reply = await flow_service.start_flow(
        turn.uow, turn.clock, telegram_user_id=user_id, flow_name=FLOW, idle=flows.idle_time(turn)
    )
    flows.show(turn, reply)


async def share(turn: Turn, press: Press[ShareBearings]) -> None:
    """Share with my supervisor: the result again, marked shared."""
    result = await bearings.share_check(
        turn.uow, turn.clock, telegram_user_id=press.user_id, check_id=press.button.check_id
    )
    _replace(turn, press.message_id, result)


async def add_to_agenda(turn: Turn, press: Press[BearingsToAgenda]) -> None:
    """Add to supervision agenda: the result again, marked on the agenda."""
    result = await bearings.add_to_agenda(
        turn.uow, turn.clock, telegram_user_id=press.user_id, check_id=press.button.check_id
    )
    _replace(turn, press.message_id, result)


async def team_summary(turn: Turn, press: Press[BearingsTeamSummary]) -> None:
    """Team summary: the same as /bearings team."""
    _say(turn, await bearings.team_summary(turn.uow, turn.clock, telegram_user_id=press.user_id))


async def show_shared(turn: Turn, press: Press[SharedBearings]) -> None:
    """A shared check from the team summary: its picture and reading."""
    says = await bearings.shared_check(
        turn.uow, turn.clock, telegram_user_id=press.user_id, check_id=press.button.check_id
    )
    flows.show(turn, FlowReply(says=says))


def _say(turn: Turn, said: Said) -> None:
    turn.say(said.template, keyboard=said.buttons, **said.values)


def _replace(turn: Turn, message_id: int, said: Said) -> None:
    turn.replace(message_id, said.template, keyboard=said.buttons, **said.values)
