"""A case's notes, one note in full, and correcting it."""

from __future__ import annotations

from bot.domain.buttons import CaseHistory, CorrectNote, Offer, Offers, ShowCase, ShowNote
from bot.services import notes, stuck
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers.flows import idle_time, show
from prompts import label


async def show_case_notes(turn: Turn, press: Press[CaseHistory]) -> None:
    """A page of the case's history, a button each, newest first."""
    listing = await notes.case_notes(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        case_id=press.button.case_id,
        page=press.button.page,
    )
    keyboard: Offers = [
        [Offer(ShowNote(item.kind, item.id), f"note_item_{item.kind}", {"item": item})]
        for item in listing.items
    ]
    paging = []
    if listing.page > 0:
        paging.append(Offer(CaseHistory(listing.case_id, listing.page - 1), "history_newer"))
    if listing.has_older:
        paging.append(Offer(CaseHistory(listing.case_id, listing.page + 1), "history_older"))
    if paging:
        keyboard.append(paging)
    keyboard.append([Offer(ShowCase(listing.case_id), "back_to_case")])
    turn.replace(press.message_id, "case_notes", keyboard=keyboard, listing=listing)


async def show_note(turn: Turn, press: Press[ShowNote]) -> None:
    """One note in full, with Correct buttons while its author may still correct it."""
    kind, note_id = press.button.kind, press.button.note_id
    if kind == notes.STUCK:
        summary = await stuck.walkthrough_view(
            turn.uow, turn.clock, telegram_user_id=press.user_id, walkthrough_id=note_id
        )
        back = [[Offer(CaseHistory(summary.case_id), "back_to_notes")]]
        turn.replace(
            press.message_id, "stuck_summary", keyboard=back, summary=summary, readonly=True
        )
        return
    view = await notes.note_view(
        turn.uow, turn.clock, telegram_user_id=press.user_id, kind=kind, note_id=note_id
    )
    keyboard: Offers = [
        [
            Offer(
                CorrectNote(view.kind, view.id, notes.fields_of(view.kind).index(field)),
                "note_correct",
                {"field": label_of_field(field)},
            )
        ]
        for field in view.correctable
    ]
    if view.case_id is not None:
        keyboard.append([Offer(CaseHistory(view.case_id), "back_to_notes")])
    field_labels = {name: label_of_field(name) for name, _ in view.fields}
    turn.replace(press.message_id, "note", keyboard=keyboard, note=view, field_labels=field_labels)


async def correct(turn: Turn, press: Press[CorrectNote]) -> None:
    """Correct: ask for the new wording of one field."""
    reply = await notes.begin_correction(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        kind=press.button.kind,
        note_id=press.button.note_id,
        field_number=press.button.field_number,
        idle=idle_time(turn),
    )
    show(turn, reply)


def label_of_field(name: str) -> str:
    """A note field's name as a person reads it."""
    return label(f"field_{name}")
