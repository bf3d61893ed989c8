"""Retention (domain layer, plain Python): what is kept, and for how long.

A closed case is kept for its team's retention period, counted from the
instant it was closed; once that many days have passed it is purged with
everything recorded about it. An open case is never due. A draft (a flow left
idle, kept to carry on with) keeps its answers for the same period, counted from
its last answer; then it is dropped. A failed update's payload (kept so that
nothing a person sent is lost) is kept for the deployment's period, counted from
when it arrived: an update belongs to a chat, not to a team.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MIN_RETENTION_DAYS, MAX_RETENTION_DAYS = 1, 3650
"""The same bounds as the deployment's RETENTION_DAYS setting."""


@dataclass(frozen=True)
class ClosedCase:
    """What the rule needs to know about a case."""

    id: int
    closed_at: datetime | None


def retention_days(team_override: object, default: int) -> int:
    """The team's retention period: its own when it is a whole number of days in bounds,
    else the deployment default (so a mistyped setting can never purge early)."""
    if (
        isinstance(team_override, int)
        and not isinstance(team_override, bool)
        and MIN_RETENTION_DAYS <= team_override <= MAX_RETENTION_DAYS
    ):
        return team_override
    return default


def purge_cutoff(now: datetime, days: int) -> datetime:
    """Cases closed at or before this instant are due."""
    if days < MIN_RETENTION_DAYS:
        raise ValueError("the retention period is at least one day")
    return now - timedelta(days=days)


def is_due(case: ClosedCase, now: datetime, days: int) -> bool:
    """Whether a case has been closed for the whole retention period."""
    return case.closed_at is not None and case.closed_at <= purge_cutoff(now, days)


def due_for_purge(cases: list[ClosedCase], now: datetime, days: int) -> list[ClosedCase]:
    """The cases due, oldest closed first."""
    due = [case for case in cases if is_due(case, now, days)]
    return sorted(due, key=lambda case: (case.closed_at, case.id))


def cutoffs(now: datetime, days_by_team: dict[int, int]) -> dict[int, datetime]:
    """Each team's cutoff: a case closed, or a draft last answered, at or before it has been
    kept for the team's whole period."""
    return {team_id: purge_cutoff(now, days) for team_id, days in days_by_team.items()}


@dataclass(frozen=True)
class PurgedCase:
    """What a case's purge removes that other rows may point at: the ids of its flags and
    notes (``v.12``, ``s.4``: a visit or a supervision note), and its reference."""

    case_id: int
    reference: str
    flag_ids: frozenset[int]
    note_refs: frozenset[str]


def flow_refers(answers: object, purged: PurgedCase) -> bool:
    """Whether a flow's answers point at the purged case, one of its flags or one of its
    notes (the ``case``, ``flag`` and ``note`` answers, given in advance or chosen)."""
    values = answers.get("values") if isinstance(answers, dict) else None
    if not isinstance(values, dict):
        return False
    note = ".".join(str(values.get("note", "")).split(".")[:2])
    return (
        values.get("case") == purged.case_id
        or values.get("flag") in purged.flag_ids
        or note in purged.note_refs
    )


def import_names(rows: object, purged: PurgedCase) -> bool:
    """Whether a caseload file waiting for Import names the purged case: its preview was
    made against a case that is gone, so it no longer holds and the file must be sent again."""
    return isinstance(rows, list) and any(
        isinstance(row, dict) and row.get("reference") == purged.reference for row in rows
    )
