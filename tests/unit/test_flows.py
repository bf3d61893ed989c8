"""The flow engine's rules (bot/domain/flows.py): answers, conditions, moving through a flow."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from bot.domain.flows import (
    SKIPPED,
    TELEGRAM_TEXT_LIMIT,
    Accepted,
    AnswerContext,
    AnswerKind,
    CaseChoice,
    Condition,
    FlowDefinition,
    FlowPosition,
    MemberChoice,
    Note,
    Option,
    Rejected,
    Step,
    answer_from_button,
    answer_from_text,
    answer_label,
    first_step,
    go_back,
    next_step,
    notes_after,
    progress,
    record,
)

TODAY = date(2026, 12, 2)  # a Wednesday
CONTEXT = AnswerContext(
    today=TODAY,
    cases=[CaseChoice(17, "FAM-0142"), CaseChoice(18, "FAM-0200")],
    members=[
        MemberChoice(1, "Sam Supervisor", is_worker=False),
        MemberChoice(2, "Alex Worker", is_worker=True),
        MemberChoice(3, "Kim Worker", is_worker=True),
    ],
)

RISK = Step(
    "risk",
    "Has the risk changed?",
    AnswerKind.CHOICE,
    options=(Option("up", "⬆ Up"), Option("same", "➡ Same"), Option("down", "⬇ Down")),
)
YESNO = Step("more", "Another?", AnswerKind.YESNO)
CONFIRM = Step(
    "confirm",
    "Close it?",
    AnswerKind.YESNO,
    options=(Option("yes", "Yes, close it"), Option("no", "No, keep it open")),
)
SCALE = Step("mood", "How are you?", AnswerKind.SCALE, scale=(1, 5))
TEXT = Step("how", "How did it go?", AnswerKind.TEXT, max_length=20)
PAST = Step("date", "When?", AnswerKind.DATE, direction="past")
FUTURE = Step("review", "When?", AnswerKind.DATE, direction="future")
ANY_DATE = Step("day", "When?", AnswerKind.DATE)
CASE = Step("case", "Which case?", AnswerKind.CASE)
ANYONE = Step("owner", "Who?", AnswerKind.MEMBER)
WORKERS = Step("worker", "Whose?", AnswerKind.MEMBER, who="workers")

LINES = Step("risks", "Risks?", AnswerKind.LINES, options=(Option("Debt", "Debt"),), max_length=20)

ONE_STEP_OF_EACH_KIND = [RISK, YESNO, SCALE, TEXT, PAST, CASE, ANYONE, LINES]


def accepted(answer: Accepted | Rejected) -> Any:
    assert isinstance(answer, Accepted), answer
    return answer.value


def test_there_is_a_step_of_every_kind_under_test() -> None:
    assert {step.kind for step in ONE_STEP_OF_EACH_KIND} == set(AnswerKind)


# --- typed answers ---------------------------------------------------------------------------


@pytest.mark.parametrize("step", ONE_STEP_OF_EACH_KIND, ids=lambda step: step.kind.value)
@pytest.mark.parametrize("text", ["", " ", "\n\t  "])
def test_empty_text_is_refused_for_every_kind(step: Step, text: str) -> None:
    assert answer_from_text(step, text, CONTEXT) == Rejected("empty")


@pytest.mark.parametrize("step", ONE_STEP_OF_EACH_KIND, ids=lambda step: step.kind.value)
def test_text_over_telegrams_limit_is_refused_for_every_kind(step: Step) -> None:
    text = "x" * (TELEGRAM_TEXT_LIMIT + 1)
    answer = answer_from_text(step, text, CONTEXT)
    assert isinstance(answer, Rejected) and answer.reason == "too_long"


def test_text_over_telegrams_limit_is_told_the_steps_own_limit() -> None:
    text = "x" * (TELEGRAM_TEXT_LIMIT + 1)
    assert answer_from_text(TEXT, text, CONTEXT) == Rejected("too_long", 20)
    assert answer_from_text(ANY_DATE, text, CONTEXT) == Rejected("too_long", TELEGRAM_TEXT_LIMIT)


def test_text_is_kept_trimmed() -> None:
    assert accepted(answer_from_text(TEXT, "  went well \n", CONTEXT)) == "went well"


def test_text_up_to_the_steps_limit_is_taken_and_one_more_is_not() -> None:
    assert accepted(answer_from_text(TEXT, "a" * 20, CONTEXT)) == "a" * 20
    assert answer_from_text(TEXT, "a" * 21, CONTEXT) == Rejected("too_long", 20)


def test_the_limit_counts_the_trimmed_text() -> None:
    assert accepted(answer_from_text(TEXT, "   " + "a" * 20 + "   ", CONTEXT)) == "a" * 20


def test_a_long_step_limit_still_stops_at_telegrams() -> None:
    step = Step("essay", "Tell me", AnswerKind.TEXT, max_length=10_000)
    assert accepted(answer_from_text(step, "a" * TELEGRAM_TEXT_LIMIT, CONTEXT))
    text = "a" * (TELEGRAM_TEXT_LIMIT + 1)
    assert answer_from_text(step, text, CONTEXT) == Rejected("too_long", TELEGRAM_TEXT_LIMIT)


@pytest.mark.parametrize(
    ("text", "value"),
    [("up", "up"), ("UP", "up"), ("⬆ Up", "up"), ("  ➡ same ", "same"), ("Down", "down")],
)
def test_a_choice_can_be_typed_as_its_value_or_label(text: str, value: str) -> None:
    assert accepted(answer_from_text(RISK, text, CONTEXT)) == value


@pytest.mark.parametrize("text", ["sideways", "u", "up and down"])
def test_a_typed_choice_that_matches_no_option_asks_for_a_button(text: str) -> None:
    assert answer_from_text(RISK, text, CONTEXT) == Rejected("choose_a_button")


@pytest.mark.parametrize(("text", "value"), [("yes", "yes"), ("Yes", "yes"), ("NO", "no")])
def test_yes_no_has_two_fixed_answers(text: str, value: str) -> None:
    assert [option.value for option in YESNO.choices()] == ["yes", "no"]
    assert accepted(answer_from_text(YESNO, text, CONTEXT)) == value


def test_yes_no_with_its_own_labels() -> None:
    assert accepted(answer_from_text(CONFIRM, "yes, close it", CONTEXT)) == "yes"
    assert accepted(answer_from_text(CONFIRM, "no", CONTEXT)) == "no"
    assert answer_from_text(CONFIRM, "maybe", CONTEXT) == Rejected("choose_a_button")


@pytest.mark.parametrize(("text", "value"), [("1", 1), ("3", 3), (" 5 ", 5)])
def test_a_scale_takes_a_number_in_range(text: str, value: int) -> None:
    assert accepted(answer_from_text(SCALE, text, CONTEXT)) == value


@pytest.mark.parametrize("text", ["0", "6", "-1", "3.5", "three", "²", "1e1"])
def test_a_scale_refuses_anything_else(text: str) -> None:
    assert answer_from_text(SCALE, text, CONTEXT) == Rejected("scale")


def test_a_typed_date_is_kept_as_an_iso_date() -> None:
    assert accepted(answer_from_text(ANY_DATE, "today", CONTEXT)) == "2026-12-02"
    assert accepted(answer_from_text(PAST, "yesterday", CONTEXT)) == "2026-12-01"
    assert accepted(answer_from_text(FUTURE, "tomorrow", CONTEXT)) == "2026-12-03"


def test_a_date_in_the_wrong_direction_is_refused_with_that_direction() -> None:
    assert answer_from_text(PAST, "tomorrow", CONTEXT) == Rejected("date_past")
    assert answer_from_text(FUTURE, "yesterday", CONTEXT) == Rejected("date_future")
    assert answer_from_text(ANY_DATE, "whenever", CONTEXT) == Rejected("date_any")


def test_a_case_is_typed_as_its_reference() -> None:
    assert accepted(answer_from_text(CASE, "fam-0142", CONTEXT)) == 17
    assert accepted(answer_from_text(CASE, "FAM-0200", CONTEXT)) == 18
    assert answer_from_text(CASE, "FAM-9999", CONTEXT) == Rejected("case_unknown")


def test_a_member_is_typed_as_their_name() -> None:
    assert accepted(answer_from_text(ANYONE, "kim worker", CONTEXT)) == 3
    assert accepted(answer_from_text(ANYONE, "Sam Supervisor", CONTEXT)) == 1
    assert answer_from_text(ANYONE, "Kim", CONTEXT) == Rejected("choose_a_button")


def test_a_workers_only_step_does_not_take_a_supervisor() -> None:
    assert [m.id for m in CONTEXT.members_for(WORKERS)] == [2, 3]
    assert [m.id for m in CONTEXT.members_for(ANYONE)] == [1, 2, 3]
    assert answer_from_text(WORKERS, "Sam Supervisor", CONTEXT) == Rejected("choose_a_button")
    assert accepted(answer_from_text(WORKERS, "Alex Worker", CONTEXT)) == 2


def test_an_others_step_does_not_offer_or_take_the_person_answering() -> None:
    """/away's cover: oneself is no cover, so "Me" is not offered (the ending refuses it)."""
    others = Step("cover", "Who covers?", AnswerKind.MEMBER, who="others")
    mine = replace(CONTEXT, me=2)
    assert [m.id for m in mine.members_for(others)] == [1, 3]
    assert answer_from_text(others, "me", mine) == Rejected("choose_a_button")
    assert answer_from_button(others, "m2", mine) == Rejected("choose_a_button")
    assert accepted(answer_from_button(others, "m3", mine)) == 3


