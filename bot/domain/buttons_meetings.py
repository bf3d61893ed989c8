"""Buttons about the team's meetings and the weekly engagement check (kept apart from
``buttons`` to keep each module small; ``buttons`` imports this so every kind is known by its
prefix)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.button_data import Button, Word


@dataclass(frozen=True)
class TeamMeetingDiscussed(Button):
    """The team meeting's agenda discussed: every item up to the newest one shown."""

    prefix = "tmd"
    upto: int


# The weekly engagement check (kept here too: the team's regular rhythm of meetings and checks).


ENGAGEMENT_RATINGS = ("engaged", "partly", "not")


@dataclass(frozen=True)
class RateEngagement(Button):
    """This week's engagement of one case (the week as its Monday's ordinal)."""

    prefix = "eg"
    case_id: int
    week: int
    rating: Word

    def is_well_formed(self) -> bool:
        """One of the three ratings."""
        return self.rating in ENGAGEMENT_RATINGS


@dataclass(frozen=True)
class IncidentAnswer(Button):
    """Any incident this week: ``no`` (none on any case) or ``yes`` (report one)."""

    prefix = "ei"
    week: int
    answer: Word

    def is_well_formed(self) -> bool:
        """Yes or no."""
        return self.answer in ("yes", "no")
