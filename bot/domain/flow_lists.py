"""Steps answered a piece at a time: a list of short lines, and one question per item.

A ``lines`` step takes one short line per message (typed, or one of its options picked) until
"That's all"; a step with ``each`` is asked once for every item its source gives (each aim
scored, each action marked). These pure rules decide what the pieces gathered so far become;
the flow engine keeps them beside the session's answers until the step is answered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.domain.flows import MAX_LINES, SKIPPED, Accepted, Option, Rejected, Step

__all__ = ["MAX_LINES", "add_line", "finish_lines", "next_item", "picks_left"]


def add_line(lines: Sequence[str], line: str, limit: int = MAX_LINES) -> list[str] | Rejected:
    """The lines with one more, up to ``limit`` (a line already there is not added twice)."""
    if line in lines:
        return list(lines)
    if len(lines) >= limit:
        return Rejected("too_many_lines", limit)
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
