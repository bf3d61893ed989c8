"""A tiny run of the rotation benchmark (bench/rotation.py): ``bearings rotate-key`` in its
own process while the real bot answers workers over the emulator.

Only the shape and sanity of the figures are checked, never the targets: the
machine running the tests is shared and noisy (the real run is ``make bench``).
"""

from __future__ import annotations

import pytest

from bench import rotation


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_rotation_smoke_run_re_encrypts_every_note_while_replies_keep_coming(
    backend: str,
) -> None:
    report = rotation.main(["--smoke", "--database", backend, "--notes", "600"])
    rows = {row.measure: row for row in report.rows}
    where = f"{backend}, 600 notes"
    assert rows[f"values re-encrypted ({where})"].value >= 1_200  # two fields per note
    assert rows[f"bearings rotate-key ({where})"].value > 0
    assert rows[f"replies lost ({backend})"].value == 0
    assert rows[f"replies during rotation ({backend})"].value >= 1
    assert 0 < rows[f"reply p95 during rotation ({backend})"].value < 30_000
