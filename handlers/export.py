"""/export and a case card's Export button: a person's own data, or one case, as files."""

from __future__ import annotations

from telegram import Update

from bot.domain.buttons import ExportCase
from bot.services import export
from bot.telegram.context import BearingsContext
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers.senders import sender


async def export_command(update: Update, context: BearingsContext) -> None:
    """/export sends the person's own data; /export REF sends one case as a PDF."""
    turn, user_id = context.turn, sender(update)
    if context.args:
        exported = await export.export_case(
            turn.uow, turn.clock, telegram_user_id=user_id, reference=" ".join(context.args)
        )
    else:
        exported = await export.export_own_data(turn.uow, turn.clock, telegram_user_id=user_id)
    _send(turn, exported)


async def export_case(turn: Turn, press: Press[ExportCase]) -> None:
    """Export on a case's card: the case as a PDF, as new messages."""
    exported = await export.export_case(
        turn.uow, turn.clock, telegram_user_id=press.user_id, case_id=press.button.case_id
    )
    _send(turn, exported)


def _send(turn: Turn, exported: export.Exported) -> None:
    """First what is coming and that it is private, then the files."""
    turn.say("export_coming", exported=exported)
    for file in exported.files:
        turn.say_document(file.content, file.name, "export_file", exported=exported, file=file)
