"""`bearings import cases`, run as a real process: a dry run, the import, the same file
again changing nothing, a file with problems listed by row and nothing imported, audited."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from bot.clock import MovableClock
from bot.services import reachability
from storage.crypto import generate_key, install_keys
from storage.db import Database
from storage.models import Case
from storage.schema import upgrade_to_head
from tests.e2e.test_cli_and_sandbox import bearings
from tests.e2e.test_privacy_cli import environment
from tests.team import WORKER_ID, seed_team

CASELOAD = (
    "\ufeffReference,Key worker,Stage,Visit cadence,Next visit due,Next plan review\r\n"
    "FAM-0142,@alex_kw,Engagement,weekly,5/12/2026,\r\n"
    "FAM-0143,Kim Worker,Monitoring & review,fortnightly,05/12/26,14 Jan 2027\r\n"
)


def seed(tmp_path: Path, key: str, run_keys: list[str]) -> None:
    """North Team (Sam; Alex, who wrote to the bot as @alex_kw; Kim) and South Team."""

    async def work() -> None:
        install_keys([key])
        database = Database(environment(tmp_path, key)["DATABASE_URL"])
        try:
            await upgrade_to_head(database.engine)
            clock = MovableClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
            await seed_team(database, clock)
            async with database.unit_of_work() as uow:
                await reachability.heard_from(
                    uow, clock, telegram_user_id=WORKER_ID, username="alex_kw"
                )
        finally:
            await database.dispose()
            install_keys(run_keys)

    asyncio.run(work())


def stored_cases(
    tmp_path: Path, key: str, run_keys: list[str]
) -> list[tuple[str, str, int, date | None]]:
    async def read() -> list[tuple[str, str, int, date | None]]:
        install_keys([key])
        database = Database(environment(tmp_path, key)["DATABASE_URL"])
        try:
            async with database.unit_of_work() as uow:
                cases = await uow.session.scalars(select(Case).order_by(Case.reference))
                return [(c.reference, c.stage, c.cadence_days, c.next_review_on) for c in cases]
        finally:
            await database.dispose()
            install_keys(run_keys)

    return asyncio.run(read())


def test_import_cases_checks_first_imports_once_and_lists_problems_by_row(
    tmp_path: Path, data_keys: list[str]
) -> None:
    key = generate_key()
    seed(tmp_path, key, data_keys)
    env = environment(tmp_path, key)
    caseload = tmp_path / "caseload.csv"
    caseload.write_text(CASELOAD, encoding="utf-8")

    dry = bearings(
        "import", "cases", str(caseload), "--team", "North Team", "--dry-run", env=env, cwd=tmp_path
    )
    assert dry.returncode == 0, dry.stderr
    assert "would add 2 cases to North Team:" in dry.stdout
    assert "FAM-0143   Kim Worker   Monitoring  14 days  2026-12-05  2027-01-14" in (dry.stdout)
    assert "Nothing was changed (dry run)." in dry.stdout
    assert stored_cases(tmp_path, key, data_keys) == []

    done = bearings("import", "cases", str(caseload), "--team", "North Team", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Imported 2 cases into North Team."
    expected = [
        ("FAM-0142", "engagement", 7, None),
        ("FAM-0143", "monitoring", 14, date(2027, 1, 14)),
    ]
    assert stored_cases(tmp_path, key, data_keys) == expected

    again = bearings(
        "import", "cases", str(caseload), "--team", "North Team", env=env, cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr
    assert "Imported 0 cases into North Team (2 already there, left as they were)." in again.stdout
    assert stored_cases(tmp_path, key, data_keys) == expected

    broken = tmp_path / "broken.csv"
    broken.write_text(
        CASELOAD
        + "FAM-0144,Kim Worker,Closed,weekly,,\r\n"
        + "FAM-0143,Kim Worker,Closing,weekly,,\r\n"
        + "FAM-0145,@nobody,engagement,monthly,12/25/2026,\r\n",
        encoding="utf-8",
    )
    refused = bearings(
        "import", "cases", str(broken), "--team", "North Team", env=env, cwd=tmp_path
    )
    assert refused.returncode == 1
    # Rows 2 and 3 are the cases imported already, the same: left alone, not problems.
    assert refused.stderr.splitlines() == [
        f"{broken}: 5 problem(s); nothing was imported.",
        "  Row 4, stage: that's not a stage I know. Use one of: Engagement, Agreement, "
        "Assessment, Family meeting, Support plan, Monitoring, Evaluation and closing.",
        "  Row 5, reference: FAM-0143 is already on row 3.",
        "  Row 6, key worker: nobody active in the team goes by this name or username. "
        "Check the spelling, or invite them first.",
        "  Row 6, visit cadence: write the days between visits, like 7, weekly, fortnightly "
        "or every 4 weeks (up to 90 days).",
        "  Row 6, next visit due: this date looks month first. Write the day first, like "
        "25/12/2026.",
    ]
    assert stored_cases(tmp_path, key, data_keys) == expected

    audit = bearings(
        "audit", "--team", "North Team", "--since", "2026-01-01", env=env, cwd=tmp_path
    )
    imports = [line for line in audit.stdout.splitlines() if "caseload.imported" in line]
    assert len(imports) == 2 and all("system" in line for line in imports)
    assert "created=2 unchanged=0 via=command line" in imports[0]
    assert "FAM-" not in audit.stdout


def test_import_cases_says_clearly_what_is_wrong_with_the_command(
    tmp_path: Path, data_keys: list[str]
) -> None:
    key = generate_key()
    seed(tmp_path, key, data_keys)
    env = environment(tmp_path, key)
    caseload = tmp_path / "caseload.csv"
    caseload.write_text(CASELOAD, encoding="utf-8")

    missing = bearings("import", "cases", "nope.csv", "--team", "North Team", env=env, cwd=tmp_path)
    unknown = bearings("import", "cases", str(caseload), "--team", "Nowhere", env=env, cwd=tmp_path)

    assert missing.returncode == 2 and "nope.csv: no such file" in missing.stderr
    assert unknown.returncode == 1 and "There is no team called Nowhere." in unknown.stderr
    assert "Traceback" not in missing.stderr + unknown.stderr
    assert stored_cases(tmp_path, key, data_keys) == []
