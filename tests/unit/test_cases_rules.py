"""Case rules, permissions and button data (bot/domain/cases.py, permissions.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from bot.domain.cases import (
    CaseDates,
    ReferenceProblem,
    Stage,
    after_visit,
    due_order,
    next_visit_due,
    normalise_reference,
    visit_state,
)
from bot.domain.permissions import Actor, may_change, may_correct, may_read, may_reassign
from bot.domain.roles import Role

TODAY = date(2026, 12, 2)

# --- references ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("FAM-0142", "FAM-0142"),
        ("fam-0142 ", "FAM-0142"),
        ("  yp/2026/07", "YP/2026/07"),
        ("c_12.3", "C_12.3"),
        ("42", "42"),
        ("A" + "1" * 31, "A" + "1" * 31),
    ],
)
def test_references_are_kept_in_capitals(typed: str, kept: str) -> None:
    assert normalise_reference(typed) == kept


@pytest.mark.parametrize("typed", ["John Smith", "mary o'brien", "ANNE-MARIE JONES", "Family"])
def test_names_are_refused_as_names(typed: str) -> None:
    assert normalise_reference(typed) is ReferenceProblem.NAME_LIKE


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "7", "FAM 0142", "-0142", "FAM#0142", "A" + "1" * 32, "fam–0142", "FAM-0142\n2"],
)
def test_other_shapes_are_refused(typed: str) -> None:
    assert normalise_reference(typed) is ReferenceProblem.SHAPE


# --- visits and what is due ------------------------------------------------------------------


def test_the_first_visit_sets_the_last_visit_and_the_next_due() -> None:
    assert after_visit(None, TODAY, 7) == (TODAY, TODAY + timedelta(days=7))
    assert next_visit_due(TODAY, 14) == date(2026, 12, 16)


def test_a_later_visit_moves_the_dates_on() -> None:
    earlier = date(2026, 11, 20)
    assert after_visit(earlier, TODAY, 14) == (TODAY, date(2026, 12, 16))


def test_an_older_note_moves_nothing_back() -> None:
    older = date(2026, 11, 20)
    assert after_visit(TODAY, older, 7) == (TODAY, TODAY + timedelta(days=7))
    assert after_visit(TODAY, TODAY, 7) == (TODAY, TODAY + timedelta(days=7))


@pytest.mark.parametrize(
    ("due", "state"),
    [
        (None, "none"),
        (TODAY - timedelta(days=30), "overdue"),
        (TODAY - timedelta(days=1), "overdue"),
        (TODAY, "today"),
        (TODAY + timedelta(days=1), "soon"),
        (TODAY + timedelta(days=2), "soon"),
        (TODAY + timedelta(days=3), "later"),
    ],
)
def test_visit_state(due: date | None, state: str) -> None:
    assert visit_state(due, TODAY) == state


def _case(
    reference: str,
    visit: int | None,
    review: int | None = None,
    stage: str = Stage.ENGAGEMENT.value,
) -> CaseDates:
    return CaseDates(
        reference,
        stage,
        None if visit is None else TODAY + timedelta(days=visit),
        None if review is None else TODAY + timedelta(days=review),
    )


def test_the_caseload_puts_the_soonest_visit_first() -> None:
    cases = [
        _case("NO-DATES", None),
        _case("LATER", 5),
        _case("OVERDUE", -3),
        _case("TODAY", 0),
    ]
    assert [c.reference for c in sorted(cases, key=due_order)] == [
        "OVERDUE",
        "TODAY",
        "LATER",
        "NO-DATES",
    ]


def test_ties_go_to_the_soonest_review_then_the_earlier_stage_then_the_reference() -> None:
    cases = [
        _case("B-NO-REVIEW", 1),
        _case("C-MONITORING", 1, 10, Stage.MONITORING.value),
        _case("A-UNKNOWN-STAGE", 1, 10, "mystery"),
        _case("E-ENGAGEMENT", 1, 10),
        _case("D-ENGAGEMENT", 1, 10),
        _case("F-REVIEW-SOON", 1, 3, Stage.CLOSING.value),
    ]
    assert [c.reference for c in sorted(cases, key=due_order)] == [
        "F-REVIEW-SOON",
        "D-ENGAGEMENT",
        "E-ENGAGEMENT",
        "C-MONITORING",
        "A-UNKNOWN-STAGE",
        "B-NO-REVIEW",
    ]


# --- permissions -----------------------------------------------------------------------------

NORTH, SOUTH = 1, 2
SUPERVISOR = Actor(member_id=10, team_id=NORTH, role=Role.SUPERVISOR)
WORKER = Actor(member_id=20, team_id=NORTH, role=Role.WORKER)
OTHER_WORKER = Actor(member_id=21, team_id=NORTH, role=Role.WORKER)
SOUTH_SUPERVISOR = Actor(member_id=30, team_id=SOUTH, role=Role.SUPERVISOR)


@pytest.mark.parametrize("rule", [may_read, may_change])
def test_a_worker_reads_and_changes_their_own_cases_only(rule: Callable[..., bool]) -> None:
    assert rule(WORKER, owner_id=20, team_id=NORTH) is True
    assert rule(OTHER_WORKER, owner_id=20, team_id=NORTH) is False
    # Their own id on another team's case is still another team's case.
    assert rule(WORKER, owner_id=20, team_id=SOUTH) is False


@pytest.mark.parametrize("rule", [may_read, may_change])
def test_a_supervisor_acts_for_their_own_team_only(rule: Callable[..., bool]) -> None:
    assert rule(SUPERVISOR, owner_id=20, team_id=NORTH) is True
    assert rule(SUPERVISOR, owner_id=10, team_id=NORTH) is True
    assert rule(SOUTH_SUPERVISOR, owner_id=20, team_id=NORTH) is False


def test_only_the_cases_teams_supervisor_reassigns() -> None:
    assert may_reassign(SUPERVISOR, team_id=NORTH) is True
    assert may_reassign(SOUTH_SUPERVISOR, team_id=NORTH) is False
    assert may_reassign(WORKER, team_id=NORTH) is False


def test_a_note_is_corrected_by_its_author_within_the_window() -> None:
    assert may_correct(WORKER, author_id=20, team_id=NORTH, age_days=0, window=14) is True
    assert may_correct(WORKER, author_id=20, team_id=NORTH, age_days=14, window=14) is True
    assert may_correct(WORKER, author_id=20, team_id=NORTH, age_days=14.01, window=14) is False
    assert may_correct(OTHER_WORKER, author_id=20, team_id=NORTH, age_days=1, window=14) is False
    assert may_correct(SUPERVISOR, author_id=20, team_id=NORTH, age_days=1, window=14) is False
    assert may_correct(WORKER, author_id=20, team_id=SOUTH, age_days=1, window=14) is False
