"""A report's figures against a small fixture whose answers are worked out by hand below."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.report_facts import (
    AimScores,
    CaseFact,
    ClosedAims,
    EngagementFact,
    FlagFact,
    Period,
    ReportFacts,
    ReviewEvent,
    StageChange,
    VisitFact,
)
from bot.domain.report_figures import figures, percentile
from bot.domain.report_privacy import FEW_BEARINGS, ONE_WORKER

JANUARY = Period(date(2028, 1, 1), date(2028, 1, 31))
ALEX, KIM = 11, 12
A, B, C = 1, 2, 3
LONDON = ZoneInfo("Europe/London")

CASES = [
    # A: Alex's, weekly, opened 1 Jan, now in monitoring.
    CaseFact(A, ALEX, date(2028, 1, 1), None, "monitoring", 7, date(2028, 2, 9)),
    # B: Kim's, fortnightly, opened 3 Jan, still in engagement.
    CaseFact(B, KIM, date(2028, 1, 3), None, "engagement", 14, date(2028, 2, 16)),
    # C: Kim's, weekly, opened 20 Dec, in agreement, closed 26 Jan.
    CaseFact(C, KIM, date(2027, 12, 20), date(2028, 1, 26), "agreement", 7, date(2028, 1, 25)),
]
STAGES = [
    StageChange(A, date(2028, 1, 12), "engagement", "assessment"),
    StageChange(A, date(2028, 1, 20), "assessment", "monitoring"),
]
VISITS = [
    VisitFact(A, date(2028, 1, 7), ALEX),  # due 8 Jan: on time
    VisitFact(A, date(2028, 1, 16), ALEX),  # due 14 Jan: late
    VisitFact(A, date(2028, 1, 22), ALEX),  # due 23 Jan: on time
    VisitFact(A, date(2028, 1, 29), ALEX),  # due 29 Jan: on time; next due 5 Feb, after the end
    VisitFact(
        B, date(2028, 1, 17), KIM
    ),  # due 17 Jan: on time; next due 31 Jan, the end: not late yet
    VisitFact(C, date(2027, 12, 24), KIM),  # due 27 Dec, before January: not counted
    VisitFact(
        C, date(2027, 12, 30), KIM
    ),  # due 31 Dec: not counted; next due 6 Jan, never made: late
]
REVIEWS = [
    ReviewEvent(A, date(2028, 1, 2), "set", None, date(2028, 1, 10)),  # the first date: no review
    ReviewEvent(A, date(2028, 1, 10), "moved", date(2028, 1, 10), date(2028, 1, 12)),
    ReviewEvent(A, date(2028, 1, 12), "set", date(2028, 1, 12), date(2028, 2, 9)),  # due 10th: late
    ReviewEvent(B, date(2028, 1, 19), "set", date(2028, 1, 20), date(2028, 2, 16)),  # on time
    # C: due 25 Jan, never held (its next_review_on): late.
]


def at(day: int, hour: float) -> datetime:
    return datetime(2028, 1, day, tzinfo=LONDON) + timedelta(hours=hour)


FLAGS = [
    FlagFact(ALEX, at(3, 9), at(3, 10), at(4, 9)),  # picked up in 1 h, resolved in 24 h
    FlagFact(KIM, at(5, 9), at(5, 11), at(7, 9)),  # 2 h, 48 h
    FlagFact(ALEX, at(10, 9), at(10, 14), None),  # 5 h
    FlagFact(KIM, at(12, 8), at(12, 18), None),  # 10 h
    FlagFact(KIM, at(14, 8), None, None),  # not picked up
    FlagFact(KIM, datetime(2027, 12, 30, 9, tzinfo=LONDON), at(3, 9), None),  # raised in December
]
ENGAGEMENT = [
    EngagementFact(A, ALEX, date(2028, 1, 7), "engaged", False),
    EngagementFact(B, KIM, date(2028, 1, 7), "partly", True),
    EngagementFact(A, ALEX, date(2028, 1, 14), "engaged", False),
    EngagementFact(B, KIM, date(2028, 1, 14), "not", False),
    EngagementFact(B, KIM, date(2027, 12, 31), "not", True),  # December: not counted
]
AIMS = [
    ClosedAims(A, ALEX, (AimScores(2, 6), AimScores(4, 5))),
    ClosedAims(B, KIM, (AimScores(5, 4),)),
]


def facts(**changes: object) -> ReportFacts:
    values: dict[str, object] = {
        "scope": "North Team",
        "period": JANUARY,
        "today": date(2028, 2, 1),
        "cases": CASES,
        "stage_changes": STAGES,
        "visits": VISITS,
        "review_events": REVIEWS,
        "flags": FLAGS,
        "bearings_people": [ALEX, KIM, 13, 14, 15, 15],
        "engagement": ENGAGEMENT,
        "closed_aims": AIMS,
    }
    values.update(changes)
    return ReportFacts(**values)  # type: ignore[arg-type]


def test_visits_six_due_four_on_time_is_67_percent() -> None:
    visits = figures(facts()).visits.value
    assert visits is not None
    assert (visits.on_time, visits.due, visits.percent) == (4, 6, 67)


def test_reviews_three_due_one_on_time_the_put_off_one_counted_from_its_first_date() -> None:
    reviews = figures(facts()).reviews.value
    assert reviews is not None
    assert (reviews.on_time, reviews.due, reviews.percent) == (1, 3, 33)


def test_flag_pick_up_1_2_5_10_hours_median_3_5_p90_8_5_and_resolution() -> None:
    shown = figures(facts())
    pick_up, resolution = shown.pick_up.value, shown.resolution.value
    assert pick_up is not None and resolution is not None
    assert pick_up.count == 4  # the December flag and the one not picked up are left out
    assert pick_up.median == timedelta(hours=3.5)
    assert pick_up.p90 == timedelta(hours=8.5)  # 5 + 0.7 x (10 - 5)
    assert (resolution.count, resolution.median) == (2, timedelta(hours=36))
    assert resolution.p90 == timedelta(hours=45.6)  # 24 + 0.9 x 24


def test_caseload_by_stage_at_the_end_of_each_week_from_stage_changes() -> None:
    caseload = figures(facts()).caseload.value
    assert caseload is not None
    assert caseload.days == (
        date(2028, 1, 3),
        date(2028, 1, 10),
        date(2028, 1, 17),
        date(2028, 1, 24),
        date(2028, 1, 31),
    )
    assert caseload.stages == ("engagement", "agreement", "assessment", "monitoring")
    assert caseload.counts == (
        (2, 1, 0, 0),  # A and B in engagement, C in agreement
        (2, 1, 0, 0),
        (1, 1, 1, 0),  # A moved to assessment on the 12th
        (1, 1, 0, 1),  # and to monitoring on the 20th
        (1, 0, 0, 1),  # C closed on the 26th
    )
    assert caseload.total(4) == 2


def test_engagement_checks_summed_and_aims_change_at_closing() -> None:
    shown = figures(facts())
    engagement, aims = shown.engagement.value, shown.aims.value
    assert engagement is not None and aims is not None
    assert (engagement.checks, engagement.cases) == (4, 2)
    assert (engagement.engaged, engagement.partly, engagement.not_engaged) == (2, 1, 1)
    assert (engagement.percent_engaged, engagement.incidents) == (50, 1)
    assert (aims.cases, aims.aims, aims.improved) == (2, 3, 1)
    assert (aims.mean_start, aims.mean_end, aims.mean_change) == (3.7, 5.0, 1.3)


def test_not_recorded_sections_say_so_instead_of_a_figure() -> None:
    shown = figures(facts(engagement=None, closed_aims=None))
    assert shown.engagement.not_recorded and shown.engagement.value is None
    assert shown.aims.not_recorded and shown.aims.value is None
    assert "incidents_reported" not in dict(shown.counts)


def test_counts_the_team_tracks_one_workers_alone_withheld() -> None:
    counts = dict(figures(facts()).counts)
    assert {key: figure.value for key, figure in counts.items()} == {
        "cases_opened": 2,  # A and B (C opened in December)
        "cases_closed": None,  # only C, Kim's: would single Kim out
        "visits_made": 5,
        "flags_raised": 5,
        "incidents_reported": None,  # one incident, on Kim's case
    }
    assert counts["cases_closed"].withheld == counts["incidents_reported"].withheld == ONE_WORKER


def test_bearings_figure_needs_five_people_and_counts_checks() -> None:
    taken = figures(facts()).bearings.value
    assert taken is not None and (taken.checks, taken.people) == (6, 5)
    four = figures(facts(bearings_people=[ALEX, KIM, 13, 14, 14])).bearings
    assert four.value is None and four.withheld == FEW_BEARINGS


def test_a_figure_from_one_workers_work_is_withheld() -> None:
    alex_only = facts(
        flags=[f for f in FLAGS if f.worker_id == ALEX],
        engagement=[e for e in ENGAGEMENT if e.worker_id == ALEX],
    )
    shown = figures(alex_only)
    assert shown.pick_up.withheld == ONE_WORKER and shown.pick_up.value is None
    assert shown.engagement.withheld == ONE_WORKER
    counts = dict(shown.counts)
    assert counts["flags_raised"].withheld == ONE_WORKER
    assert counts["cases_opened"].value == 2  # Alex's and Kim's: both behind it


def test_nothing_in_the_period_is_nothing_not_withheld() -> None:
    empty = figures(facts(cases=[], visits=[], review_events=[], flags=[], engagement=[]))
    for figure in (empty.caseload, empty.visits, empty.reviews, empty.pick_up, empty.engagement):
        assert figure.value is None and figure.withheld is None and not figure.not_recorded
    assert dict(empty.counts)["flags_raised"].value == 0


def test_percentile_of_one_value_and_bad_input() -> None:
    assert percentile([timedelta(hours=2)], 0.9) == timedelta(hours=2)
    with pytest.raises(ValueError):
        percentile([], 0.5)
    with pytest.raises(ValueError):
        Period(date(2028, 2, 1), date(2028, 1, 1))
