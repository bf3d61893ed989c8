"""The privacy commands, run as real processes: rotate-key, audit, purge."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot.cli import main
from bot.clock import MovableClock
from bot.services import cases, visits
from bot.services.access import find_person
from storage.crypto import generate_key, install_keys
from storage.db import Database
from storage.models import Case, Visit
from storage.schema import upgrade_to_head
from tests.e2e.test_cli_and_sandbox import bearings
from tests.team import WORKER_ID, seed_team

LONG_AGO = datetime(2024, 3, 4, 10, 0, tzinfo=UTC)
NOTE = "Mum said Okonkwo-cli-secret about the flat"


def environment(tmp_path: Path, *keys: str) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "BEARINGS_DATA_KEYS": ",".join(keys),
        "BOT_USERNAME": "north_bearings_bot",
    }


def seed(tmp_path: Path, key: str, run_key: list[str]) -> None:
    """North and South teams, a case of Alex's with a visit (closed long ago), and an open one."""

    async def work() -> None:
        install_keys([key])
        database = Database(environment(tmp_path, key)["DATABASE_URL"])
        try:
            await upgrade_to_head(database.engine)
            clock = MovableClock(LONG_AGO)
            await seed_team(database, clock)
            async with database.unit_of_work() as uow:
                alex = await find_person(uow, WORKER_ID)
                assert alex is not None
                for reference in ("OLD-0001", "OPEN-0002"):
                    await cases.create_case(
                        uow,
                        clock,
                        alex,
                        {"reference": reference, "stage": "engagement", "cadence": 7},
                    )
                old = await uow.cases.by_reference(alex.team_id, "OLD-0001")
                assert old is not None
                answers = {"case": old.id, "date": "2024-03-04", "how": NOTE, "risk": "same"}
                await visits.save_visit(uow, clock, alex, answers)
            clock.advance(timedelta(days=1))
            async with database.unit_of_work() as uow:
                answers = {"case": old.id, "confirm": "yes", "reason": "moved away"}
                await cases.close_case(uow, clock, alex, answers)
        finally:
            await database.dispose()
            install_keys(run_key)

    asyncio.run(work())


def count(tmp_path: Path, model: type[Case] | type[Visit]) -> int:
    async def work() -> int:
        database = Database(environment(tmp_path)["DATABASE_URL"])
        try:
            async with database.engine.connect() as connection:
                query = select(func.count()).select_from(model)
                return int((await connection.execute(query)).scalar_one())
        finally:
            await database.dispose()

    return asyncio.run(work())


def raw_tokens(tmp_path: Path) -> list[str]:
    async def work() -> list[str]:
        database = Database(environment(tmp_path)["DATABASE_URL"])
        try:
            async with database.engine.connect() as connection:
                rows = await connection.execute(text("SELECT display_name FROM members"))
                return [row[0] for row in rows]
        finally:
            await database.dispose()

    return asyncio.run(work())


