"""A case's notes (``cn:``), one note in full (``nv:``), and correcting it (``nx:``)."""

from __future__ import annotations

from telegram import Update

from bot.domain import callbacks
from bot.services import notes, stuck
from bot.telegram.context import BearingsContext
from bot.telegram.replies import Keyboard
from handlers.flows import idle_time, show
from prompts import label


async def show_case_notes(update: Update, context: BearingsContext) -> None:
    """A page of the case's history (``cn:<case>[:<page>]``), a button each, newest first."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    parts = query.data.split(":")
    listing = await notes.case_notes(
        turn.uow,
        turn.clock,
        telegram_user_id=query.from_user.id,
        case_id=int(parts[1]),
        page=int(parts[2]) if len(parts) > 2 else 0,
    )
    keyboard: Keyboard = [
        [(label(f"note_item_{item.kind}", item=item), callbacks.action("nv", item.kind, item.id))]
        for item in listing.items
    ]
    paging = []
    if listing.page > 0:
        paging.append(
            (label("history_newer"), callbacks.action("cn", listing.case_id, listing.page - 1))
        )
    if listing.has_older:
        paging.append(
            (label("history_older"), callbacks.action("cn", listing.case_id, listing.page + 1))
        )
    if paging:
        keyboard.append(paging)
    keyboard.append([(label("back_to_case"), callbacks.action("cc", listing.case_id))])
    turn.replace(query.message.message_id, "case_notes", keyboard=keyboard, listing=listing)


async def show_note(update: Update, context: BearingsContext) -> None:
    """One note in full, with Correct buttons while its author may still correct it."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    _, kind, note_id = query.data.split(":")
    if kind == notes.STUCK:
        summary = await stuck.walkthrough_view(
            turn.uow, turn.clock, telegram_user_id=query.from_user.id, walkthrough_id=int(note_id)
        )
        back = [[(label("back_to_notes"), callbacks.action("cn", summary.case_id))]]
        turn.replace(
            query.message.message_id, "stuck_summary", keyboard=back, summary=summary, readonly=True
        )
        return
    view = await notes.note_view(
        turn.uow, turn.clock, telegram_user_id=query.from_user.id, kind=kind, note_id=int(note_id)
    )
    keyboard: Keyboard = [
        [
            (
                label("note_correct", field=label(f"field_{field}")),
                callbacks.action("nx", view.kind, view.id, notes.fields_of(view.kind).index(field)),
            )
        ]
        for field in view.correctable
    ]
    if view.case_id is not None:
        keyboard.append([(label("back_to_notes"), callbacks.action("cn", view.case_id))])
    field_labels = {name: label(f"field_{name}") for name, _ in view.fields}
    turn.replace(
        query.message.message_id, "note", keyboard=keyboard, note=view, field_labels=field_labels
    )


async def correct(update: Update, context: BearingsContext) -> None:
    """Correct (``nx:<kind>:<note>:<field number>``): ask for the new wording."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    _, kind, note_id, number = query.data.split(":")
    reply = await notes.begin_correction(
        turn.uow,
        turn.clock,
        telegram_user_id=query.from_user.id,
        kind=kind,
        note_id=int(note_id),
        field_number=int(number),
        idle=idle_time(turn),
    )
    show(turn, reply)
