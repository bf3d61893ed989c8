"""A team's settings: what is stored in ``teams.settings`` and the defaults when it is not."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class TeamSettings:
    """Settings a team can change; every one has a sensible default."""

    correction_days: int = 7
    """How long a worker can correct their own note."""


def team_settings(stored: Mapping[str, Any] | None) -> TeamSettings:
    """The team's settings, defaults filling what is not stored (unknown keys ignored)."""
    known = {field.name: field.type for field in fields(TeamSettings)}
    values = {key: value for key, value in (stored or {}).items() if key in known}
    return TeamSettings(**values)
