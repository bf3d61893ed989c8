"""/team: the supervisor's overview, a button to each worker's agenda."""

from __future__ import annotations

from telegram import Update

from bot.domain import callbacks
from bot.services import team
from bot.telegram.context import BearingsContext
from bot.telegram.replies import Keyboard


async def show_team(update: Update, context: BearingsContext) -> None:
    """/team (supervisors only)."""
    turn, user = context.turn, update.effective_user
    assert user is not None
    overview = await team.team_overview(turn.uow, turn.clock, telegram_user_id=user.id)
    keyboard: Keyboard = [
        [(row.name, callbacks.action("ag", row.member_id))] for row in overview.rows
    ]
    turn.say("team", keyboard=keyboard, overview=overview)
