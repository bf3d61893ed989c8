"""The /stuck flow against CONTENT.md §A, and its rules (suggestions, endings)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.flows import SKIPPED, AnswerKind
from bot.domain.stuck import (
    StuckEnding,
    agencies_differing,
    endings_left,
    endings_offered,
    suggestions,
    unmet_basics,
)
from bot.services.flow_catalogue import catalogue

# CONTENT.md §A, steps 0–12, in order: an edit to the flow cannot silently drop one.
CONTENT_STEPS = [
    "Safety first",
    "Mark the task",
    "State the case",
    "Where in the work",
    "You first",
    "Their view",
    "Basics first",
    "Engagement and a quick win",
    "Two balances",
    "The network",
    "Fit of the help",
    "Whose decision",
    "Back to purpose",
]


def test_every_step_of_the_practice_is_in_the_flow_in_order() -> None:
    flow = catalogue()["stuck"]
    sections: list[str] = []
    for step in flow.steps:
        assert step.section is not None, f"step {step.id} names no section"
        if not sections or sections[-1] != step.section:
            sections.append(step.section)
    assert sections == CONTENT_STEPS


def test_safety_comes_first_offers_the_risk_button_and_every_later_step_can_be_skipped() -> None:
    flow = catalogue()["stuck"]
    first = flow.steps[0]
    assert first.id == "safety" and not first.optional
    assert any(note.offer == "safeguarding_stuck" for note in first.notes)
    assert [o.value for o in first.choices()] == ["yes", "no"]
    required = [step.id for step in flow.steps[1:] if not step.optional and not step.only_if]
    assert required == ["case"]  # a walk-through is always about one case


def test_the_steps_take_the_answers_the_practice_asks_for() -> None:
    flow = catalogue()["stuck"]
    kinds = {step.id: step.kind for step in flow.steps}
    assert kinds["feeling_strength"] is AnswerKind.SCALE
    assert kinds["steer"] is AnswerKind.SCALE and kinds["contact"] is AnswerKind.SCALE
    assert kinds["case"] is AnswerKind.CASE and kinds["last_seen"] is AnswerKind.DATE
    assert kinds["next_owner"] is AnswerKind.MEMBER and kinds["next_due"] is AnswerKind.DATE
    assert {o.value for o in flow.step("feeling").choices()} == {
        "worried",
        "hopeless",
        "frustrated",
        "overwhelmed",
        "confused",
        "fine",
    }


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, []),
        ({"safety": "yes"}, ["safeguarding"]),
        ({"basics_housing": "no", "basics_money": "partly"}, ["basics_first"]),
        ({"feeling_strength": 4}, ["thinking_together"]),
        ({"feeling_strength": 3}, []),
        ({"phase": "keeping_going", "engagement": 2}, ["agree_goals_again"]),
        ({"phase": "starting", "engagement": 1}, []),
        ({"phase": "ending", "engagement": SKIPPED}, []),
        ({"steer": 1}, ["other_side"]),
        ({"contact": 5, "steer": 3}, ["other_side"]),
        ({"network_roles": "differ"}, ["joining_up"]),  # kept before agency by agency
        ({"agency_1": "School", "agency_1_plan": "differ"}, ["joining_up"]),
        ({"agency_1": "School", "agency_1_plan": "agree"}, []),
        # Last seen face to face three weeks ago or more reads as not engaged.
        ({"phase": "keeping_going", "last_seen": "2026-11-13"}, ["agree_goals_again"]),
        ({"phase": "keeping_going", "last_seen": "2026-11-14"}, []),
        ({"phase": "starting", "last_seen": "2026-10-01"}, []),
        ({"phase": "ending", "engagement": 4, "last_seen": SKIPPED}, []),
        ({"fit": "habit"}, ["assessment_to_supervision"]),
        ({"fit": "needs"}, []),
        ({"whose": "not_sure"}, ["widen_the_circle"]),
        ({"got_it": "no"}, ["flag_or_team_meeting"]),
        ({"got_it": "yes", "whose": "yes"}, []),
        (
            {"safety": "yes", "basics_health": "no", "got_it": "partly"},
            ["safeguarding", "basics_first", "flag_or_team_meeting"],
        ),
    ],
)
def test_suggestions(answers: dict[str, object], expected: list[str]) -> None:
    assert suggestions(answers, date(2026, 12, 4)) == expected


def test_two_weekly_checks_not_engaged_read_as_not_engaged() -> None:
    """The Friday checks feed the rule (issue 22.6): the last two "not" while keeping going."""
    answers = {"phase": "keeping_going", "engagement": 4}
    assert "agree_goals_again" in suggestions(answers, date(2026, 12, 4), ["not", "not"])
    assert "agree_goals_again" not in suggestions(answers, date(2026, 12, 4), ["not", "partly"])
    assert "agree_goals_again" not in suggestions(answers, date(2026, 12, 4), ["not"])


def test_unmet_basics_in_order() -> None:
    answers = {"basics_health": "no", "basics_safety": "no", "basics_housing": "partly"}
    assert unmet_basics(answers) == ["basics_safety", "basics_health"]


def test_one_flag_at_most_and_each_ending_once() -> None:
    assert endings_left([]) == list(StuckEnding)
    after_flag = endings_left(["flag_week"])
    assert not any(ending.is_flag for ending in after_flag)
    assert endings_left(["note", "agenda", "team_meeting", "join_1", "join_2", "join_3"]) == [
        StuckEnding.FLAG_TODAY,
        StuckEnding.FLAG_WEEK,
        StuckEnding.FLAG_SUPERVISION,
        StuckEnding.ACTION,
    ]
    assert endings_left([e.value for e in StuckEnding]) == []


def test_endings_offered_follow_the_answers() -> None:
    """The team meeting only when the worker did not get what they needed; a joining-up
    conversation for each agency that differs; actions only with something to act on."""
    answers = {
        "got_it": "partly",
        "agency_1": "School",
        "agency_1_problem": "differ",
        "agency_2": "Housing",
        "agency_2_problem": "agree",
        "agency_3": "GP",
        "agency_3_roles": "differ",
    }
    assert agencies_differing(answers) == [(1, "School"), (3, "GP")]
    offered = endings_offered(answers, [])
    assert StuckEnding.TEAM_MEETING in offered
    assert [e for e in offered if e.agency] == [StuckEnding.JOIN_UP_1, StuckEnding.JOIN_UP_3]
    assert StuckEnding.ACTION not in offered
    assert StuckEnding.TEAM_MEETING not in endings_offered({"got_it": "yes"}, [])
    assert StuckEnding.JOIN_UP_1 not in endings_offered(answers, ["join_1"])
    assert StuckEnding.ACTION in endings_offered({"quick_win": "call"}, [])
