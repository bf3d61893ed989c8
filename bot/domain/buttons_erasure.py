"""Buttons of erasing one's own account (kept apart from ``buttons`` to keep each module
small; ``buttons`` imports them so every kind is known by its prefix)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.button_data import Button


@dataclass(frozen=True)
class ConfirmErasure(Button):
    """Erase my account, with the cases going to the supervisor named when it was shown."""

    prefix = "fm"
    supervisor_id: int


@dataclass(frozen=True)
class KeepAccount(Button):
    """Keep my account."""

    prefix = "fmx"
