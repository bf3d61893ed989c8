"""/bearings: the keeping-your-bearings check, its buttons, and a supervisor's team summary."""

from __future__ import annotations

from telegram import Update

from bot.services import bearings
from bot.services import flows as flow_service
from bot.services.flows import FlowReply, Said
from bot.telegram.context import BearingsContext
from bot.telegram.turn import Turn
from handlers import flows

FLOW = "bearings"


async def bearings_command(update: Update, context: BearingsContext) -> None:
    """/bearings starts the check; /bearings team shows a supervisor the team summary."""
    turn, user = context.turn, update.effective_user
    assert user is not None
    if [arg.lower() for arg in context.args or []] == ["team"]:
        _say(turn, await bearings.team_summary(turn.uow, turn.clock, telegram_user_id=user.id))
        return
    reply = await flow_service.start_flow(
        turn.uow,
        turn.clock,
        telegram_user_id=user.id,
        flow_name=FLOW,
        idle=flows.idle_time(turn),
    )
    flows.show(turn, reply)


async def share(update: Update, context: BearingsContext) -> None:
    """Share with my supervisor (``bgs:<check>``): the result again, marked shared."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    result = await bearings.share_check(
        turn.uow, turn.clock, telegram_user_id=query.from_user.id, check_id=_id(query.data)
    )
    _replace(turn, query.message.message_id, result)


async def add_to_agenda(update: Update, context: BearingsContext) -> None:
    """Add to supervision agenda (``bga:<check>``): the result again, marked on the agenda."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    result = await bearings.add_to_agenda(
        turn.uow, turn.clock, telegram_user_id=query.from_user.id, check_id=_id(query.data)
    )
    _replace(turn, query.message.message_id, result)


async def team_summary(update: Update, context: BearingsContext) -> None:
    """Team summary (``bgt``): the same as /bearings team."""
    turn, query = context.turn, update.callback_query
    assert query is not None
    _say(
        turn, await bearings.team_summary(turn.uow, turn.clock, telegram_user_id=query.from_user.id)
    )


async def show_shared(update: Update, context: BearingsContext) -> None:
    """A shared check from the team summary (``bgv:<check>``): its picture and reading."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None
    says = await bearings.shared_check(
        turn.uow, turn.clock, telegram_user_id=query.from_user.id, check_id=_id(query.data)
    )
    flows.show(turn, FlowReply(says=says))


def _id(data: str) -> int:
    return int(data.split(":")[1])


def _say(turn: Turn, said: Said) -> None:
    turn.say(said.template, keyboard=said.buttons, **said.values)


def _replace(turn: Turn, message_id: int, said: Said) -> None:
    turn.replace(message_id, said.template, keyboard=said.buttons, **said.values)
