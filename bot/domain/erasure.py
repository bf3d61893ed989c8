"""Erasure rules: who takes over the open cases of someone who erases their account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Supervisor:
    """An active supervisor of the team, and whether they are away today."""

    member_id: int
    away: bool


def receiving_supervisor(leaving_id: int, supervisors: Sequence[Supervisor]) -> int | None:
    """The supervisor who takes over the open cases (and case actions) of a member who
    erases their account: another supervisor of the team, one who is here before one who
    is away, the longest-standing first (lowest id). None when nobody else supervises the
    team: then the erasure must wait, or the team would be left with no one to pass to
    and no one to take its flags."""
    others = [s for s in supervisors if s.member_id != leaving_id]
    if not others:
        return None
    return min(others, key=lambda s: (s.away, s.member_id)).member_id
