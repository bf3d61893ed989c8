"""The reflective flows against the table kept beside CONTENT.md (docs/content-fidelity.md).

Each flow's steps must be the table's, in its order, each in its part of the practice, of its
kind, asked of the same people at the same times; and every answer that leads somewhere must
lead where the table says and no other answer of that step may (issue 21.5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.domain.flows import AnswerKind, FlowDefinition, Step
from bot.domain.stuck import StuckEnding, endings_offered, fit_for_supervision, suggestions
from bot.services.flow_catalogue import catalogue
from bot.services.supervision import ESCALATION_URGENCY
from prompts import render_text

TABLE = Path(__file__).parents[2] / "docs" / "content-fidelity.md"
FLOWS = ("stuck", "supervision")
TODAY = date(2026, 12, 4)


@dataclass(frozen=True)
class Row:
    number: int
    step: str
    section: str
    kind: str
    asked: str
    leads: frozenset[tuple[frozenset[str], str]]


def table() -> dict[str, list[Row]]:
    """The rows under each ``## /flow`` heading."""
    rows: dict[str, list[Row]] = {}
    flow = None
    for line in TABLE.read_text().splitlines():
        heading = re.match(r"## /(\w+)", line)
        if heading:
            flow = heading.group(1)
            rows[flow] = []
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if flow is None or len(cells) != 6 or not cells[0].isdigit():
            continue
        leads = set()
        for lead in filter(None, (part.strip() for part in cells[5].split(";"))):
            answers, _, effect = lead.partition(" → ")
            leads.add((frozenset(a.strip() for a in answers.split(",")), effect.strip()))
        rows[flow].append(Row(int(cells[0]), *cells[1:5], frozenset(leads)))
    return rows


def asked(step: Step) -> str:
    parts = [f"{step.only_for}s only"] if step.only_for else []
    condition = step.only_if
    if condition is not None and condition.answered is not None:
        parts.append(f"{condition.step} {'answered' if condition.answered else 'skipped'}")
    elif condition is not None:
        parts.append(f"{condition.step} is {', '.join(sorted(condition.values))}")
    return "; ".join(parts) or "always"


def flow_leads(step: Step) -> set[tuple[frozenset[str], str]]:
    """What the flow definition itself says follows an answer (notes and offers)."""
    found = set()
    for note in step.notes:
        answers = frozenset({"any"} if "*" in note.when else note.when)
        if note.say:
            found.add((answers, f"say {note.say}"))
        if note.offer:
            found.add((answers, f"offer {note.offer}"))
    return found


def holds(flow: FlowDefinition, step: Step, answer: Any, effect: str) -> bool:
    """Whether, with this answer (and the earlier answers it needs), the effect follows."""
    answers: dict[str, Any] = {step.id: answer}
    condition = step.only_if
    if condition is not None and condition.answered:
        answers[condition.step] = "School"  # the agency named
    verb, _, target = effect.partition(" ")
    if verb == "suggest":
        return target in suggestions(answers, TODAY)
    if verb == "ending":
        return StuckEnding(target) in endings_offered(answers, [])
    if verb == "agenda":
        return fit_for_supervision(answers)
    if verb == "flag":
        urgency = ESCALATION_URGENCY.get(answer)
        return urgency is not None and urgency.value == ("week" if target == "week" else target)
    raise AssertionError(f"{flow.name}.{step.id}: unknown effect {effect!r}")


def other_answers(step: Step, answers: frozenset[str]) -> list[Any]:
    """Answers of the step that the row does not name (which must not lead there)."""
    if answers == {"answered"}:
        return [None]  # skipped
    if step.kind is AnswerKind.SCALE:
        low, high = step.scale
        return [n for n in range(low, high + 1) if str(n) not in answers]
    return [o.value for o in step.choices() if o.value not in answers]


def typed(step: Step, answer: str) -> Any:
    if answer == "answered":
        return "Something typed"
    return int(answer) if step.kind is AnswerKind.SCALE else answer


@pytest.mark.parametrize("name", FLOWS)
def test_the_steps_are_the_tables_in_order(name: str) -> None:
    flow, rows = catalogue()[name], table()[name]
    assert [row.number for row in rows] == list(range(1, len(rows) + 1))
    assert [row.step for row in rows] == [step.id for step in flow.steps], "missing or reordered"
    for row, step in zip(rows, flow.steps, strict=True):
        assert (row.section, row.kind, row.asked) == (step.section, step.kind.value, asked(step))


@pytest.mark.parametrize("name", FLOWS)
def test_answers_lead_where_the_table_says_and_nowhere_else(name: str) -> None:
    flow = catalogue()[name]
    for row in table()[name]:
        step = flow.step(row.step)
        said = {lead for lead in row.leads if lead[1].split()[0] in ("say", "offer")}
        assert said == flow_leads(step), f"{name}.{step.id}: notes and offers differ"
        for answers, effect in row.leads - said:
            for answer in answers:
                assert holds(flow, step, typed(step, answer), effect), (step.id, answer, effect)
            for other in other_answers(step, answers):
                assert not holds(flow, step, other, effect), (step.id, other, effect)


def test_every_domain_effect_of_an_answer_is_in_the_table() -> None:
    """A single answer that leads somewhere in the rules but not in the table fails."""
    stuck = catalogue()["stuck"]
    rows = {row.step: row for row in table()["stuck"]}
    effects = [f"suggest {code}" for code in SUGGESTIONS] + ["agenda fit"]
    effects += [f"ending {ending.value}" for ending in StuckEnding if not ending.is_flag]
    for step in stuck.steps:
        if step.kind in (AnswerKind.CASE, AnswerKind.MEMBER, AnswerKind.DATE):
            continue
        values = [o.value for o in step.choices()] if step.choices() else ["answered"]
        if step.kind is AnswerKind.SCALE:
            values = [str(n) for n in range(step.scale[0], step.scale[1] + 1)]
        listed = {effect for _, effect in rows[step.id].leads}
        for effect in effects:
            if effect in ("ending note", "ending agenda"):
                continue  # always offered
            if any(holds(stuck, step, typed(step, v), effect) for v in values):
                assert effect in listed, f"stuck.{step.id} leads to {effect}, not in the table"


SUGGESTIONS = (
    "safeguarding",
    "basics_first",
    "thinking_together",
    "agree_goals_again",
    "other_side",
    "joining_up",
    "assessment_to_supervision",
    "widen_the_circle",
    "flag_or_team_meeting",
)


def test_back_to_purpose_brings_back_the_task_named_at_the_start() -> None:
    step = catalogue()["stuck"].step("got_it")
    asked_with = render_text(
        step.ask,
        answers={"task": "decision", "task_detail": "about school"},
        labels={"task": "A decision"},
    )
    assert "you said you needed <b>a decision</b> (about school)" in asked_with
    assert "Did you get what you needed" in render_text(step.ask, answers={}, labels={})
