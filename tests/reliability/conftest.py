"""Battery fixtures: the real bot as a child process (``bearings run``) on a SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from storage.models import InboxUpdate
from tests.e2e.conftest import clock, emulator
from tests.reliability.process import BotProcess

__all__ = ["clock", "emulator"]  # the end-to-end fixtures, shared with the battery


@pytest.fixture
def bot_environment() -> dict[str, str]:
    """Settings for the bot under test beyond the battery's own (a test parametrizes this
    fixture to run the same scenario under other settings)."""
    return {}


@pytest.fixture
async def bot_process(
    emulator: BotApiEmulator,
    database: Database,
    data_keys: list[str],
    tmp_path: Path,
    bot_environment: dict[str, str],
) -> AsyncIterator[BotProcess]:
    """``bearings run`` on the test's database, not yet started; stopped afterwards."""
    process = BotProcess(emulator, database.url, data_keys, tmp_path, **bot_environment)
    try:
        yield process
    finally:
        await process.stop()


async def inbox_rows(database: Database) -> list[InboxUpdate]:
    """Every row of the durable inbox."""
    async with database.unit_of_work() as uow:
        return list((await uow.session.scalars(select(InboxUpdate))).all())


def updates_sent(emulator: BotApiEmulator) -> set[int]:
    """Every update id the emulator has handed the bot so far (confirmed by it)."""
    return set(emulator.confirmed_update_ids)
