"""`bearings team show`, `bearings team set` and `bearings report`, run for real."""

from __future__ import annotations

from pathlib import Path

from storage.crypto import generate_key
from tests.e2e.test_cli_and_sandbox import bearings


def test_team_show_warns_without_a_supervisor_and_set_changes_a_checked_setting(
    tmp_path: Path,
) -> None:
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'team.db'}",
        "BEARINGS_DATA_KEYS": generate_key(),
        "BOT_USERNAME": "north_bearings_bot",
    }
    created = bearings(
        "team", "create", "North Team", "--timezone", "Europe/London", env=env, cwd=tmp_path
    )
    assert created.returncode == 0, created.stderr

    shown = bearings("team", "show", "North Team", env=env, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "WARNING: no supervisor can be reached" in shown.stdout
    assert "safeguarding_instruction = Follow your local safeguarding procedure" in shown.stdout
    assert "quiet_start = 20:00" in shown.stdout and "review_nudge_days = 7,1" in shown.stdout

    changed = bearings(
        "team",
        "set",
        "North Team",
        "safeguarding_instruction",
        "Ring the duty team on 01234 567890 now; if in danger, call 999.",
        env=env,
        cwd=tmp_path,
    )
    assert changed.returncode == 0, changed.stderr
    hours = bearings("team", "set", "North Team", "quiet_start", "21:30", env=env, cwd=tmp_path)
    assert hours.returncode == 0
    shown = bearings("team", "show", "North Team", env=env, cwd=tmp_path)
    assert "Ring the duty team on 01234 567890" in shown.stdout
    assert "quiet_start = 21:30" in shown.stdout

    bad = bearings("team", "set", "North Team", "nudge_hour", "25:00", env=env, cwd=tmp_path)
    assert bad.returncode == 1 and "must be a time like 08:00" in bad.stderr
    unknown = bearings("team", "set", "North Team", "colour", "blue", env=env, cwd=tmp_path)
    assert unknown.returncode == 1 and "unknown setting 'colour'" in unknown.stderr
    missing = bearings("team", "show", "Nowhere", env=env, cwd=tmp_path)
    assert missing.returncode == 1 and "no team called Nowhere" in missing.stderr

    report = bearings("report", "--team", "North Team", env=env, cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert "Report for North Team" in report.stdout
    assert "flags raised          0" in report.stdout and "flag pick-up  none" in report.stdout
    assert "engagement    none" in report.stdout  # recorded (issue 22.6), none this period
    pdf = tmp_path / "north.pdf"
    dated = bearings(
        "report", "--team", "North Team", "--from", "2026-11-01", "--to", "2026-11-30",
        "--pdf", str(pdf), env=env, cwd=tmp_path,
    )  # fmt: skip
    assert dated.returncode == 0, dated.stderr
    assert "2026-11-01 to 2026-11-30" in dated.stdout and pdf.read_bytes().startswith(b"%PDF")
    org = bearings("report", "--org", env=env, cwd=tmp_path)
    assert org.returncode == 0 and "Report for Every team" in org.stdout
    backwards = bearings(
        "report", "--org", "--from", "2026-12-01", "--to", "2026-11-01", env=env, cwd=tmp_path
    )
    assert backwards.returncode == 1 and "last day comes before its first" in backwards.stderr
