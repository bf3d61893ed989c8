"""The weekly engagement check's buttons: a tap per case, "any incident?", its pages."""

from __future__ import annotations

from bot.domain.buttons import IncidentAnswer, ListPage, RateEngagement
from bot.services import engagement, flows
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers.flows import idle_time, show

SHEET = engagement.SHEET
"""The list name of the check's pages."""


def _show(
    turn: Turn,
    press: Press[RateEngagement] | Press[IncidentAnswer] | Press[ListPage],
    sheet: engagement.EngagementSheet,
) -> None:
    turn.replace(
        press.message_id,
        "engagement_check",
        keyboard=engagement.sheet_buttons(sheet),
        sheet=sheet,
    )


async def rate(turn: Turn, press: Press[RateEngagement]) -> None:
    """Engaged, partly or not, for one case this week (the page stays as it was)."""
    button = press.button
    sheet = await engagement.rate(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        case_id=button.case_id,
        week=button.week,
        rating=str(button.rating),
    )
    _show(turn, press, sheet)


async def incident(turn: Turn, press: Press[IncidentAnswer]) -> None:
    """No incidents this week; or yes: which case, and a line on it."""
    if press.button.answer == "no":
        sheet = await engagement.no_incidents(
            turn.uow, turn.clock, telegram_user_id=press.user_id, week=press.button.week
        )
        _show(turn, press, sheet)
        return
    await engagement.sheet_page(  # the week still open, and cases to report on
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        week=press.button.week,
        page=0,
        stamp="",
    )
    reply = await flows.start_flow(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        flow_name="incident",
        idle=idle_time(turn),
    )
    show(turn, reply)


async def sheet_page(turn: Turn, press: Press[ListPage]) -> None:
    """Another page of the check."""
    button = press.button
    sheet = await engagement.sheet_page(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        week=button.subject,
        page=button.page,
        stamp=button.stamp,
    )
    _show(turn, press, sheet)
