"""The command line and the sandbox, run as real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from storage.crypto import generate_key

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


def bearings(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed `bearings` console script with a clean Bearings environment."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "BEARINGS_", "DATABASE_", "WEBHOOK_"))
    }
    return subprocess.run(
        [str(BIN / "bearings"), *args],
        env={**base, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_help_lists_every_command_and_each_has_its_own_help(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = bearings("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("run", "sandbox", "migrate", "team", "invite"):
        assert command in result.stdout
    for command in (["run"], ["sandbox"], ["migrate"], ["team", "create"], ["invite"]):
        with pytest.raises(SystemExit) as exited:
            main([*command, "--help"])
        assert exited.value.code == 0
        assert f"usage: bearings {' '.join(command)}" in capsys.readouterr().out


def test_run_without_a_token_explains_and_points_to_the_sandbox(tmp_path: Path) -> None:
    result = bearings("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "@BotFather" in result.stderr and "bearings sandbox" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_without_data_keys_refuses_and_says_how_to_make_one(tmp_path: Path) -> None:
    result = bearings("run", env={"TELEGRAM_BOT_TOKEN": "123:abc"}, cwd=tmp_path)
    assert result.returncode == 2
    assert (
        "BEARINGS_DATA_KEYS is not set" in result.stderr and "Fernet.generate_key" in result.stderr
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TELEGRAM_API_BASE_URL", "not a url"),
        ("BEARINGS_DATA_KEYS", "nope"),
        ("DEFAULT_TIMEZONE", "Atlantis/Deep"),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_line(
    tmp_path: Path, variable: str, value: str
) -> None:
    result = bearings("run", env={"TELEGRAM_BOT_TOKEN": "123:abc", variable: value}, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0] and "Traceback" not in result.stderr


def test_team_create_invite_and_migrate_from_the_command_line(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "BEARINGS_DATA_KEYS": generate_key(),
        "BOT_USERNAME": "north_bearings_bot",
    }
    assert bearings("migrate", env=env, cwd=tmp_path).returncode == 0
    created = bearings(
        "team", "create", "North Team", "--timezone", "Europe/London", env=env, cwd=tmp_path
    )
    assert created.returncode == 0, created.stderr
    assert (
        "https://t.me/north_bearings_bot?start=" in created.stdout
        and "supervisor" in created.stdout
    )
    again = bearings(
        "team", "create", "North Team", "--timezone", "Europe/London", env=env, cwd=tmp_path
    )
    assert again.returncode == 1 and "already exists" in again.stderr
    bad_zone = bearings("team", "create", "South", "--timezone", "Moon/Base", env=env, cwd=tmp_path)
    assert bad_zone.returncode == 1 and "time zone" in bad_zone.stderr
    invite = bearings("invite", "--team", "North Team", "--role", "worker", env=env, cwd=tmp_path)
    assert invite.returncode == 0 and "for a worker" in invite.stdout
    missing = bearings("invite", "--team", "Nowhere", "--role", "worker", env=env, cwd=tmp_path)
    assert missing.returncode == 1 and "no team called Nowhere" in missing.stderr


def test_the_sandbox_needs_no_token_and_answers_in_the_terminal(tmp_path: Path) -> None:
    script = "/help\n:supervisor\n/help\n/invite\n#1\n:newcomer\n/start\n:quit\n"
    result = bearings("sandbox", stdin=script, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "Bearings for key workers" in out
    assert "Bearings for supervisors" in out
    assert "[1] A key worker" in out
    assert "(edited)" in out and "one-time invite for a worker" in out
    assert "invite link from your supervisor" in out
    assert "Traceback" not in result.stderr
