"""Reading flow definitions from plain data (the YAML files in prompts/flows/), strictly.

A mistake in a definition stops start-up with a message naming the flow and
step, rather than surfacing as a broken conversation on someone's phone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.flows import (
    AnswerKind,
    Condition,
    FlowDefinition,
    FlowDefinitionError,
    Note,
    Option,
    Step,
)

_STEP_KEYS = {
    "id",
    "ask",
    "kind",
    "options",
    "optional",
    "max_length",
    "direction",
    "scale",
    "only_if",
    "notes",
    "summary",
    "check",
    "offsets",
}
_FLOW_KEYS = {"name", "title", "command", "ending", "steps", "description"}
MAX_CALLBACK_STEPS = 40


def definition_from_dict(data: Mapping[str, Any]) -> FlowDefinition:
    """Build and check a flow definition; raises FlowDefinitionError naming what is wrong."""
    name = str(data.get("name", "?"))
    unknown = set(data) - _FLOW_KEYS
    if unknown:
        raise FlowDefinitionError(f"flow {name}: unknown keys {sorted(unknown)}")
    for key in ("name", "title", "ending", "steps"):
        if not data.get(key):
            raise FlowDefinitionError(f"flow {name}: '{key}' is required")
    raw_steps = data["steps"]
    if not isinstance(raw_steps, list) or len(raw_steps) > MAX_CALLBACK_STEPS:
        raise FlowDefinitionError(f"flow {name}: 'steps' must be a list of at most 40 steps")
    steps = tuple(_step(name, raw) for raw in raw_steps)
    ids = [step.id for step in steps]
    if len(set(ids)) != len(ids):
        raise FlowDefinitionError(f"flow {name}: step ids must be unique")
    for position, step in enumerate(steps):
        for condition in filter(None, [step.only_if]):
            if condition.step not in ids[:position]:
                raise FlowDefinitionError(
                    f"flow {name}, step {step.id}: only_if must refer to an earlier step"
                )
    return FlowDefinition(
        name=name,
        title=str(data["title"]),
        command=data.get("command"),
        ending=str(data["ending"]),
        steps=steps,
        description=str(data.get("description", "")),
    )


def _step(flow: str, raw: Any) -> Step:
    if not isinstance(raw, Mapping):
        raise FlowDefinitionError(f"flow {flow}: every step must be a mapping")
    where = f"flow {flow}, step {raw.get('id', '?')}"
    unknown = set(raw) - _STEP_KEYS
    if unknown:
        raise FlowDefinitionError(f"{where}: unknown keys {sorted(unknown)}")
    if not raw.get("id") or not raw.get("ask"):
        raise FlowDefinitionError(f"{where}: 'id' and 'ask' are required")
    try:
        kind = AnswerKind(raw.get("kind", "text"))
    except ValueError:
        raise FlowDefinitionError(f"{where}: unknown kind {raw.get('kind')!r}") from None
    options = tuple(
        Option(str(option["value"]), str(option["label"])) for option in raw.get("options", [])
    )
    if kind is AnswerKind.CHOICE and not options:
        raise FlowDefinitionError(f"{where}: a choice needs options")
    if any(len(option.label) > 64 for option in options):
        raise FlowDefinitionError(f"{where}: option labels must be short (64 characters)")
    direction = str(raw.get("direction", "any"))
    if direction not in ("past", "future", "any"):
        raise FlowDefinitionError(f"{where}: direction must be past, future or any")
    scale = tuple(raw.get("scale", (1, 5)))
    if len(scale) != 2 or not scale[0] < scale[1] or scale[1] - scale[0] > 10:
        raise FlowDefinitionError(f"{where}: scale must be [low, high] with at most 11 points")
    only_if = raw.get("only_if")
    condition = None
    if only_if is not None:
        condition = Condition(str(only_if["step"]), frozenset(str(v) for v in only_if["in"]))
    notes = tuple(
        Note(
            when=frozenset(str(v) for v in note["when"]),
            say=str(note["say"]),
            offer=note.get("offer"),
        )
        for note in raw.get("notes", [])
    )
    return Step(
        id=str(raw["id"]),
        ask=str(raw["ask"]),
        kind=kind,
        options=options,
        optional=bool(raw.get("optional", False)),
        max_length=int(raw.get("max_length", 1000)),
        direction=direction,
        scale=(int(scale[0]), int(scale[1])),
        only_if=condition,
        notes=notes,
        summary=raw.get("summary"),
        check=raw.get("check"),
        offsets=tuple(int(days) for days in raw.get("offsets", ())),
    )
