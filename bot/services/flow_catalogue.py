"""The flow definitions, loaded once from prompts/flows and checked strictly."""

from __future__ import annotations

from functools import cache

from bot.domain.errors import Refusal
from bot.domain.flow_definitions import definition_from_dict
from bot.domain.flows import FlowDefinition, FlowDefinitionError
from prompts import flow_sources


@cache
def catalogue() -> dict[str, FlowDefinition]:
    """Every flow by name; a broken definition stops start-up with its name and step."""
    flows: dict[str, FlowDefinition] = {}
    for source in flow_sources():
        flow = definition_from_dict(source)
        if flow.name in flows:
            raise FlowDefinitionError(f"flow {flow.name} is defined twice")
        flows[flow.name] = flow
    return flows


def by_command(command: str) -> FlowDefinition | None:
    """The flow a command starts (e.g. "visit"), if any."""
    return next((flow for flow in catalogue().values() if flow.command == command), None)


def flow_for(name: str, role: str) -> FlowDefinition:
    """A flow as a person in this role walks it (steps meant for other roles left out).

    The name can come from a button's data: one that names no flow is a stale or forged
    button, refused like any other.
    """
    if name not in catalogue():
        raise Refusal("already_done")
    return _for_role(name, role)


@cache
def _for_role(name: str, role: str) -> FlowDefinition:
    return catalogue()[name].for_role(role)
