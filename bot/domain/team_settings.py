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


def team_settings(stored: Mapping[str, Any] | None) -> TeamSettings:
    """The team's settings, defaults filling what is not stored (unknown keys ignored)."""
    known = {field.name for field in fields(TeamSettings)}
    values = {key: value for key, value in (stored or {}).items() if key in known}
    return TeamSettings(**values)
