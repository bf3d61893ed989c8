"""The key-worker process's rules (bot/domain/process.py): the next step's flow for a stage,
the plan's aims, a review's marks and outcome, who took part, counts and scores."""

from __future__ import annotations

import pytest

from bot.domain import process as rules
from bot.domain.team_settings import parse_setting, team_settings


@pytest.mark.parametrize(
    ("stage", "flow"),
    [
        ("agreement", "agreement"),
        ("assessment", "assessment"),
        ("family_meeting", "plan"),
        ("support_plan", "plan"),
        ("closing", "case_close"),
        ("engagement", None),
        ("monitoring", None),
    ],
)
def test_each_stage_offers_the_flow_that_records_it(stage: str, flow: str | None) -> None:
    assert rules.next_step_flow(stage) == flow


def test_keeping_the_family_engaged_is_always_an_aim_and_never_twice() -> None:
    assert rules.aims_with_engagement(["Back in school", " "]) == [
        "Back in school",
        rules.ENGAGEMENT_AIM,
    ]
    named = ["keeping the family engaged", "Back in school"]
    assert rules.aims_with_engagement(named) == named
    assert rules.aims_with_engagement([]) == [rules.ENGAGEMENT_AIM]


def test_an_assessment_keeps_every_level_and_side_even_when_skipped() -> None:
    factors = rules.factors_from({"person_risk": ["Missing school"], "family_protective": None})
    assert factors["person"] == {"risk": ["Missing school"], "protective": []}
    assert set(factors) == {"person", "family", "community"}


def test_a_mark_sets_the_actions_status_and_no_mark_leaves_it() -> None:
    assert rules.status_after("done") == "done"
    assert rules.status_after("carried") == "open"
    assert rules.status_after("dropped") == "dropped"
    assert rules.status_after(None) is None
    assert [rules.next_review_needed(o) for o in rules.OUTCOMES] == [True, True, True, False]


def test_team_members_take_part_by_id_and_everyone_else_by_their_words() -> None:
    lines = [rules.member_line(7), "Mum", "member:x"]
    assert rules.participants_from(lines) == [{"member": 7}, {"text": "Mum"}, {"text": "member:x"}]


def test_counts_are_whole_numbers_at_the_start_and_the_end() -> None:
    assert rules.whole_number(" 12 ") == 12
    assert [rules.whole_number(t) for t in ("-1", "1.5", "lots", "1234567")] == [None] * 4
    counts = rules.counts_from(["Incidents", "Missed days"], {"Incidents": 6}, {"Incidents": 1})
    assert counts == {
        "Incidents": {"start": 6, "end": 1},
        "Missed days": {"start": None, "end": None},
    }


def test_the_teams_counts_are_a_setting() -> None:
    assert team_settings({}).evaluation_counts == ("Incidents reported", "School days missed")
    assert parse_setting("evaluation_counts", "Incidents; Police call-outs ;") == [
        "Incidents",
        "Police call-outs",
    ]
    assert team_settings({"evaluation_counts": ["A"]}).evaluation_counts == ("A",)
    with pytest.raises(ValueError, match="evaluation_counts"):
        parse_setting("evaluation_counts", ";".join("abcdefg"))


def test_changed_aims_keep_the_aims_of_the_same_words_and_only_those() -> None:
    current = [(11, "Back in school"), (12, "Calmer evenings"), (13, "Keeping the family engaged")]
    wanted = ["Dad back in touch", "keeping the family engaged", "Back in school"]
    assert rules.aims_kept(current, wanted) == [None, 13, 11]  # 12 is dropped
    assert rules.aims_kept(current, ["Back in school", "back in school"]) == [11, None]
    assert rules.aims_kept([], ["A"]) == [None]
