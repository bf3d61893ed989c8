"""Steps answered a piece at a time: a list of short lines, and one question per item.

A ``lines`` step takes one short line per message (typed, or one of its options picked) until
"That's all"; a step with ``each`` is asked once for every item its source gives (each aim
scored, each action marked). These pure rules decide what the pieces gathered so far become;
the flow engine keeps them beside the session's answers until the step is answered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.domain.flows import SKIPPED, Accepted, Option, Rejected, Step

MAX_LINES = 12
"""The most lines one step takes (a phone screen of them)."""


def add_line(lines: Sequence[str], line: str) -> list[str] | Rejected:
    """The lines with one more (a line already there is not added twice)."""
    if line in lines:
        return list(lines)
    if len(lines) >= MAX_LINES:
        return Rejected("too_many_lines", MAX_LINES)
    return [*lines, line]


def finish_lines(step: Step, lines: Sequence[str]) -> Accepted | Rejected:
    """ "That's all": the lines as the step's answer; none is a skip when the step may be
    skipped, and refused when it may not."""
    if lines:
        return Accepted(list(lines))
    if step.optional:
        return Accepted(SKIPPED)
    return Rejected("empty")


def picks_left(step: Step, lines: Sequence[str]) -> list[tuple[int, Option]]:
    """The options still to pick (with their place among the step's options)."""
    return [(i, option) for i, option in enumerate(step.options) if option.value not in lines]


def next_item(items: Sequence[Option], done: Mapping[str, Any]) -> Option | None:
    """The first item not answered yet, or None when every one is."""
    return next((item for item in items if item.value not in done), None)
