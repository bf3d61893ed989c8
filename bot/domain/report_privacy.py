"""Who a report's figure could give away: the privacy rule of team and organisation reports.

Reports are per team or for the whole organisation, never per named worker. Two
things keep a figure from saying something about one person:

- a figure built from the keeping-your-bearings checks of fewer than five people is
  not shown (the same five as ``/bearings team``: a check is a worker's private
  reflection, and a small group's average is nearly one person's answers);
- a figure built from one worker's work alone (one worker's visits, flags, cases)
  is not shown either: printed in a team's report it would single that worker out
  against the team. A figure with nobody behind it (nothing happened) is shown as
  nothing, because it gives nobody away.

Figures come with the ids of the people behind them (``contributors``); the ids are
counted here and never printed.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.domain.bearings import TEAM_MINIMUM

T = TypeVar("T")

MIN_BEARINGS_PEOPLE = TEAM_MINIMUM
"""A figure from bearings checks needs at least this many people's checks behind it."""
MIN_WORKERS = 2
"""Any other figure with someone behind it needs at least this many workers behind it."""

FEW_BEARINGS = "few_bearings"
ONE_WORKER = "one_worker"


def withheld_because(contributors: Collection[int], *, bearings: bool = False) -> str | None:
    """Why a figure built from these people's work (or, with ``bearings``, their bearings
    checks) must not be shown, or None when it may."""
    people = len(set(contributors))
    if bearings and people < MIN_BEARINGS_PEOPLE:
        return FEW_BEARINGS
    if 0 < people < MIN_WORKERS:
        return ONE_WORKER
    return None


@dataclass(frozen=True)
class Figure(Generic[T]):
    """One figure of a report: its value when it may be shown; else why not (``withheld``:
    the privacy rule; ``not_recorded``: this version of Bearings does not record it), or
    neither when there was nothing to count in the period."""

    value: T | None = None
    withheld: str | None = None
    not_recorded: bool = False

    @property
    def shown(self) -> bool:
        """Whether there is a value to show."""
        return self.value is not None


def guarded(value: T | None, contributors: Collection[int], *, bearings: bool = False) -> Figure[T]:
    """The figure, or the figure withheld when the privacy rule says so."""
    why = withheld_because(contributors, bearings=bearings)
    if why is not None:
        return Figure(withheld=why)
    return Figure(value=value)
