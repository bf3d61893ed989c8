"""Keeping your bearings (CONTENT.md §B): the elements, and how a check is read. Domain layer.

A check rates eight stance elements, in four pairs, from 1 (neglected lately)
to 5 (strong); places two balances from practice on five-point sliders; and,
optionally, answers five boundary questions yes / partly / no. This module
decides what a check says: where it *leans* (a pair's two elements two or
more apart, or a slider at an end), where there is a *gap* (an element at 2 or
below), what changed since the previous check, and whether something has been
tilted twice running, which is worth taking to supervision. It names things by
id only; the words are in prompts/.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LOW, HIGH = 1, 5
"""Every rating and slider runs from 1 to 5."""
MIDDLE = 3
"""A slider's balanced point."""
GAP_AT_OR_BELOW = 2
"""An element rated this or lower is a gap."""
LEAN_APART = 2
"""A pair whose ratings are this far apart (or more) leans."""
TEAM_MINIMUM = 5
"""A supervisor sees team averages only when at least this many workers contributed."""
TEAM_PERIOD_DAYS = 14
"""The period a team summary looks back over."""


@dataclass(frozen=True)
class Pair:
    """Two elements of one quadrant of the wheel, held in tension."""

    quadrant: str
    first: str
    second: str


PAIRS: tuple[Pair, ...] = (
    Pair("team", "relationship", "connected"),
    Pair("family", "scaffolding", "risk"),
    Pair("network", "domains", "integration"),
    Pair("learning", "local", "evidence"),
)
"""The four pairs in the order they are asked and drawn (CONTENT.md §B's table)."""

ELEMENTS: tuple[str, ...] = tuple(e for pair in PAIRS for e in (pair.first, pair.second))
"""The eight elements, in order: individual key-worker relationship, well connected to the
team, scaffolding existing relationships, managing risk, working in multiple domains, taking
responsibility for integration, respecting local practice, respecting evidence."""

BALANCES: tuple[str, ...] = ("steer", "liaison")
"""The two sliders: following the family's lead (1) ↔ giving a clear steer (5); face-to-face
work (1) ↔ liaison and networking (5)."""

BOUNDARIES: tuple[str, ...] = ("task", "authority", "mine", "time", "place")
"""The optional second page: is the task clear; do I have the authority; is it clear what is
mine and what is others'; is there time; the right place with the right people."""
BOUNDARY_ANSWERS = ("yes", "partly", "no")

WATCHED: tuple[str, ...] = ("connected", "risk")
"""Low twice running, these are offered for the supervision agenda (CONTENT.md §B)."""


@dataclass(frozen=True)
class Check:
    """One check's answers: element ratings, slider positions and boundary answers."""

    elements: Mapping[str, int]
    balances: Mapping[str, int]
    boundaries: Mapping[str, str]

    def to_stored(self) -> dict[str, Any]:
        """The check as plain JSON for storage."""
        return {
            "elements": dict(self.elements),
            "balances": dict(self.balances),
            "boundaries": dict(self.boundaries),
        }

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> Check:
        """A check from its stored JSON (unknown keys ignored)."""
        return cls(
            elements={k: int(v) for k, v in stored.get("elements", {}).items() if k in ELEMENTS},
            balances={k: int(v) for k, v in stored.get("balances", {}).items() if k in BALANCES},
            boundaries={
                k: str(v) for k, v in stored.get("boundaries", {}).items() if k in BOUNDARIES
            },
        )

    @classmethod
    def from_answers(cls, answers: Mapping[str, Any]) -> Check:
        """A check from a finished /bearings flow's answers (step ids are the element ids,
        the balance ids, and ``boundary_<id>``); every element and balance must be there."""
        missing = [key for key in (*ELEMENTS, *BALANCES) if answers.get(key) is None]
        if missing:
            raise ValueError(f"a bearings check needs every rating; missing {missing}")
        for key in (*ELEMENTS, *BALANCES):
            if not LOW <= int(answers[key]) <= HIGH:
                raise ValueError(f"{key} must be {LOW} to {HIGH}")
        boundaries = {
            key: str(answers[f"boundary_{key}"])
            for key in BOUNDARIES
            if answers.get(f"boundary_{key}") in BOUNDARY_ANSWERS
        }
        return cls(
            elements={key: int(answers[key]) for key in ELEMENTS},
            balances={key: int(answers[key]) for key in BALANCES},
            boundaries=boundaries,
        )