def test_a_name_two_members_share_is_not_guessed() -> None:
    context = AnswerContext(
        today=TODAY, members=[MemberChoice(5, "Jo", True), MemberChoice(6, "jo", True)]
    )
    assert answer_from_text(ANYONE, "Jo", context) == Rejected("choose_a_button")


# --- pressed buttons -------------------------------------------------------------------------


def test_option_buttons_give_the_options_value() -> None:
    assert [accepted(answer_from_button(RISK, f"o{i}", CONTEXT)) for i in range(3)] == [
        "up",
        "same",
        "down",
    ]
    assert accepted(answer_from_button(YESNO, "o1", CONTEXT)) == "no"
    assert accepted(answer_from_button(CONFIRM, "o0", CONTEXT)) == "yes"


@pytest.mark.parametrize("token", ["o3", "o", "o-1", "ox", "", "x0"])
def test_an_option_button_that_does_not_exist_is_refused(token: str) -> None:
    assert answer_from_button(RISK, token, CONTEXT) == Rejected("choose_a_button")


def test_scale_buttons_inside_the_scale_only() -> None:
    assert accepted(answer_from_button(SCALE, "n1", CONTEXT)) == 1
    assert accepted(answer_from_button(SCALE, "n5", CONTEXT)) == 5
    assert answer_from_button(SCALE, "n0", CONTEXT) == Rejected("choose_a_button")
    assert answer_from_button(SCALE, "n6", CONTEXT) == Rejected("choose_a_button")
    assert answer_from_button(SCALE, "n²", CONTEXT) == Rejected("choose_a_button")
    assert answer_from_button(RISK, "n1", CONTEXT) == Rejected("choose_a_button")


