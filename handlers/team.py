"""/team: the supervisor's overview, a page of workers at a time, a button to each one's
agenda, one for the team as a picture, and one that opens the dashboard (when it is served
over HTTPS)."""

from __future__ import annotations

from telegram import Update

from bot.domain.buttons import ListPage, Offer, TeamPicture, WorkerAgenda
from bot.services import team
from bot.telegram.context import BearingsContext
from bot.telegram.press import Press
from bot.telegram.replies import Keyboard, WebAppButton
from bot.telegram.turn import Turn
from handlers.paging import Showing, paging_row

TEAM = "team"


async def show_team(update: Update, context: BearingsContext) -> None:
    """/team (supervisors only); with the dashboard served, the menu button is set to it too
    (for a supervisor who joined before it was)."""
    turn, at = context.turn, Showing.as_new_message(update)
    await _show(turn, at)
    if turn.settings.dashboard_url is not None:
        turn.replies.set_menu_button(at.user_id, turn.settings.dashboard_url, "menu_dashboard")


async def team_page(turn: Turn, press: Press[ListPage]) -> None:
    """Another page of /team."""
    await _show(turn, Showing.in_pressed_message(press))


async def _show(turn: Turn, at: Showing) -> None:
    overview = await team.team_overview(
        turn.uow, turn.clock, telegram_user_id=at.user_id, page=at.page, stamp=at.stamp
    )
    at.show(turn, "team", _buttons(overview, turn.settings.dashboard_url), overview=overview)


def _buttons(overview: team.TeamOverview, dashboard_url: str | None) -> Keyboard:
    rows: list[list[Offer | WebAppButton]] = [
        [Offer.worded(row.name, WorkerAgenda(row.member_id))] for row in overview.page.items
    ]
    paging = paging_row(overview.page, TEAM)
    if paging:
        rows.append([*paging])
    rows.append([Offer(TeamPicture(), "team_picture")])
    if dashboard_url is not None:
        rows.append([WebAppButton("dashboard_open", dashboard_url)])
    return rows
