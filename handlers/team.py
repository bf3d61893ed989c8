"""/team: the supervisor's overview, a button to each worker's agenda."""

from __future__ import annotations

from telegram import Update

from bot.domain.buttons import Offer, Offers, WorkerAgenda
from bot.services import team
from bot.telegram.context import BearingsContext
from handlers.senders import sender


async def show_team(update: Update, context: BearingsContext) -> None:
    """/team (supervisors only)."""
    turn = context.turn
    overview = await team.team_overview(turn.uow, turn.clock, telegram_user_id=sender(update))
    keyboard: Offers = [
        [Offer.worded(row.name, WorkerAgenda(row.member_id))] for row in overview.rows
    ]
    turn.say("team", keyboard=keyboard, overview=overview)
