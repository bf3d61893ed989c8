"""Reading flow definitions from plain data (the YAML files in prompts/flows/), strictly.

A mistake in a definition stops start-up with a message naming the flow and
step, rather than surfacing as a broken conversation on someone's phone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.flows import (
    MAX_LINES,
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
    "skip_label",
    "who",
    "only_for",
    "section",
    "options_from",
    "each",
    "or_typed",
    "done_label",
    "max_lines",
}
_FLOW_KEYS = {
    "name",
    "title",
    "command",
    "ending",
    "steps",
    "description",
    "only_for",
    "interrupts",
}
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
    repeated = next((step_id for i, step_id in enumerate(ids) if step_id in ids[:i]), None)
    if repeated is not None:
        raise FlowDefinitionError(f"flow {name}, step {repeated}: step ids must be unique")
    for position, step in enumerate(steps):
        for condition in filter(None, [step.only_if]):
            if condition.step not in ids[:position]:
                raise FlowDefinitionError(
                    f"flow {name}, step {step.id}: only_if must refer to an earlier step"
                )
            if steps[ids.index(condition.step)].only_for not in (None, step.only_for):
                raise FlowDefinitionError(
                    f"flow {name}, step {step.id}: only_if refers to a step for another role"
                )
    return FlowDefinition(
        name=name,
        title=str(data["title"]),
        command=data.get("command"),
        ending=str(data["ending"]),
        steps=steps,
        description=str(data.get("description", "")),
        only_for=data.get("only_for"),
        interrupts=bool(data.get("interrupts", False)),
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
        # A plain string is an option whose words are its value (a common line to pick).
        Option(option, option)
        if isinstance(option, str)
        else Option(str(option["value"]), str(option["label"]))
        for option in raw.get("options", [])
    )
    options_from = str(raw["options_from"]) if raw.get("options_from") else None
    if kind is AnswerKind.CHOICE and not options and not options_from:
        raise FlowDefinitionError(f"{where}: a choice needs options")
    if options_from and kind not in (AnswerKind.CHOICE, AnswerKind.LINES):
        raise FlowDefinitionError(f"{where}: options_from is for choice and lines steps")
    each = str(raw["each"]) if raw.get("each") else None
    if each and kind not in (AnswerKind.CHOICE, AnswerKind.SCALE, AnswerKind.TEXT):
        raise FlowDefinitionError(f"{where}: each is for choice, scale and text steps")
    if any(len(option.label) > 64 for option in options):
        raise FlowDefinitionError(f"{where}: option labels must be short (64 characters)")
    direction = str(raw.get("direction", "any"))
    if direction not in ("past", "future", "any"):
        raise FlowDefinitionError(f"{where}: direction must be past, future or any")
    scale = _scale(where, raw.get("scale", [1, 5]))
    only_if = raw.get("only_if")
    condition = None
    if only_if is not None:
        condition = _condition(where, only_if)
    notes = tuple(_note(where, note) for note in raw.get("notes", []))
    return Step(
        id=str(raw["id"]),
        ask=str(raw["ask"]),
        kind=kind,
        options=options,
        optional=bool(raw.get("optional", False)),
        max_length=int(raw.get("max_length", 1000)),
        direction=direction,
        scale=scale,
        only_if=condition,
        notes=notes,
        summary=raw.get("summary"),
        check=raw.get("check"),
        offsets=tuple(int(days) for days in raw.get("offsets", ())),
        skip_label=str(raw.get("skip_label", "flow_skip")),
        who=_who(where, raw.get("who", "team")),
        only_for=_role(where, raw.get("only_for")),
        section=str(raw["section"]) if raw.get("section") else None,
        options_from=options_from,
        each=each,
        or_typed=bool(raw.get("or_typed", False)),
        done_label=str(raw.get("done_label", "flow_lines_done")),
        max_lines=_max_lines(where, raw.get("max_lines", MAX_LINES)),
    )


def _max_lines(where: str, raw: Any) -> int:
    """At most MAX_LINES: more would not fit the phone screen the step's summary fills."""
    if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= MAX_LINES:
        raise FlowDefinitionError(f"{where}: max_lines must be 1 to {MAX_LINES}")
    return raw


def _scale(where: str, raw: Any) -> tuple[int, int]:
    """``[low, high]``: whole numbers, low below high, at most 11 points (one row of buttons)."""
    whole = isinstance(raw, list | tuple) and all(
        isinstance(n, int) and not isinstance(n, bool) for n in raw
    )
    if not whole or len(raw) != 2 or not raw[0] < raw[1] or raw[1] - raw[0] > 10:
        raise FlowDefinitionError(f"{where}: scale must be [low, high] with at most 11 points")
    return int(raw[0]), int(raw[1])


def _condition(where: str, raw: Any) -> Condition:
    """``{step: X, in: [a, b]}`` or ``{step: X, answered: true|false}``."""
    if not isinstance(raw, Mapping) or "step" not in raw or ("in" in raw) == ("answered" in raw):
        raise FlowDefinitionError(f"{where}: only_if needs 'step' and one of 'in' or 'answered'")
    if "answered" in raw:
        if not isinstance(raw["answered"], bool):
            raise FlowDefinitionError(f"{where}: only_if 'answered' must be true or false")
        return Condition(str(raw["step"]), answered=raw["answered"])
    if not isinstance(raw["in"], list) or not raw["in"]:
        raise FlowDefinitionError(f"{where}: only_if 'in' must be a list of answers")
    return Condition(str(raw["step"]), frozenset(str(v) for v in raw["in"]))


def _note(where: str, raw: Any) -> Note:
    """``{when: [values], say: template, offer: action}``; ``say`` or ``offer`` or both."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("when"), list):
        raise FlowDefinitionError(f"{where}: a note needs 'when' as a list")
    if not raw.get("say") and not raw.get("offer"):
        raise FlowDefinitionError(f"{where}: a note needs 'say', 'offer' or both")
    unknown = set(raw) - {"when", "say", "offer"}
    if unknown:
        raise FlowDefinitionError(f"{where}: unknown note keys {sorted(unknown)}")
    return Note(
        when=frozenset(str(v) for v in raw["when"]),
        say=str(raw["say"]) if raw.get("say") else None,
        offer=str(raw["offer"]) if raw.get("offer") else None,
    )


def _role(where: str, value: Any) -> str | None:
    if value not in (None, "worker", "supervisor"):
        raise FlowDefinitionError(f"{where}: only_for must be worker or supervisor")
    return None if value is None else str(value)


def _who(where: str, value: Any) -> str:
    if value not in ("team", "workers", "supervisors", "others"):
        raise FlowDefinitionError(f"{where}: who must be team, workers, supervisors or others")
    return str(value)
