"""What an "I'm stuck" walk-through suggests, from its answers alone (CONTENT.md §A).

Pure rules: each suggestion is a short code the summary template turns into
words. The endings a worker can choose afterwards are listed here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

BASICS = ("basics_safety", "basics_housing", "basics_money", "basics_health")
NETWORK = ("network_problem", "network_plan", "network_roles")


class StuckEnding(StrEnum):
    """What a worker can do with a finished walk-through (several may be chosen)."""

    FLAG_TODAY = "flag_today"
    FLAG_WEEK = "flag_week"
    FLAG_SUPERVISION = "flag_supervision"
    NOTE = "note"
    ACTION = "action"
    AGENDA = "agenda"

    @property
    def is_flag(self) -> bool:
        """Whether this ending raises a flag (only one flag per walk-through)."""
        return self.value.startswith("flag_")


def _number(answers: Mapping[str, Any], step: str) -> int | None:
    value = answers.get(step)
    return int(value) if isinstance(value, int) else None


def unmet_basics(answers: Mapping[str, Any]) -> list[str]:
    """The basic needs answered "no" (they come before anything else)."""
    return [step for step in BASICS if answers.get(step) == "no"]


def suggestions(answers: Mapping[str, Any]) -> list[str]:
    """Short codes for what the answers point to, most pressing first."""
    found = []
    if answers.get("safety") == "yes":
        found.append("safeguarding")
    if unmet_basics(answers):
        found.append("basics_first")
    strength = _number(answers, "feeling_strength")
    if strength is not None and strength >= 4:
        found.append("thinking_together")
    engagement = _number(answers, "engagement")
    if (
        answers.get("phase") in ("keeping_going", "ending")
        and engagement is not None
        and engagement <= 2
    ):
        found.append("agree_goals_again")
    if any(_number(answers, step) in (1, 5) for step in ("steer", "contact")):
        found.append("other_side")
    if any(answers.get(step) == "differ" for step in NETWORK):
        found.append("joining_up")
    if answers.get("fit") in ("not_sure", "habit"):
        found.append("assessment_to_supervision")
    if answers.get("whose") in ("no", "not_sure"):
        found.append("widen_the_circle")
    if answers.get("got_it") in ("partly", "no"):
        found.append("flag_or_team_meeting")
    return found


def endings_left(chosen: list[str]) -> list[StuckEnding]:
    """The endings still on offer after these were chosen (one flag at most)."""
    flagged = any(StuckEnding(value).is_flag for value in chosen)
    return [
        ending
        for ending in StuckEnding
        if ending.value not in chosen and not (flagged and ending.is_flag)
    ]
