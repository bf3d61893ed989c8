"""`bearings backup` copies the live SQLite database while the bot runs; `bearings restore`
puts a backup back with the bot stopped, and the bot carries on from it.

The bot runs in this process against the emulator; the two commands run as real processes,
as an operator would run them beside a running bot.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from storage.schema import upgrade_to_head
from tests.e2e.conftest import Chatter, add_case, bot_settings, running
from tests.e2e.test_cli_and_sandbox import bearings
from tests.team import WORKER_ID, seed_team


def environment(database: Path, keys: list[str]) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "BEARINGS_DATA_KEYS": ",".join(keys),
    }


def references(path: Path) -> set[str]:
    connection = sqlite3.connect(path)
    try:
        return {row[0] for row in connection.execute("SELECT reference FROM cases")}
    finally:
        connection.close()


def kept_beside(database: Path) -> list[Path]:
    """The files a restore kept in place of the database it replaced."""
    return sorted(database.parent.glob(f"{database.name}.before-restore-*"))


async def run_bearings(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """The console script in a worker thread, so the bot in this process keeps answering."""
    result = await asyncio.to_thread(bearings, *args, env=env)
    return result.returncode, result.stdout, result.stderr


async def test_backup_while_running_then_restore_and_carry_on(
    emulator: BotApiEmulator, tmp_path: Path, data_keys: list[str]
) -> None:
    live = tmp_path / "bearings.db"
    database = Database(f"sqlite+aiosqlite:///{live}")
    await upgrade_to_head(database.engine)
    clock = MovableClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    await seed_team(database, clock)
    await database.dispose()
    env = environment(live, data_keys)
    settings = bot_settings(emulator, database.url, data_keys)
    alex = Chatter(emulator, WORKER_ID, "Alex")
    backup = tmp_path / "backups" / "monday.db"
    backup.parent.mkdir()

    async with running(settings, clock):
        assert "Added" in (await add_case(alex, "BEFORE-1")).text
        code, out, err = await run_bearings("backup", str(backup), env=env)
        assert code == 0, err
        assert "checked" in out
        # Work goes on after the backup: it is not in the copy.
        assert "Added" in (await add_case(alex, "AFTER-2")).text
        code, _, err = await run_bearings("restore", str(backup), env=env)
        assert code == 1
        assert "already in use by another Bearings process" in err
        assert references(live) == {"BEFORE-1", "AFTER-2"}

    # One self-contained file, not a -wal beside it, and never overwritten.
    assert references(backup) == {"BEFORE-1"}
    assert not backup.with_name(backup.name + "-wal").exists()
    code, _, err = await run_bearings("backup", str(backup), env=env)
    assert code == 1
    assert "already exists" in err

    code, out, err = await run_bearings("restore", str(backup), env=env)
    assert code == 0, err
    assert references(live) == {"BEFORE-1"}
    kept = kept_beside(live)
    assert len(kept) == 1 and references(kept[0]) == {"BEFORE-1", "AFTER-2"}
    assert str(kept[0]) in out

    async with running(settings, clock):
        caseload = await alex.send("/cases")
        assert "BEFORE-1" in caseload.text
        assert "AFTER-2" not in caseload.text


async def test_restore_refuses_what_is_not_a_bearings_backup(
    tmp_path: Path, data_keys: list[str]
) -> None:
    live = tmp_path / "bearings.db"
    database = Database(f"sqlite+aiosqlite:///{live}")
    await upgrade_to_head(database.engine)
    await database.dispose()
    env = environment(live, data_keys)
    before = live.read_bytes()

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    code, _, err = await run_bearings("restore", str(junk), env=env)
    assert code == 1
    assert "not a readable SQLite database" in err

    other = tmp_path / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE notes (id INTEGER)")
    connection.close()
    code, _, err = await run_bearings("restore", str(other), env=env)
    assert code == 1
    assert "not a Bearings database" in err

    code, _, err = await run_bearings("restore", str(tmp_path / "missing.db"), env=env)
    assert code == 1
    assert "There is no backup" in err
    assert live.read_bytes() == before


async def test_postgres_backup_explains_pg_dump_without_the_password(
    tmp_path: Path, data_keys: list[str]
) -> None:
    env = {
        "DATABASE_URL": "postgresql+asyncpg://bearings:s3cret-pw@db.example:5432/bearings",
        "BEARINGS_DATA_KEYS": ",".join(data_keys),
    }
    code, out, _ = await run_bearings("backup", str(tmp_path / "x.dump"), env=env)
    assert code == 2
    assert "pg_dump" in out and "pg_restore" in out
    assert "postgresql://bearings:***@db.example:5432/bearings" in out
    assert "s3cret-pw" not in out
    assert not (tmp_path / "x.dump").exists()
