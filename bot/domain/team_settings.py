"""A team's settings: what is stored in ``teams.settings`` and the defaults when it is not."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

DEFAULT_SAFEGUARDING = (
    "Follow your local safeguarding procedure now: talk to your designated safeguarding "
    "lead or duty team. If someone is in immediate danger, call 999."
)


@dataclass(frozen=True)
class TeamSettings:
    """Settings a team can change; every one has a sensible default."""

    correction_days: int = 7
    """How long a worker can correct their own note."""
    safeguarding_instruction: str = DEFAULT_SAFEGUARDING
    """Shown at once when someone may be at immediate risk of harm."""
    ack_minutes_today: int = 60
    """Time for a supervisor to pick up an urgent ("today") flag, by the clock."""
    ack_working_minutes_week: int = 8 * 60
    """Time for a "this week" flag, counted in working time (one working day)."""
    update_hours_today: int = 4
    """Once an urgent flag is picked up: hours until whoever took it is asked for an update
    (it is escalated to every supervisor at twice that)."""
    update_working_days_week: int = 2
    """The same for a "this week" flag, in working days (one is ``ack_working_minutes_week``)."""
    update_days_supervision: int = 14
    """The same for a "next supervision" flag, in days."""
    nudge_hour: str = "09:00"
    """When the day's nudges go, local time (a person can choose their own)."""
    review_nudge_days: tuple[int, ...] = (7, 1)
    """How many days before a plan review the key worker is reminded."""
    bearings_weekday: int = 4
    """The day of the weekly bearings prompt (Monday = 0; default Friday)."""
    bearings_hour: str = "14:00"
    """Its time."""
    first_contact_alert_days: int = 7
    """A new case with no first contact: days until the supervisors are told."""
    assessment_due_days: int = 14
    """Days after the first contact that the assessment is due."""
    plan_review_weeks: int = 6
    """Weeks between plan reviews (4 to 12): the first is set when the support plan starts."""
    engagement_weekday: int = 4
    """The day of the weekly engagement check (Monday = 0; default Friday)."""
    retention_days: int | None = None
    """Days a closed case is kept before it is purged; None: the deployment's RETENTION_DAYS."""
    evaluation_counts: tuple[str, ...] = ("Incidents reported", "School days missed")
    """What a case's evaluation counts, at the start of support and at closing."""


_KNOWN = frozenset(field.name for field in fields(TeamSettings))


def team_settings(stored: Mapping[str, Any] | None) -> TeamSettings:
    """The team's settings, defaults filling what is not stored (unknown keys ignored)."""
    values = {key: value for key, value in (stored or {}).items() if key in _KNOWN}
    if "review_nudge_days" in values:
        values["review_nudge_days"] = tuple(int(day) for day in values["review_nudge_days"])
    if "evaluation_counts" in values:
        values["evaluation_counts"] = tuple(str(name) for name in values["evaluation_counts"])
    return TeamSettings(**values)


TEAM_COLUMNS = ("timezone", "quiet_start", "quiet_end", "working_days")
"""Team settings kept in their own columns rather than in ``teams.settings``."""


def parse_setting(key: str, raw: str) -> Any:
    """A setting as typed on the command line, checked; ValueError says what is wrong."""
    kinds = {field.name: field.type for field in fields(TeamSettings)}
    if key in ("quiet_start", "quiet_end", "nudge_hour", "bearings_hour"):
        hour, _, minute = raw.partition(":")
        if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
            raise ValueError(f"{key} must be a time like 08:00")
        return f"{int(hour):02d}:{int(minute):02d}"
    if key == "working_days":
        if not raw or not set(raw) <= set("1234567"):
            raise ValueError("working_days must be digits 1-7 (Monday = 1), like 12345")
        return "".join(sorted(set(raw)))
    if key == "timezone":
        return raw
    if key not in kinds:
        known = ", ".join([*TEAM_COLUMNS, *kinds])
        raise ValueError(f"unknown setting {key!r}; known: {known}")
    if key == "review_nudge_days":
        days = [part.strip() for part in raw.split(",") if part.strip()]
        if not days or not all(day.isdigit() and 0 < int(day) <= 60 for day in days):
            raise ValueError("review_nudge_days must be days before a review, like 7,1")
        return [int(day) for day in days]
    if key == "evaluation_counts":
        names = [part.strip() for part in raw.split(";") if part.strip()]
        if len(names) > 6 or not all(len(name) <= 40 for name in names):
            raise ValueError("evaluation_counts must be up to 6 names of 40 characters, split by ;")
        return names
    if key == "safeguarding_instruction":
        if not 10 <= len(raw.strip()) <= 1000:
            raise ValueError("safeguarding_instruction must be 10 to 1000 characters")
        return raw.strip()
    if key == "plan_review_weeks" and not (raw.isdigit() and 4 <= int(raw) <= 12):
        raise ValueError("plan_review_weeks must be 4 to 12")
    if key.endswith("_weekday") and not (raw.isdigit() and int(raw) <= 6):
        raise ValueError(f"{key} must be a day, 0 (Monday) to 6 (Sunday)")
    if key.endswith("_weekday"):
        return int(raw)
    if not raw.isdigit() or int(raw) <= 0:
        raise ValueError(f"{key} must be a whole number above 0")
    return int(raw)
