"""Buttons about the team's meetings (kept apart from ``buttons`` to keep each module small;
``buttons`` imports this so every kind is known by its prefix)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.button_data import Button


@dataclass(frozen=True)
class TeamMeetingDiscussed(Button):
    """The team meeting's agenda discussed: every item up to the newest one shown."""

    prefix = "tmd"
    upto: int
