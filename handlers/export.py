"""/export and a case card's Export button: a person's own data, or one case, as files."""

from __future__ import annotations

from telegram import Update

from bot.services import export
from bot.telegram.context import BearingsContext
from bot.telegram.turn import Turn


async def export_command(update: Update, context: BearingsContext) -> None:
    """/export sends the person's own data; /export REF sends one case as a PDF."""
    turn, user = context.turn, update.effective_user
    assert user is not None
    if context.args:
        exported = await export.export_case(
            turn.uow, turn.clock, telegram_user_id=user.id, reference=" ".join(context.args)
        )
    else:
        exported = await export.export_own_data(turn.uow, turn.clock, telegram_user_id=user.id)
    _send(turn, exported)


async def export_case(update: Update, context: BearingsContext) -> None:
    """Export (``ce:<case>``) on a case's card: the case as a PDF, as new messages."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None
    exported = await export.export_case(
        turn.uow,
        turn.clock,
        telegram_user_id=query.from_user.id,
        case_id=int(query.data.split(":")[1]),
    )
    _send(turn, exported)


def _send(turn: Turn, exported: export.Exported) -> None:
    """First what is coming and that it is private, then the files."""
    turn.say("export_coming", exported=exported)
    for file in exported.files:
        turn.say_document(file.content, file.name, "export_file", exported=exported, file=file)
