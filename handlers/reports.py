"""/report and the team picture: a supervisor's report as a picture then a PDF, and the team
as a bar chart."""

from __future__ import annotations

from telegram import Update

from bot.domain.buttons import TeamPicture
from bot.services import reports, team
from bot.telegram.context import BearingsContext
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers.senders import sender


async def report_command(update: Update, context: BearingsContext) -> None:
    """/report (supervisors of the team only): the one-page summary picture, then the PDF."""
    turn = context.turn
    report = await reports.report_for_supervisor(
        turn.uow, turn.clock, telegram_user_id=sender(update)
    )
    turn.say_photo(report.picture, "report_picture", report=report.figures, monthly=False)
    turn.say_document(report.pdf, report.file_name, "report_file", report=report.figures)


async def team_picture(turn: Turn, press: Press[TeamPicture]) -> None:
    """📊 Team picture under /team: the team as a bar chart, as a new message."""
    picture = await team.team_picture(turn.uow, turn.clock, telegram_user_id=press.user_id)
    turn.say_photo(picture.png, "team_picture", team_name=picture.team_name)
