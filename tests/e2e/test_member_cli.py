"""`bearings member remove|role|move`, run as a real process (issue 20.1): the operator takes
someone off a team with their cases handed over, changes a role (never the last supervisor),
and moves a person to another team as a fresh membership."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from storage.crypto import generate_key, install_keys
from storage.db import Database
from storage.models import Case, Member, OutboxMessage
from tests.e2e.test_cli_and_sandbox import bearings
from tests.e2e.test_import_cli import seed
from tests.e2e.test_privacy_cli import environment
from tests.team import OTHER_WORKER_ID, WORKER_ID


def read_back(tmp_path: Path, key: str, run_keys: list[str]) -> dict[str, object]:
    async def read() -> dict[str, object]:
        install_keys([key])
        database = Database(environment(tmp_path, key)["DATABASE_URL"])
        try:
            async with database.unit_of_work() as uow:
                members = (await uow.session.scalars(select(Member))).all()
                by_id = {m.id: m for m in members}
                cases = (await uow.session.scalars(select(Case))).all()
                news = (await uow.session.scalars(select(OutboxMessage))).all()
                return {
                    "members": [
                        (m.display_name, m.team_id, m.role, m.active, m.telegram_user_id)
                        for m in members
                    ],
                    "holders": {c.reference: by_id[c.worker_id].display_name for c in cases},
                    "news": sorted(
                        (r.chat_id, r.ref.get("event")) for r in news if r.kind == "membership_news"
                    ),
                }
        finally:
            await database.dispose()
            install_keys(run_keys)

    return asyncio.run(read())


def add_cases(tmp_path: Path, key: str, run_keys: list[str]) -> None:
    caseload = tmp_path / "caseload.csv"
    caseload.write_text(
        "Reference,Key worker,Stage,Visit cadence,Next visit due,Next plan review\r\n"
        "FAM-0142,Alex Worker,Engagement,weekly,5/12/2026,\r\n"
        "FAM-0143,Alex Worker,Engagement,weekly,5/12/2026,\r\n",
        encoding="utf-8",
    )
    env = environment(tmp_path, key)
    done = bearings("import", "cases", str(caseload), "--team", "North Team", env=env)
    assert done.returncode == 0, done.stderr


def test_the_operator_removes_changes_a_role_and_moves_someone_to_another_team(
    tmp_path: Path, data_keys: list[str]
) -> None:
    key = generate_key()
    seed(tmp_path, key, data_keys)
    add_cases(tmp_path, key, data_keys)
    env = environment(tmp_path, key)

    last = bearings("member", "role", "Sam Supervisor", "worker", "--team", "North Team", env=env)
    assert last.returncode == 1 and "only supervisor" in last.stderr
    unknown = bearings(
        "member", "remove", "Nobody", "--team", "North Team", "--to", "Kim Worker", env=env
    )
    assert unknown.returncode == 1 and "nobody active called Nobody" in unknown.stderr

    removed = bearings(
        "member", "remove", "Alex Worker", "--team", "North Team", "--to", "Kim Worker", env=env
    )
    assert removed.returncode == 0, removed.stderr
    assert "Kim Worker now holds 2 case(s)" in removed.stdout
    state = read_back(tmp_path, key, data_keys)
    assert state["holders"] == {"FAM-0142": "Kim Worker", "FAM-0143": "Kim Worker"}
    assert (WORKER_ID, "removed") in state["news"]  # type: ignore[operator]
    assert (OTHER_WORKER_ID, "handed") in state["news"]  # type: ignore[operator]

    role = bearings("member", "role", "Kim Worker", "supervisor", "--team", "North Team", env=env)
    assert role.returncode == 0, role.stderr
    moved = bearings(
        "member", "move", "Kim Worker", "--team", "North Team", "--to-team", "South Team",
        "--role", "worker", "--hand-to", "Sam Supervisor", env=env,
    )  # fmt: skip
    assert moved.returncode == 0, moved.stderr
    state = read_back(tmp_path, key, data_keys)
    assert state["holders"] == {"FAM-0142": "Sam Supervisor", "FAM-0143": "Sam Supervisor"}
    kims = [m for m in state["members"] if m[0] == "Kim Worker"]  # type: ignore[attr-defined]
    assert len(kims) == 2  # the old membership stays with North's records, detached
    old, fresh = sorted(kims, key=lambda m: m[3])
    assert old[3] is False and old[4] is None
    assert fresh[2] == "worker" and fresh[3] is True and fresh[4] == OTHER_WORKER_ID
    assert (OTHER_WORKER_ID, "moved") in state["news"]  # type: ignore[operator]
