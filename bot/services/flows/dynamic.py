"""Steps whose options come from the data, and the pieces of a step answered a piece at a time
(service layer).

A step with ``options_from`` gets its options from a registered source when it is asked (a
case's network, the common risk factors, the team's members); a step with ``each`` is asked
once per item of its source. What a ``lines`` or ``each`` step has gathered so far is kept
beside the session's answers (``DRAFT``) until the step is answered.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.domain.flow_lists import next_item
from bot.domain.flows import Option, Step
from bot.services.flows.registry import OPTION_SOURCES
from bot.services.flows.turn import FlowTurn
from storage.models import FlowSession

DRAFT = "draft"
"""Beside a session's answers and path: the lines so far (a list), or each item's answer so
far (a mapping), of the step being asked."""


async def resolved(turn: FlowTurn, step: Step, answers: dict[str, Any]) -> Step:
    """The step with its options worked out now, when they come from the data."""
    if step.options_from is None:
        return step
    options = await OPTION_SOURCES[step.options_from](turn.uow, turn.person, answers)
    return replace(step, options=tuple(options))


def gathered(session: FlowSession) -> Any:
    """What the step being asked has gathered so far (None: nothing yet)."""
    return (session.answers or {}).get(DRAFT)


async def items(turn: FlowTurn, step: Step, answers: dict[str, Any]) -> list[Option]:
    """The items an ``each`` step is asked for (none for another step)."""
    if step.each is None:
        return []
    return await OPTION_SOURCES[step.each](turn.uow, turn.person, answers)


async def current_item(
    turn: FlowTurn, step: Step, answers: dict[str, Any], session: FlowSession
) -> Option | None:
    """The item an ``each`` step is asking about now (None once each is answered)."""
    return next_item(await items(turn, step, answers), gathered(session) or {})
