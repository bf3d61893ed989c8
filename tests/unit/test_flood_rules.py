"""Per-person flood control rules (bot/domain/flood.py): a burst, then a steady rate."""

from __future__ import annotations

import pytest

from bot.domain.flood import FloodGuard, FloodRule, admit

RULE = FloodRule(burst=3, per_second=2)


def test_a_burst_passes_at_once_then_each_update_waits_its_turn() -> None:
    bucket, waits, warnings = None, [], []
    for _ in range(6):  # all arriving at the same moment
        admission = admit(bucket, 100.0, RULE)
        bucket = admission.bucket
        waits.append(admission.wait)
        warnings.append(admission.warn)
    assert waits == pytest.approx([0, 0, 0, 0.5, 1.0, 1.5])
    assert warnings == [False, False, False, True, False, False]  # told once


def test_someone_writing_at_the_steady_rate_never_waits() -> None:
    bucket = None
    for n in range(20):
        admission = admit(bucket, 100.0 + n * 0.5, RULE)
        assert admission.wait == 0 and not admission.warn
        bucket = admission.bucket


def test_a_new_flood_after_a_quiet_spell_is_told_again_but_not_a_pause_within_one() -> None:
    bucket = None
    for _ in range(4):
        bucket = admit(bucket, 100.0, RULE).bucket
    assert bucket is not None and bucket.warned and bucket.tokens == -1
    # A quarter of a second later the flood goes on: they wait, and are not told again.
    again = admit(bucket, 100.25, RULE)
    assert again.wait == pytest.approx(0.75) and not again.warn
    # Quiet until the bucket is full again: the flood is over, the next one is told afresh.
    bucket, warnings = again.bucket, []
    for _ in range(4):
        admission = admit(bucket, 200.0, RULE)
        bucket = admission.bucket
        warnings.append(admission.warn)
    assert warnings == [False, False, False, True]


def test_each_person_has_their_own_bucket_and_full_ones_are_forgotten() -> None:
    guard = FloodGuard(RULE, keep=2)
    for _ in range(4):
        flooder = guard.admit("kim", 100.0)
    assert flooder.wait > 0
    assert guard.admit("alex", 100.0).wait == 0
    guard.admit("jo", 200.0)  # over ``keep``: the buckets that refilled long ago go
    assert guard.admit("kim", 200.0).wait == 0
