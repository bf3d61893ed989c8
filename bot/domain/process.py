"""The key-worker process's rules (CONTENT.md §D): the next step's flow for a stage, a plan's
aims, who may own an action, what a review's marks and outcome do, what changed by the end.

Plain functions over plain data; the services store and word what these decide.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

NEXT_STEP_FLOWS = {
    "agreement": "agreement",
    "assessment": "assessment",
    "family_meeting": "plan",
    "support_plan": "plan",
    "closing": "case_close",
}
"""The flow that does what a stage is for (a family meeting agrees the plan)."""


def next_step_flow(stage: str) -> str | None:
    """The flow to offer when a case moves to ``stage`` (None: nothing to record for it)."""
    return NEXT_STEP_FLOWS.get(stage)


ENGAGEMENT_AIM = "Keeping the family engaged"
"""Always one of a plan's aims (added after the others when not named)."""


def aims_with_engagement(aims: Sequence[str]) -> list[str]:
    """The aims in order of need, keeping the family engaged among them."""
    named = [aim.strip() for aim in aims if aim.strip()]
    if any(aim.casefold() == ENGAGEMENT_AIM.casefold() for aim in named):
        return named
    return [*named, ENGAGEMENT_AIM]


def aims_kept(current: Sequence[tuple[int, str]], wanted: Sequence[str]) -> list[int | None]:
    """For each aim now wanted, in order, the id of the plan's aim it keeps (the same words,
    whatever their case: its scores go with it), or None for a new one."""
    by_words = {words.casefold(): aim_id for aim_id, words in current}
    return [by_words.pop(words.casefold(), None) for words in wanted]


LEVELS = ("person", "family", "community")
"""An assessment's three levels (the community includes school)."""
SIDES = ("risk", "protective")


def factors_from(answers: Mapping[str, Any]) -> dict[str, dict[str, list[str]]]:
    """An assessment's factors from its steps (``person_risk``, ``family_protective``, ...)."""
    return {
        level: {side: list(answers.get(f"{level}_{side}") or []) for side in SIDES}
        for level in LEVELS
    }


OWNER_KINDS = ("team", "family", "agency")
"""Who owns a plan action: a team member, a family member (by role), an agency."""

MARKS = {"done": "done", "carried": "open", "dropped": "dropped"}
"""A review's mark for an action, and the action's status after it."""

OUTCOMES = ("carry_on", "step_up", "step_down", "close")


def status_after(mark: str | None) -> str | None:
    """An action's status after a review marked it (None: not marked, left as it was)."""
    return MARKS.get(mark or "")


def next_review_needed(outcome: str) -> bool:
    """Every outcome but closing sets the next review."""
    return outcome != "close"


_MEMBER = re.compile(r"member:(\d{1,18})")


def member_line(member_id: int) -> str:
    """How a team member picked as taking part is kept among a review's lines."""
    return f"member:{member_id}"


def participants_from(lines: Sequence[str]) -> list[dict[str, Any]]:
    """Who took part, as stored: a team member by id, anyone else by the words given."""
    found: list[dict[str, Any]] = []
    for line in lines:
        member = _MEMBER.fullmatch(line)
        found.append({"member": int(member.group(1))} if member else {"text": line})
    return found


def whole_number(text: str) -> int | None:
    """A count as typed ("3", " 12 "), or None when it is not a whole number from 0."""
    cleaned = text.strip()
    return int(cleaned) if cleaned.isdecimal() and len(cleaned) <= 6 else None


def counts_from(
    names: Sequence[str], at_start: Mapping[str, Any], at_end: Mapping[str, Any]
) -> dict[str, dict[str, int | None]]:
    """The team's counts for a case, at the start of support and at closing (None: not
    given)."""
    return {
        name: {"start": _count(at_start.get(name)), "end": _count(at_end.get(name))}
        for name in names
    }


def _count(value: Any) -> int | None:
    return (
        int(value)
        if isinstance(value, int) or (isinstance(value, str) and value.isdecimal())
        else None
    )
