"""Keeping your bearings: how a check is read (bot/domain/bearings.py), its words, and the flow
definition against CONTENT.md §B."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.domain import bearings as rules
from bot.domain.bearings import Change, Check, Gap, Lean, Tilt
from bot.domain.flows import AnswerKind
from bot.services.bearings import names
from bot.services.flow_catalogue import catalogue
from prompts import render

EVEN = dict.fromkeys(rules.ELEMENTS, 4)


def check(*, balances: tuple[int, int] = (3, 3), **elements: int) -> Check:
    """A check: every element 4 unless given, the two sliders in the middle unless given."""
    return Check(
        elements={**EVEN, **elements},
        balances=dict(zip(rules.BALANCES, balances, strict=True)),
        boundaries={},
    )


# --- the elements -----------------------------------------------------------------------------


def test_eight_elements_in_four_pairs_and_two_balances() -> None:
    assert [(p.quadrant, p.first, p.second) for p in rules.PAIRS] == [
        ("team", "relationship", "connected"),
        ("family", "scaffolding", "risk"),
        ("network", "domains", "integration"),
        ("learning", "local", "evidence"),
    ]
    assert len(set(rules.ELEMENTS)) == 8
    assert rules.BALANCES == ("steer", "liaison")
    assert set(rules.WATCHED) == {"connected", "risk"}


def test_every_element_balance_and_boundary_has_a_short_name() -> None:
    words = names()
    for key in (*rules.ELEMENTS, *rules.BALANCES, *rules.BOUNDARIES):
        assert words[key]
    for balance in rules.BALANCES:
        assert words[f"{balance}:low"] and words[f"{balance}:high"]
    assert words["connected"] == "Connected to the team" and words["risk"] == "Managing risk"


# --- leans and gaps ---------------------------------------------------------------------------


def test_an_even_check_reads_steady() -> None:
    reading = rules.read(check())
    assert reading.steady and reading.leans == () and reading.gaps == ()


def test_a_pair_two_apart_leans_towards_the_stronger_element() -> None:
    reading = rules.read(check(relationship=5, connected=3))
    assert reading.leans == (Lean("team", "relationship", "connected", 2),)
    assert reading.gaps == ()


def test_a_pair_one_apart_does_not_lean() -> None:
    assert rules.read(check(scaffolding=4, risk=3)).leans == ()


def test_a_slider_at_either_end_leans_and_the_middle_or_near_it_does_not() -> None:
    assert rules.read(check(balances=(1, 5))).leans == (
        Lean("steer", "low", "high", 2),
        Lean("liaison", "high", "low", 2),
    )
    assert rules.read(check(balances=(2, 4))).leans == ()


def test_leans_come_strongest_first() -> None:
    reading = rules.read(check(balances=(5, 3), domains=5, integration=1))
    assert [lean.where for lean in reading.leans] == ["network", "steer"]
    assert reading.leans[0].by == 4 and reading.leans[1].on_slider


def test_an_element_at_two_or_below_is_a_gap_lowest_first() -> None:
    reading = rules.read(check(risk=2, evidence=1, local=3))
    assert reading.gaps == (Gap("evidence", 1), Gap("risk", 2))


def test_boundaries_answered_partly_or_no_are_to_talk_through() -> None:
    answered = Check(
        elements=EVEN,
        balances={"steer": 3, "liaison": 3},
        boundaries={"task": "yes", "authority": "no", "time": "partly"},
    )
    assert rules.read(answered).unclear_boundaries == ("authority", "time")


# --- change and twice running -------------------------------------------------------------------


def test_the_change_since_the_previous_check_biggest_first() -> None:
    before = check(risk=2, balances=(3, 3))
    after = check(risk=5, connected=3, balances=(5, 3))
    assert rules.changes(before, after) == (
        Change("risk", 2, 5),
        Change("steer", 3, 5),
        Change("connected", 4, 3),
    )
    assert rules.changes(None, after) == ()
    assert rules.changes(after, after) == ()


def test_managing_risk_low_twice_running_is_offered_for_supervision() -> None:
    before, now = check(risk=2, scaffolding=3), check(risk=1, scaffolding=2)  # no lean
    assert rules.tilted_twice(before, now) == (Tilt("low", "risk"),)


def test_connected_to_the_team_low_twice_running_is_offered_for_supervision() -> None:
    tilts = rules.tilted_twice(check(connected=1), check(connected=2))
    assert Tilt("low", "connected") in tilts


def test_low_only_once_is_not_twice_running() -> None:
    assert rules.tilted_twice(check(risk=4), check(risk=1, scaffolding=3)) == ()
    assert rules.tilted_twice(None, check(risk=1)) == ()


def test_the_same_lean_twice_running_is_offered_and_the_other_way_is_not() -> None:
    assert rules.tilted_twice(check(balances=(5, 3)), check(balances=(5, 3))) == (
        Tilt("lean", "steer", "high"),
    )
    assert rules.tilted_twice(check(balances=(1, 3)), check(balances=(5, 3))) == ()
    pair = rules.tilted_twice(check(domains=5, integration=3), check(domains=4, integration=2))
    assert pair == (Tilt("lean", "network", "domains"),)


def test_other_low_elements_twice_running_are_not_offered_by_themselves() -> None:
    # Evidence and local know-how are both low, so the pair does not lean: not "watched".
    assert rules.tilted_twice(check(evidence=2, local=2), check(evidence=1, local=2)) == ()


# --- the two-line reading ---------------------------------------------------------------------


def _reading(c: Check) -> list[str]:
    reading = rules.read(c)
    text = render(
        "bearings_picture",
        owner_name=None,
        taken_on=date(2026, 11, 23),
        summary=rules.summary(reading),
        names=names(),
    )
    return text.splitlines()[1:]


def test_the_reading_is_two_plain_lines_for_a_steady_check() -> None:
    assert _reading(check()) == [
        "Your pairs are fairly even, and neither balance is at an end.",
        "No gaps: nothing is at 2 or below.",
    ]


def test_the_reading_names_the_strongest_lean_and_the_lowest_gap() -> None:
    lines = _reading(check(relationship=5, connected=2, evidence=1, balances=(5, 3)))
    assert lines == [
        "Leaning towards one-to-one trust, away from connected to the team, and 2 more leans.",
        "Evidence could do with some care, and 1 more gap.",
    ]


def test_the_reading_names_a_slider_at_its_end() -> None:
    assert _reading(check(balances=(3, 1)))[0] == "Right at one end: face-to-face work."


def test_a_summary_counts_what_the_two_lines_leave_out() -> None:
    summary = rules.summary(rules.read(check(risk=1, connected=2, evidence=2)))
    assert summary.gap == Gap("risk", 1) and summary.more_gaps == 2


# --- from answers, storage, team -------------------------------------------------------------


def _answers(**overrides: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {key: 3 for key in (*rules.ELEMENTS, *rules.BALANCES)}
    answers.update(boundaries="no", note=None)
    answers.update(overrides)
    return answers


def test_a_check_from_a_flows_answers_and_back_from_storage() -> None:
    made = Check.from_answers(_answers(risk=1, boundaries="yes", boundary_time="partly"))
    assert made.elements["risk"] == 1 and made.boundaries == {"time": "partly"}
    assert Check.from_stored(made.to_stored()) == made


def test_a_check_with_a_rating_missing_or_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="missing"):
        Check.from_answers(_answers(steer=None))
    with pytest.raises(ValueError, match="1 to 5"):
        Check.from_answers(_answers(risk=6))


def test_team_averages_need_five_workers() -> None:
    four = [check(risk=r) for r in (1, 2, 3, 4)]
    assert rules.team_averages(four) is None
    averages = rules.team_averages([*four, check(risk=5, balances=(5, 1))])
    assert averages is not None and averages.workers == 5
    assert averages.elements["risk"] == 3.0 and averages.elements["evidence"] == 4.0
    assert averages.balances == {"steer": 3.4, "liaison": 2.6}


def test_a_check_is_seen_by_its_owner_and_by_a_supervisor_only_once_shared() -> None:
    def sees(viewer: int, team: int, supervises: bool, shared: bool) -> bool:
        return rules.may_see(
            viewer_id=viewer,
            viewer_team_id=team,
            viewer_supervises=supervises,
            owner_id=7,
            team_id=1,
            shared=shared,
        )

    assert sees(7, 1, False, False)
    assert not sees(3, 1, True, False)
    assert sees(3, 1, True, True)
    assert not sees(3, 2, True, True)  # another team's supervisor
    assert not sees(8, 1, False, True)  # a colleague


# --- the flow definition against CONTENT.md §B --------------------------------------------------


def test_the_flow_asks_all_eight_elements_then_both_balances_in_order() -> None:
    flow = catalogue()["bearings"]
    ids = [step.id for step in flow.steps]
    assert ids[:10] == [*rules.ELEMENTS, *rules.BALANCES]
    for step in flow.steps[:10]:
        assert step.kind is AnswerKind.SCALE and step.scale == (1, 5) and not step.optional
        assert step.only_if is None


def test_the_sliders_name_both_ends_in_the_question() -> None:
    flow = catalogue()["bearings"]
    assert "following their lead" in flow.step("steer").ask
    assert "giving a clear steer" in flow.step("steer").ask
    assert "face to face" in flow.step("liaison").ask
    assert "liaison and networking" in flow.step("liaison").ask


def test_the_boundaries_page_is_optional_behind_one_question() -> None:
    flow = catalogue()["bearings"]
    ids = [step.id for step in flow.steps]
    asked = ids.index("boundaries")
    assert asked == 10 and flow.step("boundaries").kind is AnswerKind.YESNO
    pages = [f"boundary_{key}" for key in rules.BOUNDARIES]
    assert ids[asked + 1 : asked + 6] == pages
    for step_id in pages:
        step = flow.step(step_id)
        assert step.only_if is not None and step.only_if.step == "boundaries"
        assert [option.value for option in step.choices()] == ["yes", "partly", "no"]


def test_the_note_comes_last_and_can_be_skipped() -> None:
    note = catalogue()["bearings"].steps[-1]
    assert note.id == "note" and note.kind is AnswerKind.TEXT and note.optional


def test_the_check_is_quick_one_tap_per_question() -> None:
    flow = catalogue()["bearings"]
    taps = [step for step in flow.steps if step.kind is not AnswerKind.TEXT]
    assert all(
        step.kind in (AnswerKind.SCALE, AnswerKind.CHOICE, AnswerKind.YESNO) for step in taps
    )
    # Without the boundaries page: ten ratings, one "a few more?", and the note (Skip).
    assert len([s for s in flow.steps if s.only_if is None]) == 12


def test_a_strong_imbalance_is_worth_supervision_the_first_time() -> None:
    from bot.domain.bearings import Check, worth_supervision

    even = dict.fromkeys(("relationship", "connected", "scaffolding", "risk"), 4)
    even |= dict.fromkeys(("domains", "integration", "local", "evidence"), 4)
    middle = {"steer": 3, "liaison": 3}
    strong = Check({**even, "relationship": 5, "connected": 2}, middle, {})
    tilts, twice = worth_supervision(None, strong)
    assert not twice and [(t.kind, t.key, t.towards) for t in tilts] == [
        ("lean", "team", "relationship")
    ]
    mild = Check({**even, "relationship": 5, "connected": 3}, middle, {})
    assert worth_supervision(None, mild) == ((), False)
    neglected = Check({**even, "evidence": 1}, {"steer": 5, "liaison": 3}, {})
    tilts, _ = worth_supervision(None, neglected)
    assert ("low", "evidence") in [(t.kind, t.key) for t in tilts]
    assert all(not t.on_slider for t in tilts)  # a slider at an end alone is not "strong"


def test_drifts_name_what_moved_between_the_first_and_last_check() -> None:
    from bot.domain.bearings import Check, Drift, drifts

    even = dict.fromkeys(("relationship", "connected", "scaffolding", "risk"), 4)
    even |= dict.fromkeys(("domains", "integration", "local", "evidence"), 4)
    first = Check(even, {"steer": 3, "liaison": 3}, {})
    middle = Check({**even, "connected": 3}, {"steer": 4, "liaison": 3}, {})
    last = Check({**even, "connected": 2}, {"steer": 5, "liaison": 4}, {})
    assert drifts([first]) == ()
    assert drifts([first, middle, last]) == (Drift("team", 0, 2), Drift("steer", 0, 2))
