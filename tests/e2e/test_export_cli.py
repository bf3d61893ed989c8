"""`bearings export`, run as a real process: a case as a PDF, a person's data (a subject
access request) as JSON and PDF, audited, and clear refusals."""

from __future__ import annotations

import asyncio
import json
import stat
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.cli import main
from bot.clock import MovableClock
from storage.crypto import generate_key, install_keys
from storage.db import Database
from storage.schema import upgrade_to_head
from tests.e2e.test_cli_and_sandbox import bearings
from tests.e2e.test_privacy_cli import environment
from tests.export_data import (
    KIMS_NOTE,
    OUTCOME,
    PRIVATE_STUCK,
    REFERENCE,
    seed_case_with_everything,
)
from tests.team import OTHER_WORKER_ID, seed_team


def seed(tmp_path: Path, key: str, run_key: list[str]) -> None:
    async def work() -> None:
        install_keys([key])
        database = Database(environment(tmp_path, key)["DATABASE_URL"])
        try:
            await upgrade_to_head(database.engine)
            clock = MovableClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
            await seed_team(database, clock)
            await seed_case_with_everything(database, clock)
        finally:
            await database.dispose()
            install_keys(run_key)

    asyncio.run(work())


def test_export_writes_a_case_pdf_and_a_persons_files_and_audits_both(
    tmp_path: Path, data_keys: list[str]
) -> None:
    key = generate_key()
    seed(tmp_path, key, data_keys)
    env = environment(tmp_path, key)
    out = tmp_path / "out"
    out.mkdir()

    case = bearings(
        "export",
        "--case",
        "fam-0142",
        "--team",
        "North Team",
        "--out",
        str(out / "c.pdf"),
        env=env,
        cwd=tmp_path,
    )
    member = bearings(
        "export",
        "--member",
        str(OTHER_WORKER_ID),
        "--team",
        "North Team",
        "--out",
        str(out),
        env=env,
        cwd=tmp_path,
    )

    assert case.returncode == 0, case.stderr
    assert f"Wrote {out / 'c.pdf'}" in case.stdout and "keep it safe" in case.stdout
    pdf = (out / "c.pdf").read_bytes()
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    assert REFERENCE in text and OUTCOME in text and PRIVATE_STUCK not in text
    assert stat.S_IMODE((out / "c.pdf").stat().st_mode) == 0o600
    assert member.returncode == 0, member.stderr
    # Named after the day the operator runs it (the command line uses the real clock).
    (json_file,) = out.glob("bearings-my-data-*.json")
    assert len(list(out.glob("bearings-my-data-*.pdf"))) == 1
    data = json.loads(json_file.read_bytes())
    assert [v["how_it_went"] for v in data["visits"]] == [KIMS_NOTE]
    assert KIMS_NOTE not in member.stdout + member.stderr + case.stdout

    audit = bearings(
        "audit", "--team", "North Team", "--since", "2026-11-01", env=env, cwd=tmp_path
    )
    exports = [line for line in audit.stdout.splitlines() if "export." in line]
    assert len(exports) == 2 and all("system" in line for line in exports)
    assert "export.case  case:1  files=pdf via=command line" in exports[0]
    assert "export.personal  member:" in exports[1]


def test_export_refuses_an_unknown_case_and_needs_a_case_or_a_member(
    tmp_path: Path, data_keys: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    key = generate_key()
    seed(tmp_path, key, data_keys)

    case = bearings(
        "export",
        "--case",
        "FAM-9999",
        "--team",
        "South Team",
        env=environment(tmp_path, key),
        cwd=tmp_path,
    )
    with pytest.raises(SystemExit) as neither:
        main(["export", "--team", "North Team"])

    assert case.returncode == 1 and "isn't one you can see" in case.stderr
    assert "Traceback" not in case.stderr
    assert neither.value.code == 2
    assert "one of the arguments --case --member is required" in capsys.readouterr().err
    assert list(tmp_path.glob("bearings-*")) == []
