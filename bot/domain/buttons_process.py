"""The buttons of a case's key-worker process: the "Plan & reviews" menu, one part of the
process shown, and the review history a page at a time (see ``bot.domain.buttons``)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.button_data import Button, Word

PARTS = ("agreement", "assessment", "plan", "evaluation")
"""The parts of a case's process that can be shown."""


@dataclass(frozen=True)
class CasePlanMenu(Button):
    """Plan & reviews ▸ on a case's card: where the case's process stands, a button a part."""

    prefix = "cpm"
    case_id: int


@dataclass(frozen=True)
class ShowCasePart(Button):
    """One part of a case's process in full (``part``: one of ``PARTS``)."""

    prefix = "cpv"
    case_id: int
    part: Word

    def is_well_formed(self) -> bool:
        """Only a part there is."""
        return self.part in PARTS


@dataclass(frozen=True)
class CaseReviews(Button):
    """A page of a case's plan reviews, newest first."""

    prefix = "cpr"
    case_id: int
    page: int = 0
