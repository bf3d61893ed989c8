"""A plain outbox kind for delivery tests: each row says which one it is.

``note`` rows are composed (at send time, like every kind) into a short message
carrying the row's label, so a test can count exactly what arrived where;
``note_edit`` rows rewrite the message an earlier note row was delivered as.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.clock import Clock
from bot.services.outgoing import COMPOSERS, Outgoing
from storage.db import Database
from storage.models import OutboxMessage
from storage.uow import UnitOfWork

NOTE, NOTE_EDIT = "test_note", "test_note_edit"


async def compose_note(uow: UnitOfWork, clock: Clock, row: OutboxMessage) -> Outgoing | None:
    """The note's label in an existing one-line template."""
    return Outgoing("case_closed", {"reference": row.ref["label"]})


async def compose_note_edit(uow: UnitOfWork, clock: Clock, row: OutboxMessage) -> Outgoing | None:
    """The earlier note's message, rewritten with this row's label."""
    original = await uow.outbox.by_key(str(row.ref["original"]))
    if original is None or original.message_id is None:
        return None
    return Outgoing(
        "case_closed", {"reference": row.ref["label"]}, edit_message_id=original.message_id
    )


def register_note_composers() -> None:
    """File the two test kinds' composers beside the real ones (the tests' fixtures do, once)."""
    COMPOSERS.add(NOTE, compose_note)
    COMPOSERS.add(NOTE_EDIT, compose_note_edit)


def label(number: int) -> str:
    """A label no other label contains (so counting by substring is exact)."""
    return f"N-{number:05d}"


def note_row(number: int, chat_id: int, due: datetime, **extra: Any) -> dict[str, Any]:
    """An outbox row owing the note ``label(number)`` to a chat."""
    return {
        "key": f"note:{number}",
        "kind": NOTE,
        "chat_id": chat_id,
        "ref": {"label": label(number)},
        "due_at": due,
        "created_at": due,
        **extra,
    }


async def owe(database: Database, rows: Iterable[dict[str, Any]]) -> int:
    """Write rows to the outbox; returns how many were new."""
    async with database.unit_of_work() as uow:
        return await uow.outbox.enqueue(list(rows))


async def rows_by_label(database: Database) -> dict[str, OutboxMessage]:
    """Every note row, by its label."""
    async with database.unit_of_work() as uow:
        rows = await uow.outbox.with_key_prefix("note:")
    return {str(row.ref["label"]): row for row in rows}
