"""Buttons of the team's pictures and reports (kept apart from ``buttons`` for its size)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.button_data import Button


@dataclass(frozen=True)
class TeamPicture(Button):
    """The team as a picture: per worker, cases, overdue visits and open flags (supervisors)."""

    prefix = "tmp"
