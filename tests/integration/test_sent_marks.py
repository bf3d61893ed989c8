"""Sends that finish together are marked sent in one transaction (issue 24), each still
told whether its claim held the row."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, select

from bot.telegram.sent_marks import SentMarks
from storage.db import Database
from storage.models import OutboxMessage
from storage.repositories.outbox import Claim
from tests.outbox_notes import note_row, owe

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_sends_finishing_together_are_recorded_in_one_transaction(
    database: Database,
) -> None:
    await owe(database, [note_row(n, 9000 + n, NOW) for n in range(6)])
    async with database.unit_of_work() as uow:
        claims = await uow.outbox.claim(NOW, NOW + timedelta(minutes=5), 10)
    stale = Claim(claims[-1].id, claims[-1].chat_id, claims[-1].attempt + 1)
    commits: list[int] = []

    def committed(_connection: Any) -> None:
        commits.append(1)

    event.listen(database.engine.sync_engine, "commit", committed)
    marks = SentMarks(database)
    try:
        held = await asyncio.gather(
            *(marks.record(c, NOW, 100 + i, 0) for i, c in enumerate(claims[:-1])),
            marks.record(stale, NOW, 999, 0),
        )
    finally:
        event.remove(database.engine.sync_engine, "commit", committed)
    assert held == [True] * 5 + [False]
    assert len(commits) == 1
    async with database.unit_of_work() as uow:
        rows = (await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert [(r.status, r.message_id) for r in rows] == [
        *(("sent", 100 + i) for i in range(5)),
        ("sending", None),
    ]