def test_date_buttons() -> None:
    assert accepted(answer_from_button(FUTURE, "d2026-12-05", CONTEXT)) == "2026-12-05"
    assert answer_from_button(FUTURE, "d2026-13-05", CONTEXT) == Rejected("choose_a_button")
    assert answer_from_button(FUTURE, "dsoon", CONTEXT) == Rejected("choose_a_button")
    assert answer_from_button(TEXT, "d2026-12-05", CONTEXT) == Rejected("choose_a_button")


def test_case_buttons_only_for_the_persons_cases() -> None:
    assert accepted(answer_from_button(CASE, "c17", CONTEXT)) == 17
    assert answer_from_button(CASE, "c99", CONTEXT) == Rejected("case_unknown")
    assert answer_from_button(CASE, "cx", CONTEXT) == Rejected("choose_a_button")
    assert answer_from_button(RISK, "c17", CONTEXT) == Rejected("choose_a_button")


def test_member_buttons_only_for_members_the_step_offers() -> None:
    assert accepted(answer_from_button(ANYONE, "m1", CONTEXT)) == 1
    assert accepted(answer_from_button(WORKERS, "m3", CONTEXT)) == 3
    assert answer_from_button(WORKERS, "m1", CONTEXT) == Rejected("choose_a_button")
    assert answer_from_button(ANYONE, "m99", CONTEXT) == Rejected("choose_a_button")
    assert answer_from_button(CASE, "m1", CONTEXT) == Rejected("choose_a_button")


def test_answers_read_back_as_labels() -> None:
    assert answer_label(RISK, "up") == "⬆ Up"
    assert answer_label(CONFIRM, "no") == "No, keep it open"
    assert answer_label(CASE, 18, CONTEXT) == "FAM-0200"
    assert answer_label(ANYONE, 2, CONTEXT) == "Alex Worker"
    assert answer_label(SCALE, 4) == "4"
    assert answer_label(PAST, "2026-11-23") == "Mon 23 Nov"
    assert answer_label(TEXT, SKIPPED) == "—"


