"""What an "I'm stuck" walk-through suggests, from its answers alone (CONTENT.md §A).

Pure rules: each suggestion is a short code the summary template turns into
words. The endings a worker can choose afterwards are listed here too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import Any

BASICS = ("basics_safety", "basics_housing", "basics_money", "basics_health")
AGENCIES = (1, 2, 3)
"""The agency slots of the network step (``agency_1``, ``agency_1_problem``, ...)."""
VIEWS = ("problem", "plan", "roles")
"""What the worker and an agency may share a view of: the problem, what to do, who does what."""
EARLIER_NETWORK = tuple(f"network_{view}" for view in VIEWS)
"""The network step as walk-throughs kept before it went agency by agency (all together)."""
NOT_SEEN_DAYS = 21
"""Three weekly visits missed: not seen face to face for longer reads as not engaged."""


class StuckEnding(StrEnum):
    """What a worker can do with a finished walk-through (several may be chosen)."""

    FLAG_TODAY = "flag_today"
    FLAG_WEEK = "flag_week"
    FLAG_SUPERVISION = "flag_supervision"
    NOTE = "note"
    ACTION = "action"
    AGENDA = "agenda"
    TEAM_MEETING = "team_meeting"
    JOIN_UP_1 = "join_1"
    JOIN_UP_2 = "join_2"
    JOIN_UP_3 = "join_3"

    @property
    def is_flag(self) -> bool:
        """Whether this ending raises a flag (only one flag per walk-through)."""
        return self.value.startswith("flag_")

    @property
    def agency(self) -> int | None:
        """For a joining-up conversation: the agency slot it is with."""
        return int(self.value[-1]) if self.value.startswith("join_") else None


def agencies_differing(answers: Mapping[str, Any]) -> list[tuple[int, str]]:
    """The agencies named whose view differs from the worker's on anything (slot, name):
    each is worth a joining-up conversation."""
    return [
        (slot, str(answers[f"agency_{slot}"]))
        for slot in AGENCIES
        if answers.get(f"agency_{slot}")
        and any(answers.get(f"agency_{slot}_{view}") == "differ" for view in VIEWS)
    ]


def endings_offered(answers: Mapping[str, Any], chosen: list[str]) -> list[StuckEnding]:
    """The endings a walk-through offers now: those left, the team meeting only when the
    worker did not get what they needed, a joining-up conversation for each agency that
    differs, the actions only when there is a quick win or next step to make one of."""
    differing = {slot for slot, _ in agencies_differing(answers)}
    wanted = {
        StuckEnding.TEAM_MEETING: answers.get("got_it") in ("partly", "no"),
        StuckEnding.ACTION: bool(answers.get("quick_win") or answers.get("next_step")),
    }
    return [
        ending
        for ending in endings_left(chosen)
        if wanted.get(ending, True) and (ending.agency is None or ending.agency in differing)
    ]


def fit_for_supervision(answers: Mapping[str, Any]) -> bool:
    """Not sure the help fits, or it is what we usually offer: the assessment goes on the
    supervision agenda."""
    return answers.get("fit") in ("not_sure", "habit")


def not_engaged(answers: Mapping[str, Any], on: date, weekly: Sequence[str] = ()) -> bool:
    """Rated 2 or less for engagement, not seen face to face for three weeks or more, or
    "not engaged" in the last two weekly checks (``weekly``: the latest first)."""
    engagement = _number(answers, "engagement")
    last_seen = answers.get("last_seen")
    unseen = bool(last_seen) and (on - date.fromisoformat(str(last_seen))).days >= NOT_SEEN_DAYS
    checks = len(weekly) >= 2 and all(rating == "not" for rating in weekly[:2])
    return (engagement is not None and engagement <= 2) or unseen or checks


def _number(answers: Mapping[str, Any], step: str) -> int | None:
    value = answers.get(step)
    return int(value) if isinstance(value, int) else None


def unmet_basics(answers: Mapping[str, Any]) -> list[str]:
    """The basic needs answered "no" (they come before anything else)."""
    return [step for step in BASICS if answers.get(step) == "no"]


def suggestions(answers: Mapping[str, Any], on: date, weekly: Sequence[str] = ()) -> list[str]:
    """Short codes for what the answers point to, most pressing first (``on``: the day of
    the walk-through, for how long ago they were last seen; ``weekly``: the case's latest
    weekly engagement checks, newest first)."""
    found = []
    if answers.get("safety") == "yes":
        found.append("safeguarding")
    if unmet_basics(answers):
        found.append("basics_first")
    strength = _number(answers, "feeling_strength")
    if strength is not None and strength >= 4:
        found.append("thinking_together")
    if answers.get("phase") in ("keeping_going", "ending") and not_engaged(answers, on, weekly):
        found.append("agree_goals_again")
    if any(_number(answers, step) in (1, 5) for step in ("steer", "contact")):
        found.append("other_side")
    if agencies_differing(answers) or any(answers.get(s) == "differ" for s in EARLIER_NETWORK):
        found.append("joining_up")
    if fit_for_supervision(answers):
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