@dataclass(frozen=True)
class Lean:
    """Where a check leans: in a pair (``where`` is the quadrant) towards one element and away
    from the other, or on a slider (``where`` is the balance) towards its ``low`` or ``high``
    end. ``by`` is how strongly: the gap between the pair, or the distance from the middle."""

    where: str
    towards: str
    away: str
    by: int

    @property
    def on_slider(self) -> bool:
        """Whether this is a slider at an end rather than a pair apart."""
        return self.where in BALANCES


@dataclass(frozen=True)
class Gap:
    """An element rated 2 or lower."""

    element: str
    rating: int


@dataclass(frozen=True)
class Reading:
    """What a check says: its leans (strongest first), gaps (lowest first) and the boundary
    questions not answered yes."""

    leans: tuple[Lean, ...]
    gaps: tuple[Gap, ...]
    unclear_boundaries: tuple[str, ...] = ()

    @property
    def steady(self) -> bool:
        """No lean and no gap."""
        return not self.leans and not self.gaps


def read(check: Check) -> Reading:
    """The leans, gaps and unclear boundaries of a check."""
    leans: list[Lean] = []
    for pair in PAIRS:
        first, second = check.elements[pair.first], check.elements[pair.second]
        if abs(first - second) >= LEAN_APART:
            towards, away = (
                (pair.first, pair.second) if first > second else (pair.second, pair.first)
            )
            leans.append(Lean(pair.quadrant, towards, away, abs(first - second)))
    for balance in BALANCES:
        value = check.balances[balance]
        if value in (LOW, HIGH):
            towards, away = ("low", "high") if value == LOW else ("high", "low")
            leans.append(Lean(balance, towards, away, abs(value - MIDDLE)))
    # Strongest first; ties keep the order they are asked in (sorted is stable).
    leans.sort(key=lambda lean: -lean.by)
    gaps = sorted(
        (
            Gap(element, check.elements[element])
            for element in ELEMENTS
            if check.elements[element] <= GAP_AT_OR_BELOW
        ),
        key=lambda gap: gap.rating,
    )
    unclear = tuple(key for key in BOUNDARIES if check.boundaries.get(key) in ("partly", "no"))
    return Reading(tuple(leans), tuple(gaps), unclear)


@dataclass(frozen=True)
class Change:
    """An element or slider that moved since the previous check."""

    key: str
    before: int
    after: int

    @property
    def by(self) -> int:
        """How far it moved (negative: down, or towards the low end)."""
        return self.after - self.before


def changes(previous: Check | None, current: Check) -> tuple[Change, ...]:
    """What moved since the previous check, biggest moves first (none the first time)."""
    if previous is None:
        return ()
    moved = [
        Change(key, before[key], now[key])
        for before, now, keys in (
            (previous.elements, current.elements, ELEMENTS),
            (previous.balances, current.balances, BALANCES),
        )
        for key in keys
        if key in before and key in now and before[key] != now[key]
    ]
    return tuple(sorted(moved, key=lambda change: -abs(change.by)))


@dataclass(frozen=True)
class Tilt:
    """Something tilted in both of the last two checks: a watched element low (``kind`` "low",
    ``key`` the element) or the same lean (``kind`` "lean", ``key`` the pair or slider)."""

    kind: str
    key: str
    towards: str = ""

    @property
    def on_slider(self) -> bool:
        """Whether this is a slider at the same end twice."""
        return self.key in BALANCES


def tilted_twice(previous: Check | None, current: Check) -> tuple[Tilt, ...]:
    """What has been strongly tilted twice running, worth offering for the supervision agenda:
    "well connected to the team" or "managing risk" at 2 or below in both checks, or the same
    lean (same pair or slider, same way) in both."""
    if previous is None:
        return ()
    tilts = [
        Tilt("low", element)
        for element in WATCHED
        if current.elements[element] <= GAP_AT_OR_BELOW
        and previous.elements.get(element, HIGH) <= GAP_AT_OR_BELOW
    ]
    before = {(lean.where, lean.towards) for lean in read(previous).leans}
    tilts += [
        Tilt("lean", lean.where, lean.towards)
        for lean in read(current).leans
        if (lean.where, lean.towards) in before
    ]
    return tuple(tilts)