# --- conditions ------------------------------------------------------------------------------


def test_a_condition_on_values_waits_until_the_step_is_answered() -> None:
    condition = Condition("confirm", frozenset({"yes"}))
    assert condition.holds({}) is None
    assert condition.holds({"confirm": "yes"}) is True
    assert condition.holds({"confirm": "no"}) is False
    assert condition.holds({"confirm": SKIPPED}) is False


def test_a_condition_compares_numbers_as_text() -> None:
    condition = Condition("mood", frozenset({"1", "2"}))
    assert condition.holds({"mood": 2}) is True
    assert condition.holds({"mood": 3}) is False


def test_a_condition_on_being_answered() -> None:
    answered = Condition("action", answered=True)
    skipped = Condition("action", answered=False)
    assert answered.holds({}) is None and skipped.holds({}) is None
    assert answered.holds({"action": "Call the school"}) is True
    assert skipped.holds({"action": "Call the school"}) is False
    assert answered.holds({"action": SKIPPED}) is False
    assert skipped.holds({"action": SKIPPED}) is True


# --- moving through a flow -------------------------------------------------------------------

# confirm -> reason (only if yes) -> action (optional) -> owner, due (only if an action) -> end
BRANCHING = FlowDefinition(
    name="demo",
    title="Demo",
    command=None,
    ending="demo",
    steps=(
        CONFIRM,
        Step("reason", "Why?", AnswerKind.TEXT, only_if=Condition("confirm", frozenset({"yes"}))),
        Step("action", "Action?", AnswerKind.TEXT, optional=True),
        Step("owner", "Who?", AnswerKind.MEMBER, only_if=Condition("action", answered=True)),
        Step("due", "By when?", AnswerKind.DATE, only_if=Condition("action", answered=True)),
        Step("followup", "More?", AnswerKind.YESNO, only_if=Condition("owner", answered=True)),
        Step("end", "Anything else?", AnswerKind.TEXT, optional=True),
    ),
)


def _id(step: Step | None) -> str | None:
    return None if step is None else step.id


def test_the_first_step_passes_steps_answered_in_advance() -> None:
    assert _id(first_step(BRANCHING, {})) == "confirm"
    assert _id(first_step(BRANCHING, {"confirm": "yes"})) == "reason"
    assert _id(first_step(BRANCHING, {"confirm": "no"})) == "action"


def test_a_branch_opens_only_on_its_answer() -> None:
    assert _id(next_step(BRANCHING, "confirm", {"confirm": "yes"})) == "reason"
    assert _id(next_step(BRANCHING, "confirm", {"confirm": "no"})) == "action"


def test_an_answered_condition_follows_a_skip_or_an_answer() -> None:
    answered = {"confirm": "no", "action": "Call the school"}
    assert _id(next_step(BRANCHING, "action", answered)) == "owner"
    assert _id(next_step(BRANCHING, "owner", {**answered, "owner": 2})) == "due"
    skipped = {"confirm": "no", "action": SKIPPED}
    assert _id(next_step(BRANCHING, "action", skipped)) == "end"


def test_a_step_that_depends_on_a_hidden_step_is_hidden_too() -> None:
    # "followup" waits on "owner", which is hidden once the action is skipped.
    skipped = {"confirm": "no", "action": SKIPPED}
    assert _id(next_step(BRANCHING, "action", skipped)) == "end"
    answered = {"confirm": "no", "action": "Call", "owner": 2, "due": "2026-12-09"}
    assert _id(next_step(BRANCHING, "due", answered)) == "followup"


def test_the_flow_ends_after_the_last_step() -> None:
    assert next_step(BRANCHING, "end", {"confirm": "no", "action": SKIPPED, "end": "x"}) is None
    assert first_step(BRANCHING, {"confirm": "no", "action": SKIPPED, "end": SKIPPED}) is None


def test_progress_counts_the_steps_known_to_be_on_the_path() -> None:
    # At the start only the unconditional steps are known: confirm, action, end.
    assert progress(BRANCHING, "confirm", {}) == (1, 3)
    # "yes" opens the reason.
    assert progress(BRANCHING, "reason", {"confirm": "yes"}) == (2, 4)
    # "no" keeps it closed.
    assert progress(BRANCHING, "action", {"confirm": "no"}) == (2, 3)
    # An action opens who and when; and once someone is named, the follow-up.
    answers = {"confirm": "no", "action": "Call"}
    assert progress(BRANCHING, "owner", answers) == (3, 5)
    assert progress(BRANCHING, "due", {**answers, "owner": 2}) == (4, 6)
    # The last step of the path is "m of m".
    assert progress(BRANCHING, "end", {"confirm": "no", "action": SKIPPED}) == (3, 3)


