"""Flow definitions are read strictly (bot/domain/flow_definitions.py), and the real ones load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import prompts
from bot.domain.buttons import DropOpenFlow, FlowAnswer, StartAfresh
from bot.domain.flow_definitions import MAX_CALLBACK_STEPS, definition_from_dict
from bot.domain.flows import AnswerKind, Condition, FlowDefinition, FlowDefinitionError
from bot.services import endings
from bot.services.flow_catalogue import by_command, catalogue

FLOW_FILES = sorted((Path(prompts.__file__).parent / "flows").glob("*.yaml"))


def _flow(*steps: dict[str, Any], **flow: Any) -> dict[str, Any]:
    return {"name": "demo", "title": "Demo", "ending": "demo_end", "steps": list(steps), **flow}


def _step(step_id: str = "first", **keys: Any) -> dict[str, Any]:
    return {"id": step_id, "ask": "A question?", **keys}


def _refused(data: dict[str, Any], *expected: str) -> str:
    with pytest.raises(FlowDefinitionError) as error:
        definition_from_dict(data)
    message = str(error.value)
    for part in expected:
        assert part in message, message
    return message


# --- the real flows ----------------------------------------------------------------------------


def test_every_flow_file_loads_under_its_own_name() -> None:
    flows = catalogue()
    assert FLOW_FILES, "no flow files found"
    assert sorted(flows) == sorted(path.stem for path in FLOW_FILES)
    for name, flow in flows.items():
        assert flow.name == name and flow.title and flow.steps


def test_commands_start_one_flow_each() -> None:
    commands = [flow.command for flow in catalogue().values() if flow.command]
    assert len(commands) == len(set(commands))
    for command in commands:
        found = by_command(command)
        assert found is not None and found.command == command
    assert by_command("no_such_command") is None


def test_the_real_flows_include_newcase_and_visit() -> None:
    assert [step.id for step in catalogue()["newcase"].steps][:1] == ["reference"]
    visit = catalogue()["visit"]
    assert visit.steps[0].kind is AnswerKind.CASE and visit.command == "visit"


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_real_flows_buttons_fit_in_telegrams_64_bytes(name: str) -> None:
    big = 2**31 - 1
    flow = catalogue()[name]
    assert DropOpenFlow(big, big, flow.name, "case=" + str(big)).encode()
    assert StartAfresh(big, flow.name, "case=" + str(big)).encode()
    for step in flow.steps:
        assert FlowAnswer(big, big, "d2026-12-31").encode()
        for index, _ in enumerate(step.choices()):
            assert FlowAnswer.parse(FlowAnswer(big, big, f"o{index}").encode()).token == f"o{index}"


def test_every_flows_ending_and_checks_are_registered() -> None:
    endings.check_flows()  # raises LookupError when one is missing


def test_a_missing_ending_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = definition_from_dict(
        _flow(_step(check="no_such_check"), name="broken", ending="no_such_ending")
    )
    monkeypatch.setattr(endings, "catalogue", lambda: {**catalogue(), "broken": broken})
    with pytest.raises(LookupError) as error:
        endings.check_flows()
    assert "no_such_ending" in str(error.value) and "no_such_check" in str(error.value)


# --- a good definition -------------------------------------------------------------------------


def test_a_minimal_definition_takes_the_defaults() -> None:
    flow = definition_from_dict(_flow(_step()))
    assert isinstance(flow, FlowDefinition)
    assert (flow.name, flow.title, flow.ending, flow.command) == ("demo", "Demo", "demo_end", None)
    step = flow.step("first")
    assert step.kind is AnswerKind.TEXT and not step.optional
    assert (step.direction, step.scale, step.max_length, step.who) == ("any", (1, 5), 1000, "team")


def test_a_full_step_is_read() -> None:
    flow = definition_from_dict(
        _flow(
            _step(
                "risk",
                kind="choice",
                options=[{"value": "up", "label": "Up"}, {"value": 7, "label": "Seven"}],
                notes=[{"when": ["up"], "say": "risk_up", "offer": "flag"}],
            ),
            _step("mood", kind="scale", scale=[0, 10], optional=True, skip_label="not_now"),
            _step("why", only_if={"step": "risk", "in": ["up", 7]}, max_length=50),
            _step("who", kind="member", who="workers", only_if={"step": "mood", "answered": True}),
            _step("when", kind="date", direction="future", offsets=[7, 14]),
        )
    )
    risk, mood, why, who, when = flow.steps
    assert [option.value for option in risk.options] == ["up", "7"]
    assert risk.notes[0].when == frozenset({"up"}) and risk.notes[0].offer == "flag"
    assert mood.scale == (0, 10) and mood.optional and mood.skip_label == "not_now"
    assert why.only_if == Condition("risk", frozenset({"up", "7"}))
    assert why.max_length == 50
    assert who.only_if == Condition("mood", answered=True) and who.who == "workers"
    assert when.direction == "future" and when.offsets == (7, 14)


# --- strictness: the flow --------------------------------------------------------------------


def test_an_unknown_flow_key_is_refused() -> None:
    _refused(_flow(_step(), stpes=[]), "flow demo", "stpes")


@pytest.mark.parametrize("key", ["name", "title", "ending", "steps"])
def test_a_flow_needs_its_name_title_ending_and_steps(key: str) -> None:
    data = _flow(_step())
    del data[key]
    _refused(data, f"'{key}' is required")


def test_a_flow_with_too_many_steps_is_refused() -> None:
    steps = [_step(f"s{i}") for i in range(MAX_CALLBACK_STEPS + 1)]
    _refused(_flow(*steps), "flow demo", "at most 40 steps")
    assert definition_from_dict(_flow(*steps[:MAX_CALLBACK_STEPS]))


def test_duplicate_step_ids_are_refused_naming_the_step() -> None:
    _refused(_flow(_step("a"), _step("twice"), _step("twice")), "flow demo", "twice")


def test_a_step_that_is_not_a_mapping_is_refused() -> None:
    _refused(_flow("just a string"), "flow demo")  # type: ignore[arg-type]


# --- strictness: a step ----------------------------------------------------------------------


def test_an_unknown_step_key_is_refused() -> None:
    _refused(_flow(_step("mood", optinal=True)), "flow demo, step mood", "optinal")


def test_a_step_needs_an_id() -> None:
    step = _step()
    del step["id"]
    _refused(_flow(step), "flow demo, step ?", "'id' and 'ask' are required")


def test_a_step_needs_a_question() -> None:
    _refused(_flow(_step("quiet", ask="")), "flow demo, step quiet", "'ask'")


def test_an_unknown_kind_is_refused() -> None:
    _refused(_flow(_step("mood", kind="slider")), "flow demo, step mood", "slider")


def test_a_choice_needs_options() -> None:
    _refused(_flow(_step("pick", kind="choice")), "flow demo, step pick", "options")
    _refused(_flow(_step("pick", kind="choice", options=[])), "flow demo, step pick")


def test_an_option_label_must_fit_a_button() -> None:
    options = [{"value": "a", "label": "x" * 65}]
    _refused(_flow(_step("pick", kind="choice", options=options)), "flow demo, step pick")


def test_a_bad_direction_is_refused() -> None:
    _refused(_flow(_step("when", kind="date", direction="later")), "flow demo, step when")


@pytest.mark.parametrize(
    "scale",
    [[5, 1], [3, 3], [1, 12], [1], [1, 2, 3], 5, "1-5", ["a", "b"], [1.5, 4]],
    ids=str,
)
def test_a_bad_scale_is_refused(scale: Any) -> None:
    _refused(_flow(_step("mood", kind="scale", scale=scale)), "flow demo, step mood", "scale")


def test_the_widest_scale_is_eleven_points() -> None:
    flow = definition_from_dict(_flow(_step("mood", kind="scale", scale=[0, 10])))
    assert flow.step("mood").scale == (0, 10)


@pytest.mark.parametrize(
    "only_if",
    [{"step": "later", "in": ["yes"]}, {"step": "nowhere", "in": ["yes"]}],
    ids=["later", "unknown"],
)
def test_only_if_must_refer_to_an_earlier_step(only_if: dict[str, Any]) -> None:
    data = _flow(_step("first"), _step("gated", only_if=only_if), _step("later", kind="yesno"))
    _refused(data, "flow demo, step gated", "earlier step")


def test_only_if_cannot_refer_to_its_own_step() -> None:
    data = _flow(_step("self", kind="yesno", only_if={"step": "self", "in": ["yes"]}))
    _refused(data, "flow demo, step self", "earlier step")


@pytest.mark.parametrize(
    "only_if",
    [
        {"step": "first", "in": ["yes"], "answered": True},
        {"step": "first"},
        {"in": ["yes"]},
        "first",
        {"step": "first", "in": "yes"},
        {"step": "first", "in": []},
        {"step": "first", "answered": "false"},
    ],
    ids=["both", "neither", "no step", "not a mapping", "in a string", "in empty", "answered"],
)
def test_only_if_needs_a_step_and_exactly_one_test(only_if: Any) -> None:
    data = _flow(_step("first", kind="yesno"), _step("gated", only_if=only_if))
    _refused(data, "flow demo, step gated", "only_if")


def test_a_bad_who_is_refused() -> None:
    _refused(_flow(_step("owner", kind="member", who="everyone")), "flow demo, step owner", "who")


def test_a_bad_role_is_refused() -> None:
    _refused(_flow(_step("owner", only_for="manager")), "flow demo, step owner", "only_for")


def test_only_if_cannot_wait_on_a_step_another_role_never_sees() -> None:
    data = _flow(
        _step("for_supervisors", kind="yesno", only_for="supervisor"),
        _step("gated", only_if={"step": "for_supervisors", "in": ["yes"]}),
    )
    _refused(data, "flow demo, step gated", "another role")
