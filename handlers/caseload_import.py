"""A caseload file sent in chat: a preview (or its problems, by row), then Import or Cancel."""

from __future__ import annotations

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import filters

from bot.domain.buttons import CancelImport, ConfirmImport, Offer, Offers
from bot.domain.caseload_import import MAX_FILE_BYTES, looks_like_csv
from bot.domain.errors import Refusal
from bot.services import caseload_import
from bot.services.caseload_import import LIMITS, ImportCheck, Imported, ImportExpired
from bot.telegram.context import BearingsContext
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers.senders import message_of, sender

SPREADSHEETS = (
    filters.Document.FileExtension("csv")
    | filters.Document.MimeType("text/csv")
    | filters.Document.MimeType("text/comma-separated-values")
    | filters.Document.FileExtension("xlsx")
    | filters.Document.FileExtension("xls")
    | filters.Document.FileExtension("ods")
)
"""Files that look like a caseload: a CSV file (read), or a spreadsheet not saved as CSV
(answered with how to save one). Any other file is answered as before ("text only")."""


async def receive_file(update: Update, context: BearingsContext) -> None:
    """A supervisor's caseload file: fetched from Telegram (never kept), read, checked and
    previewed with Import and Cancel. Strangers and workers are answered before the file is
    fetched, and nothing about them is kept."""
    turn, user_id = context.turn, sender(update)
    document = message_of(update).document
    if document is None:  # the filter lets only documents through
        raise Refusal("already_done")
    await caseload_import.who_may_import(turn.uow, telegram_user_id=user_id)
    if not looks_like_csv(document.file_name, document.mime_type):
        turn.say("import_not_csv")
        return
    if (document.file_size or 0) > MAX_FILE_BYTES:
        raise Refusal("import_too_big", megabytes=LIMITS.megabytes)
    try:
        content = bytes(await (await document.get_file()).download_as_bytearray())
    except TelegramError:
        raise Refusal("import_download_failed") from None
    check = await caseload_import.preview_upload(
        turn.uow, turn.clock, telegram_user_id=user_id, content=content
    )
    turn.say("import_preview", keyboard=_buttons(check), check=check, limits=LIMITS, changed=False)


async def confirm(turn: Turn, press: Press[ConfirmImport]) -> None:
    """Import: the previewed cases are added, or what changed since is shown instead."""
    outcome = await caseload_import.confirm_upload(
        turn.uow, turn.clock, telegram_user_id=press.user_id, pending_id=press.button.pending_id
    )
    if isinstance(outcome, Imported):
        turn.replace(press.message_id, "import_done", done=outcome)
    elif isinstance(outcome, ImportExpired):
        turn.replace(press.message_id, "import_expired", hours=outcome.hours)
    else:
        turn.replace(
            press.message_id,
            "import_preview",
            keyboard=_buttons(outcome),
            check=outcome,
            limits=LIMITS,
            changed=True,
        )


async def cancel(turn: Turn, press: Press[CancelImport]) -> None:
    """Cancel: nothing is imported and the rows are dropped."""
    await caseload_import.cancel_upload(
        turn.uow, turn.clock, telegram_user_id=press.user_id, pending_id=press.button.pending_id
    )
    turn.replace(press.message_id, "import_cancelled")


def _buttons(check: ImportCheck) -> Offers:
    if check.pending_id is None:
        return []
    return [
        [
            Offer(ConfirmImport(check.pending_id), "import_confirm", {"count": len(check.new)}),
            Offer(CancelImport(check.pending_id), "import_cancel"),
        ]
    ]
