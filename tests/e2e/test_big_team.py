"""The real bot on the big-team fixture: it starts quietly and answers each team its own.

A smoke test of the fixture as end-to-end tests use it (``big_team`` asked for before
``bot``); the lists and pickers themselves are tested where they are built.
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import PLANNER_JOB, Bearings
from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from storage.models import JobRun, OutboxMessage
from tests.big_team import BigTeam
from tests.e2e.conftest import Chatter
from tests.waiting import eventually


async def test_the_bot_starts_on_a_big_team_without_a_word_and_keeps_the_teams_apart(
    big_team: BigTeam, bot: Bearings, emulator: BotApiEmulator, database: Database
) -> None:
    async def planned() -> bool:
        async with database.unit_of_work() as uow:
            run = await uow.session.get(JobRun, PLANNER_JOB)
            return run is not None and run.finished_at is not None

    await eventually(planned)
    async with database.unit_of_work() as uow:
        owed = await uow.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status != "sent")  # the flags' copies it holds were sent
        )
    chats = [big_team.supervisor, *big_team.workers, *big_team.other_team]
    chats += [big_team.group_chat_id, big_team.other_group_chat_id]
    assert owed == 0 and [c for c in chats if emulator.bot_messages(c)] == []

    sam = Chatter(emulator, big_team.supervisor, "Samira")
    overview = await sam.send("/team")
    pat = Chatter(emulator, big_team.other_supervisors[0], "Pat")
    south = await pat.send("/team")
    maryam = Chatter(emulator, big_team.workers[5], "مريم")
    own_flags = await maryam.send("/flags")

    assert big_team.team_name in overview.text and big_team.other_team_name in south.text
    north_names = [big_team.names[w] for w in big_team.workers]
    south_names = [big_team.names[p] for p in big_team.other_team]
    assert not any(name in overview.text or name in own_flags.text for name in south_names)
    assert not any(name in south.text for name in north_names)
    assert big_team.south_word not in own_flags.text
    assert [r for r in emulator.requests if r.status != 200] == []