STRONG_APART = 3
"""A pair this far apart (5 and 2, say) is a strong lean, worth supervision the first time."""


def strongly_tilted(current: Check) -> tuple[Tilt, ...]:
    """A strong imbalance in this check alone (PRODUCT: offered for the supervision agenda):
    an element at 1 (neglected lately), or a pair three or more apart."""
    tilts = [Tilt("low", element) for element in ELEMENTS if current.elements[element] == LOW]
    tilts += [
        Tilt("lean", lean.where, lean.towards)
        for lean in read(current).leans
        if not lean.on_slider and lean.by >= STRONG_APART
    ]
    return tuple(tilts)


def worth_supervision(previous: Check | None, current: Check) -> tuple[tuple[Tilt, ...], bool]:
    """What to offer for the supervision agenda, and whether it is "twice running": what has
    been tilted twice running if anything, else a strong imbalance this time."""
    twice = tilted_twice(previous, current)
    return (twice, True) if twice else (strongly_tilted(current), False)


@dataclass(frozen=True)
class Summary:
    """The two-line reading: the strongest lean (line one) and the lowest gap (line two), with
    how many more of each there are. The words are in prompts/templates/_bearings_reading."""

    lean: Lean | None
    more_leans: int
    gap: Gap | None
    more_gaps: int


def summary(reading: Reading) -> Summary:
    """What the two lines of the reading are about."""
    return Summary(
        lean=reading.leans[0] if reading.leans else None,
        more_leans=max(len(reading.leans) - 1, 0),
        gap=reading.gaps[0] if reading.gaps else None,
        more_gaps=max(len(reading.gaps) - 1, 0),
    )


def may_see(
    *,
    viewer_id: int,
    viewer_team_id: int,
    viewer_supervises: bool,
    owner_id: int,
    team_id: int,
    shared: bool,
) -> bool:
    """A check is its owner's; a supervisor of the same team sees it only once it is shared."""
    if viewer_id == owner_id:
        return True
    return viewer_supervises and viewer_team_id == team_id and shared


@dataclass(frozen=True)
class TeamAverages:
    """A team's averages per element and slider, from each contributing worker's latest check."""

    workers: int
    elements: Mapping[str, float]
    balances: Mapping[str, float]


def team_averages(
    latest_by_worker: Sequence[Check], minimum: int = TEAM_MINIMUM
) -> TeamAverages | None:
    """Averages over one check per worker; None when fewer than ``minimum`` workers took part,
    so that no one's answers can be picked out of a small group."""
    count = len(latest_by_worker)
    if count < minimum:
        return None

    def mean(values: Sequence[int]) -> float:
        return round(sum(values) / len(values), 1)

    return TeamAverages(
        workers=count,
        elements={
            key: mean([check.elements[key] for check in latest_by_worker]) for key in ELEMENTS
        },
        balances={
            key: mean([check.balances[key] for check in latest_by_worker]) for key in BALANCES
        },
    )


TREND_CHECKS = 8
"""How many of a person's latest checks their trend picture shows."""
DRIFT_AT_LEAST = 2
"""A pair or slider whose balance moved this much between the first and last check drifted."""


def balance_of(check: Check, where: str) -> int:
    """Where a pair or slider sits: a pair's first element minus its second (−4 to 4), a
    slider's distance from the middle (−2 to 2); 0 is balanced."""
    for pair in PAIRS:
        if pair.quadrant == where:
            return check.elements[pair.first] - check.elements[pair.second]
    return check.balances[where] - MIDDLE


@dataclass(frozen=True)
class Drift:
    """A pair or slider that moved over the checks shown, from ``first`` to ``last``."""

    where: str
    first: int
    last: int


def drifts(checks: Sequence[Check]) -> tuple[Drift, ...]:
    """What moved between the first and the last of these checks (oldest first), in the
    order the check asks (pairs, then sliders)."""
    if len(checks) < 2:
        return ()
    first, last = checks[0], checks[-1]
    places = [*(pair.quadrant for pair in PAIRS), *BALANCES]
    moved = [Drift(w, balance_of(first, w), balance_of(last, w)) for w in places]
    return tuple(d for d in moved if abs(d.last - d.first) >= DRIFT_AT_LEAST)
