"""Erasing a member's own account data (storage layer).

The service decides what passes to whom; this module deletes what is the
person's alone and empties their member row. It leaves what belongs to the
team's case records: visits, case supervision notes and their earlier
versions, stuck walk-throughs and flags, which keep pointing at the (now
nameless) member row as their author.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Action,
    AgendaItem,
    BearingsCheck,
    FlowSession,
    InboxUpdate,
    Member,
    NoteRevision,
    OutboxMessage,
    PendingImport,
    SupervisionNote,
)
from storage.repositories.inbox import DONE

ERASED_TABLES = (
    "bearings_checks",
    "flow_sessions",
    "agenda_items",
    "supervision_notes",
    "note_revisions",
    "actions",
    "outbox",
    "pending_imports",
    "inbox",
)
"""The tables an erasure deletes the person's rows from, in the order reported."""


class ErasureRepository:
    """Deletes a member's own rows and empties their member row, in the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def pass_open_case_actions(self, member_id: int, to_member_id: int) -> int:
        """Give the member's open actions about a case to ``to_member_id``; how many."""
        result: Any = await self._session.execute(
            update(Action)
            .where(Action.owner_id == member_id, Action.status == "open")
            .where(Action.case_id.is_not(None))
            .values(owner_id=to_member_id)
        )
        return int(result.rowcount or 0)

    async def delete_own_rows(self, member: Member) -> dict[str, int]:
        """Delete what is the member's alone; how many rows of each table went.

        That is: their bearings checks, every flow session (open, draft or finished:
        the answers are theirs), their supervision agenda, the general supervision
        notes about them (those with no case) with their earlier versions, the actions
        they own that are about no case, every message owed to them, a caseload file
        of theirs waiting for Confirm, and the finished
        inbox rows still marked with their chat (only failed updates keep theirs, with
        what they sent; a handled one keeps neither).
        """
        general_notes = list(
            (
                await self._session.scalars(
                    select(SupervisionNote.id).where(
                        SupervisionNote.worker_id == member.id, SupervisionNote.case_id.is_(None)
                    )
                )
            ).all()
        )
        if general_notes:
            # Another worker's agenda item ticked off by one of these notes stays ticked off.
            await self._session.execute(
                update(AgendaItem)
                .where(AgendaItem.covered_by_note_id.in_(general_notes))
                .values(covered_by_note_id=None)
            )
        addressed: ColumnElement[bool] = OutboxMessage.member_id == member.id
        if member.telegram_user_id is not None:
            addressed = or_(addressed, OutboxMessage.chat_id == member.telegram_user_id)
        statements: list[tuple[str, Any]] = [
            ("bearings_checks", delete(BearingsCheck).where(BearingsCheck.member_id == member.id)),
            ("flow_sessions", delete(FlowSession).where(FlowSession.member_id == member.id)),
            ("agenda_items", delete(AgendaItem).where(AgendaItem.worker_id == member.id)),
            (
                "note_revisions",
                delete(NoteRevision).where(
                    and_(
                        NoteRevision.note_kind == "supervision",
                        NoteRevision.note_id.in_(general_notes),
                    )
                ),
            ),
            (
                "supervision_notes",
                delete(SupervisionNote).where(SupervisionNote.id.in_(general_notes)),
            ),
            (
                "actions",
                delete(Action).where(Action.owner_id == member.id, Action.case_id.is_(None)),
            ),
            ("outbox", delete(OutboxMessage).where(addressed)),
            ("pending_imports", delete(PendingImport).where(PendingImport.member_id == member.id)),
        ]
        if member.telegram_user_id is not None:
            statements.append(
                (
                    "inbox",
                    delete(InboxUpdate).where(
                        InboxUpdate.chat_key == member.telegram_user_id,
                        InboxUpdate.status == DONE,
                    ),
                )
            )
        counts = dict.fromkeys(ERASED_TABLES, 0)
        for name, statement in statements:
            result: Any = await self._session.execute(statement)
            counts[name] = int(result.rowcount or 0)
        return counts

    async def drop_as_cover(self, member_id: int) -> None:
        """Nobody names the member as their cover any more."""
        await self._session.execute(
            update(Member).where(Member.away_cover_id == member_id).values(away_cover_id=None)
        )

    async def empty_member(self, member: Member, now: datetime) -> None:
        """Unlink the row from Telegram and drop the name and every personal setting."""
        member.telegram_user_id = None
        member.display_name = ""
        member.telegram_username = None
        member.timezone = None
        member.settings = {}
        member.away_until = None
        member.away_cover_id = None
        member.unreachable_at = None
        member.active = False
        member.deactivated_at = member.deactivated_at or now
        member.erased_at = now
        await self._session.flush()
