"""Per-person flood control: a token bucket per sender (pure; the caller passes the time).

Each person may send ``burst`` updates at once; after that, updates are let
through at ``per_second``. An update over the limit is not dropped: it is told
how long to wait, so the person's later updates are handled later, in order,
while everybody else's go on as usual. The first update that has to wait in a
flood says so (``warn``), so the person is told once per flood, not once per
message; the flood is over when their bucket has filled up again.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class FloodRule:
    """How much one person may send: ``burst`` at once, then ``per_second``."""

    burst: float = 20.0
    per_second: float = 2.0


@dataclass(frozen=True)
class Bucket:
    """One person's tokens, as counted at ``at`` (seconds on a monotonic clock); below
    zero when updates are booked ahead."""

    tokens: float
    at: float
    warned: bool = False
    """Whether they have been told to slow down during the current flood."""


@dataclass(frozen=True)
class Admission:
    """When an update may be handled: after ``wait`` seconds; ``warn`` asks to tell the
    person to slow down (the first wait of a flood)."""

    bucket: Bucket
    wait: float
    warn: bool


def admit(bucket: Bucket | None, now: float, rule: FloodRule) -> Admission:
    """Take one token for an update arriving at ``now``, waiting for it if there is none.

    A bucket may go below zero: each update over the limit books the next token still
    to come, so the tenth one over waits ten times as long as the first.
    """
    if bucket is None:
        tokens, warned = rule.burst, False
    else:
        tokens = min(rule.burst, bucket.tokens + (now - bucket.at) * rule.per_second)
        # A full bucket means they have been quiet long enough: a new flood starts afresh.
        warned = bucket.warned and tokens < rule.burst
    if tokens >= 1.0:
        return Admission(Bucket(tokens - 1.0, now, warned), 0.0, False)
    wait = (1.0 - tokens) / rule.per_second
    return Admission(Bucket(tokens - 1.0, now, True), wait, not warned)


class FloodGuard:
    """The buckets of everyone who wrote lately, keyed by sender."""

    def __init__(self, rule: FloodRule, *, keep: int = 10_000) -> None:
        self.rule = rule
        self._keep = keep
        self._buckets: dict[Hashable, Bucket] = {}

    def admit(self, sender: Hashable, now: float) -> Admission:
        """Count one update from ``sender`` arriving at ``now``."""
        admission = admit(self._buckets.get(sender), now, self.rule)
        self._buckets[sender] = admission.bucket
        if len(self._buckets) > self._keep:
            self._forget_full(now)
        return admission

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have filled up again: a missing bucket is a full one."""
        self._buckets = {
            sender: b
            for sender, b in self._buckets.items()
            if b.at + (self.rule.burst - b.tokens) / self.rule.per_second > now
        }
