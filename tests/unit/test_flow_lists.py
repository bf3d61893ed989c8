"""Steps answered a piece at a time (bot/domain/flow_lists.py): lines until "That's all", one
question per item, a choice that takes typed words too, and the definitions that declare them."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.flow_definitions import definition_from_dict
from bot.domain.flow_lists import MAX_LINES, add_line, finish_lines, next_item, picks_left
from bot.domain.flows import (
    SKIPPED,
    Accepted,
    AnswerContext,
    AnswerKind,
    FlowDefinitionError,
    Option,
    Rejected,
    Step,
    answer_from_text,
    answer_label,
)

CONTEXT = AnswerContext(today=date(2026, 11, 23))
PICKS = (Option("debt", "Debt"), Option("housing", "Housing"))
LINES = Step("risks", "Risks?", AnswerKind.LINES, options=PICKS, max_length=30)


def test_a_line_is_added_once_and_no_more_than_the_most() -> None:
    assert add_line([], "Debt") == ["Debt"]
    assert add_line(["Debt"], "Debt") == ["Debt"]
    full = [f"line {n}" for n in range(MAX_LINES)]
    assert add_line(full, "one more") == Rejected("too_many_lines", MAX_LINES)
    assert add_line(["a", "b"], "c", 2) == Rejected("too_many_lines", 2)
    assert add_line(["a"], "b", 2) == ["a", "b"]


def test_thats_all_gives_the_lines_and_none_only_when_the_step_may_be_skipped() -> None:
    assert finish_lines(LINES, ["a", "b"]) == Accepted(["a", "b"])
    assert finish_lines(LINES, []) == Rejected("empty")
    optional = Step("x", "?", AnswerKind.LINES, optional=True)
    assert finish_lines(optional, []) == Accepted(SKIPPED)


def test_picks_already_taken_are_not_offered_again() -> None:
    assert picks_left(LINES, ["debt"]) == [(1, PICKS[1])]


def test_a_typed_line_that_names_a_pick_is_the_pick_and_other_words_are_a_new_line() -> None:
    assert answer_from_text(LINES, " housing ", CONTEXT) == Accepted("housing")
    assert answer_from_text(LINES, "Rent arrears", CONTEXT) == Accepted("Rent arrears")
    assert answer_from_text(LINES, "x" * 31, CONTEXT) == Rejected("too_long", 30)


def test_lines_read_back_with_the_picks_words() -> None:
    assert answer_label(LINES, ["debt", "Rent arrears"]) == "Debt, Rent arrears"


def test_the_next_item_is_the_first_not_answered() -> None:
    items = [Option("1", "Aim one"), Option("2", "Aim two")]
    assert next_item(items, {}) == items[0]
    assert next_item(items, {"1": 5}) == items[1]
    assert next_item(items, {"1": 5, "2": None}) is None


def test_a_choice_or_typed_takes_new_words_but_a_plain_choice_does_not() -> None:
    owner = Step("who", "Who?", AnswerKind.CHOICE, options=PICKS, or_typed=True, max_length=10)
    assert answer_from_text(owner, "Debt", CONTEXT) == Accepted("debt")
    assert answer_from_text(owner, "Gran", CONTEXT) == Accepted("Gran")
    assert answer_from_text(owner, "x" * 11, CONTEXT) == Rejected("too_long", 10)
    plain = Step("who", "Who?", AnswerKind.CHOICE, options=PICKS)
    assert answer_from_text(plain, "Gran", CONTEXT) == Rejected("choose_a_button")


def _flow(**step: object) -> dict[str, object]:
    return {
        "name": "demo",
        "title": "Demo",
        "ending": "end",
        "steps": [{"id": "s", "ask": "?", **step}],
    }


def test_definitions_declare_lines_sources_and_items() -> None:
    flow = definition_from_dict(_flow(kind="lines", options_from="network", done_label="x"))
    step = flow.steps[0]
    assert step.kind is AnswerKind.LINES and step.options_from == "network"
    assert step.done_label == "x" and step.max_lines == MAX_LINES
    assert definition_from_dict(_flow(kind="lines", max_lines=6)).steps[0].max_lines == 6
    assert definition_from_dict(_flow(kind="choice", options_from="network")).steps[0].options == ()
    assert definition_from_dict(_flow(kind="scale", scale=[0, 10], each="aims")).steps[0].each


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"kind": "date", "options_from": "network"}, "options_from is for choice and lines"),
        ({"kind": "date", "each": "aims"}, "each is for choice, scale and text"),
        ({"kind": "choice"}, "a choice needs options"),
        ({"kind": "lines", "max_lines": 13}, "max_lines must be 1 to 12"),
        ({"kind": "lines", "max_lines": "6"}, "max_lines must be 1 to 12"),
    ],
)
def test_definitions_refuse_sources_where_they_mean_nothing(
    step: dict[str, object], message: str
) -> None:
    with pytest.raises(FlowDefinitionError, match=message):
        definition_from_dict(_flow(**step))