def test_each_privacy_command_has_its_own_help(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = bearings("--help", cwd=tmp_path)
    assert all(c in listed.stdout for c in ("rotate-key", "audit", "purge"))
    for command, mentions in (
        ("rotate-key", "--batch-size"),
        ("audit", "--since"),
        ("purge", "--dry-run"),
    ):
        with pytest.raises(SystemExit) as exited:
            main([command, "--help"])
        assert exited.value.code == 0
        out = capsys.readouterr().out
        assert f"usage: bearings {command}" in out and mentions in out


def test_rotate_key_moves_everything_to_the_new_key_so_the_old_one_can_go(
    tmp_path: Path, data_keys: list[str]
) -> None:
    old, new = generate_key(), generate_key()
    seed(tmp_path, old, data_keys)
    before = raw_tokens(tmp_path)

    rotated = bearings(
        "rotate-key", "--batch-size", "2", env=environment(tmp_path, new, old), cwd=tmp_path
    )

    assert rotated.returncode == 0, rotated.stderr
    assert "members: 2/4 rows, 2 re-encrypted" in rotated.stdout
    assert "members: 4/4 rows, 4 re-encrypted" in rotated.stdout
    assert "visits: 1/1 rows, 2 re-encrypted" in rotated.stdout  # the note and its risk change
    assert "the other keys can be removed" in rotated.stdout
    assert NOTE not in rotated.stdout + rotated.stderr
    assert set(raw_tokens(tmp_path)).isdisjoint(before)

    only_new = bearings(
        "audit",
        "--team",
        "North Team",
        "--since",
        "2024-01-01",
        env=environment(tmp_path, new),
        cwd=tmp_path,
    )
    assert only_new.returncode == 0 and "Sam Supervisor (supervisor)" in only_new.stdout
    only_old = bearings(
        "audit",
        "--team",
        "North Team",
        "--since",
        "2024-01-01",
        env=environment(tmp_path, old),
        cwd=tmp_path,
    )
    assert only_old.returncode == 1 and "cannot be decrypted" in only_old.stderr
    assert "Traceback" not in only_old.stderr

    again = bearings("rotate-key", env=environment(tmp_path, new, old), cwd=tmp_path)
    assert again.returncode == 0 and "Done: 0 value(s) re-encrypted" in again.stdout


def test_purge_dry_run_shows_the_table_then_purge_removes_the_case_and_audits_it(
    tmp_path: Path, data_keys: list[str]
) -> None:
    key = generate_key()
    seed(tmp_path, key, data_keys)
    env = environment(tmp_path, key)

    dry = bearings("purge", "--dry-run", env=env, cwd=tmp_path)

    assert dry.returncode == 0, dry.stderr
    header, row, total = (line.split() for line in dry.stdout.splitlines()[:3])
    assert header == ["case", "id", "team", "reference", "closed", "kept", "(days)", "visits"]
    assert row == ["1", "North", "Team", "OLD-0001", "2024-03-05", "90", "1"]
    assert total == ["total", "1", "case(s)", "1"]
    assert "OLD-0001" in dry.stdout and "2024-03-05" in dry.stdout and "OPEN-0002" not in dry.stdout
    assert "1 closed case(s) would be purged" in dry.stdout and "Nothing was changed" in dry.stdout
    assert NOTE not in dry.stdout
    assert (count(tmp_path, Case), count(tmp_path, Visit)) == (2, 1)

    purged = bearings("purge", env=env, cwd=tmp_path)

    assert purged.returncode == 0, purged.stderr
    assert "1 closed case(s) purged" in purged.stdout
    assert (count(tmp_path, Case), count(tmp_path, Visit)) == (1, 0)
    nothing = bearings("purge", env=env, cwd=tmp_path)
    assert "No closed case is past its retention period (default 90 days)" in nothing.stdout

    audit = bearings(
        "audit", "--team", "North Team", "--since", "2024-03-01", env=env, cwd=tmp_path
    )
    assert audit.returncode == 0, audit.stderr
    purge_lines = [line for line in audit.stdout.splitlines() if "case.purged" in line]
    assert len(purge_lines) == 1 and "system" in purge_lines[0] and "case:1" in purge_lines[0]
    assert "OLD-0001" not in audit.stdout and NOTE not in audit.stdout


def test_audit_refuses_an_unknown_team_or_a_bad_date(tmp_path: Path) -> None:
    env = environment(tmp_path, generate_key())
    assert (
        bearings(
            "team", "create", "North Team", "--timezone", "Europe/London", env=env, cwd=tmp_path
        ).returncode
        == 0
    )

    shown = bearings(
        "audit", "--team", "North Team", "--since", "2000-01-01", env=env, cwd=tmp_path
    )
    assert shown.returncode == 0 and "team.created  team:1" in shown.stdout
    assert shown.stdout.startswith("Audit log of North Team since 2000-01-01 (Europe/London time):")
    unknown = bearings("audit", "--team", "Nowhere", "--since", "2026-01-01", env=env, cwd=tmp_path)
    assert unknown.returncode == 1 and "no team called Nowhere" in unknown.stderr
    bad = bearings("audit", "--team", "North Team", "--since", "last week", env=env, cwd=tmp_path)
    assert bad.returncode == 2 and "must be a date like 2026-11-23" in bad.stderr