def test_progress_leaves_out_steps_answered_in_advance() -> None:
    # A flow started with its first answer given (a case's card gives the case) was never asked it.
    assert progress(BRANCHING, "action", {"confirm": "no"}, given=["confirm"]) == (1, 2)
    assert progress(BRANCHING, "reason", {"confirm": "yes"}, given=["confirm"]) == (1, 3)


def test_progress_leaves_out_answers_given_in_advance() -> None:
    flow = FlowDefinition("visit", "Visit", "visit", "save_visit", (CASE, PAST, TEXT, RISK))
    assert progress(flow, "date", {"case": 17}) == (2, 4)
    assert progress(flow, "date", {"case": 17}, given=["case"]) == (1, 3)
    answers = {"case": 17, "date": "2026-12-01", "how": "Fine"}
    assert progress(flow, "risk", answers, given=["case"]) == (3, 3)


def test_notes_follow_matching_answers_only() -> None:
    warning = Note(when=frozenset({"up"}), say="risk_up_note", offer="flag")
    step = Step("risk", "Risk?", AnswerKind.CHOICE, options=RISK.options, notes=(warning,))
    assert notes_after(step, "up") == [warning]
    assert notes_after(step, "same") == []
    assert notes_after(step, SKIPPED) == []
    low = Note(when=frozenset({"1", "2"}), say="low_note")
    assert notes_after(Step("mood", "?", AnswerKind.SCALE, notes=(low,)), 2) == [low]


def test_record_adds_or_replaces_the_current_answer_without_changing_the_old() -> None:
    before = {"confirm": "no"}
    position = FlowPosition(step="action", answers=before, path=("confirm",))
    assert record(position, "Call") == {"confirm": "no", "action": "Call"}
    assert record(FlowPosition(step="confirm", answers=before), "yes") == {"confirm": "yes"}
    assert before == {"confirm": "no"}


def test_going_back_forgets_the_previous_answer_and_everything_after_it() -> None:
    position = FlowPosition(
        step="due",
        answers={"confirm": "no", "action": "Call", "owner": 2},
        path=("confirm", "action", "owner"),
    )
    back = go_back(BRANCHING, position)
    assert back == FlowPosition(
        step="owner", answers={"confirm": "no", "action": "Call"}, path=("confirm", "action")
    )
    assert back is not None
    again = go_back(BRANCHING, back)
    assert again == FlowPosition(step="action", answers={"confirm": "no"}, path=("confirm",))


def test_going_back_past_a_branch_forgets_the_branch() -> None:
    position = FlowPosition(
        step="action", answers={"confirm": "yes", "reason": "moved"}, path=("confirm", "reason")
    )
    back = go_back(BRANCHING, position)
    assert back is not None and back.step == "reason"
    first = go_back(BRANCHING, back)
    assert first == FlowPosition(step="confirm", answers={}, path=())
    # Answered differently, the branch closes.
    assert _id(next_step(BRANCHING, "confirm", record(first, "no"))) == "action"


def test_going_back_keeps_answers_given_in_advance_and_stops_at_the_first_walked_step() -> None:
    flow = FlowDefinition(
        "visit", "Visit", "visit", "save_visit", (CASE, PAST, TEXT), description=""
    )
    at_date = FlowPosition(step="date", answers={"case": 17}, path=())
    assert go_back(flow, at_date) is None
    at_how = FlowPosition(step="how", answers={"case": 17, "date": "2026-12-01"}, path=("date",))
    assert go_back(flow, at_how) == FlowPosition(step="date", answers={"case": 17}, path=())


def test_a_flow_for_a_role_leaves_out_the_other_roles_steps() -> None:
    whose = Step("worker", "Whose?", AnswerKind.MEMBER, who="workers", only_for="supervisor")
    flow = FlowDefinition("note", "Note", None, "save", (CASE, whose, TEXT))
    assert [s.id for s in flow.for_role("supervisor").steps] == ["case", "worker", "how"]
    assert [s.id for s in flow.for_role("worker").steps] == ["case", "how"]
    assert flow.for_role("worker").ending == "save"
