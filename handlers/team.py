"""/team: the supervisor's overview, a page of workers at a time, a button to each one's
agenda, and one for the team as a picture."""

from __future__ import annotations

from telegram import Update

from bot.domain.buttons import ListPage, Offer, Offers, TeamPicture, WorkerAgenda
from bot.services import team
from bot.telegram.context import BearingsContext
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers.paging import Showing, paging_row

TEAM = "team"


async def show_team(update: Update, context: BearingsContext) -> None:
    """/team (supervisors only)."""
    await _show(context.turn, Showing.as_new_message(update))


async def team_page(turn: Turn, press: Press[ListPage]) -> None:
    """Another page of /team."""
    await _show(turn, Showing.in_pressed_message(press))


async def _show(turn: Turn, at: Showing) -> None:
    overview = await team.team_overview(
        turn.uow, turn.clock, telegram_user_id=at.user_id, page=at.page, stamp=at.stamp
    )
    at.show(turn, "team", _buttons(overview), overview=overview)


def _buttons(overview: team.TeamOverview) -> Offers:
    keyboard: Offers = [
        [Offer.worded(row.name, WorkerAgenda(row.member_id))] for row in overview.page.items
    ]
    paging = paging_row(overview.page, TEAM)
    picture = [Offer(TeamPicture(), "team_picture")]
    return [*keyboard, paging, picture] if paging else [*keyboard, picture]
