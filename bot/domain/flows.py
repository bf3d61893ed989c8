"""The flow engine's rules: flow definitions, and how an answer moves a flow along.

Pure functions over plain data. A flow is a list of steps; a step asks one
question whose answer is a choice, a scale, free text, a date, a case or
yes/no. A step can be shown only if an earlier answer allows it (``only_if``),
can be skipped when ``optional``, and can carry advice shown after certain
answers (``notes``). The database row, the buttons and the words live
elsewhere; this module only decides.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from bot.domain.dates import parse_date, recent_days, short_day
from bot.domain.schedule import (
    EVERY_DAY,
    is_working_day,
    working_day_offers,
    working_days_ahead,
)

TELEGRAM_TEXT_LIMIT = 4096


MAX_LINES = 12
"""The most lines a lines step takes unless it says fewer (a phone screen of them)."""


class AnswerKind(StrEnum):
    """What kind of answer a step takes."""

    CHOICE = "choice"
    SCALE = "scale"
    TEXT = "text"
    DATE = "date"
    CASE = "case"
    YESNO = "yesno"
    MEMBER = "member"
    LINES = "lines"
    """Several short lines, one at a time (typed, or picked from the step's options), until
    "That's all" (``bot.domain.flow_lists``)."""


class FlowDefinitionError(ValueError):
    """A flow definition file is wrong; the message says where."""


@dataclass(frozen=True)
class Option:
    """One button of a choice step."""

    value: str
    label: str


@dataclass(frozen=True)
class Condition:
    """True when an earlier step's answer is one of ``values``, or, with ``answered`` set,
    when that step was answered (True) or skipped (False)."""

    step: str
    values: frozenset[str] = frozenset()
    answered: bool | None = None

    def holds(self, answers: Mapping[str, Any]) -> bool | None:
        """True/False once the step is answered; None while it is not (yet) known."""
        if self.step not in answers:
            return None
        if self.answered is not None:
            return (answers[self.step] is not SKIPPED) is self.answered
        return str(answers[self.step]) in self.values


@dataclass(frozen=True)
class Note:
    """Shown right after a step is answered with one of ``when`` (``*``: any answer).

    ``say`` names a template; ``offer`` names a registered action run at that
    moment (raising a safeguarding flag, looking up what was tried last time).
    """

    when: frozenset[str]
    say: str | None = None
    offer: str | None = None


@dataclass(frozen=True)
class Step:
    """One question of a flow."""

    id: str
    ask: str
    kind: AnswerKind
    options: tuple[Option, ...] = ()
    optional: bool = False
    max_length: int = 1000
    direction: str = "any"  # for dates: "past", "future" or "any"
    scale: tuple[int, int] = (1, 5)
    only_if: Condition | None = None
    notes: tuple[Note, ...] = ()
    summary: str | None = None
    check: str | None = None
    offsets: tuple[int, ...] = ()
    section: str | None = None  # the part of a written practice structure it belongs to
    skip_label: str = "flow_skip"
    who: str = "team"
    """For member steps: "team" (everyone), "workers", "supervisors", or "others" (everyone
    but the person answering: a cover for oneself is no cover)."""
    only_for: str | None = None  # a role: the step is asked only of people in it
    options_from: str | None = None
    """A registered source of the step's options, worked out from the data when asked."""
    each: str | None = None
    """A registered source of items: the step is asked once for each (its answer maps each
    item's value to its answer)."""
    or_typed: bool = False
    """A choice that also takes typed words as the answer (a new one, not among the options)."""
    done_label: str = "flow_lines_done"
    max_lines: int = MAX_LINES
    """For lines steps: the most lines the step takes."""

    def choices(self) -> tuple[Option, ...]:
        """The options offered as buttons (yes/no steps have two fixed ones)."""
        if self.kind is AnswerKind.YESNO and not self.options:
            return (Option("yes", "Yes"), Option("no", "No"))
        return self.options


@dataclass(frozen=True)
class FlowDefinition:
    """A whole flow: its steps in order and the ending that acts on the answers."""

    name: str
    title: str
    command: str | None
    ending: str
    steps: tuple[Step, ...]
    description: str = ""
    only_for: str | None = None
    """The one role that may start it (a team's settings: supervisors); None for anyone."""
    interrupts: bool = False
    """Started while another flow is open, it takes that flow's case if none was given and,
    when nothing is left to ask, runs at once and leaves the open flow to carry on or stop
    (someone at risk never waits behind "finish the open one or drop it?")."""

    def for_role(self, role: str) -> FlowDefinition:
        """The flow as someone in this role walks it (steps for other roles left out)."""
        steps = tuple(step for step in self.steps if step.only_for in (None, role))
        return FlowDefinition(
            name=self.name,
            title=self.title,
            command=self.command,
            ending=self.ending,
            steps=steps,
            description=self.description,
            only_for=self.only_for,
            interrupts=self.interrupts,
        )

    def step(self, step_id: str) -> Step:
        """The step with this id."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)


# --- answers -------------------------------------------------------------------------------

SKIPPED = None
"""The stored value of a skipped optional step."""


@dataclass(frozen=True)
class CaseChoice:
    """A case the person may pick: its id, reference, key worker and next visit due."""

    id: int
    reference: str
    worker_id: int | None = None
    due: date | None = None


@dataclass(frozen=True)
class MemberChoice:
    """A member of the person's team who may be picked: id, name and whether a worker."""

    id: int
    name: str
    is_worker: bool


@dataclass(frozen=True)
class AnswerContext:
    """What checking an answer needs to know about the world."""

    today: date
    cases: Sequence[CaseChoice] = ()
    members: Sequence[MemberChoice] = ()
    me: int | None = None
    """The member answering (offered first, as "Me")."""
    working_days: frozenset[int] = EVERY_DAY
    """The team's working days (Monday = 0): dates ahead are offered on them."""

    def members_for(self, step: Step) -> list[MemberChoice]:
        """The members a member step offers (everyone, only the workers or the supervisors,
        or all but me)."""
        if step.who == "others":
            return [m for m in self.members if m.id != self.me]
        if step.who == "supervisors":
            return [m for m in self.members if not m.is_worker]
        return [m for m in self.members if step.who == "team" or m.is_worker]


@dataclass(frozen=True)
class Accepted:
    """A valid answer, as stored."""

    value: Any


@dataclass(frozen=True)
class Rejected:
    """An answer that cannot be taken; ``reason`` names the explaining template."""

    reason: str
    limit: int | None = None


Answer = Accepted | Rejected


def answer_from_text(step: Step, text: str, context: AnswerContext) -> Answer:
    """Check typed text against a step (text steps, and typed forms of the other kinds)."""
    cleaned = text.strip()
    if len(text) > TELEGRAM_TEXT_LIMIT:
        # Name the limit that applies here: under 4096 is no use when the step takes 2000.
        limit = step.max_length if step.kind is AnswerKind.TEXT else TELEGRAM_TEXT_LIMIT
        return Rejected("too_long", min(limit, TELEGRAM_TEXT_LIMIT))
    if not cleaned:
        return Rejected("empty")
    if step.kind is AnswerKind.LINES:  # one line: a pick typed by its words, or new words
        picked = [o.value for o in step.options if o.label.casefold() == cleaned.casefold()]
        if picked:
            return Accepted(picked[0])
    if step.kind in (AnswerKind.TEXT, AnswerKind.LINES):
        if len(cleaned) > step.max_length:
            return Rejected("too_long", step.max_length)
        return Accepted(cleaned)
    if step.kind in (AnswerKind.CHOICE, AnswerKind.YESNO):
        lowered = cleaned.lower()
        for option in step.choices():
            if lowered in (option.value.lower(), option.label.lower()):
                return Accepted(option.value)
        if step.or_typed:
            return (
                Accepted(cleaned)
                if len(cleaned) <= step.max_length
                else Rejected("too_long", step.max_length)
            )
        return Rejected("choose_a_button")
    if step.kind is AnswerKind.SCALE:
        low, high = step.scale
        if cleaned.isdecimal() and low <= int(cleaned) <= high:
            return Accepted(int(cleaned))
        return Rejected("scale")
    if step.kind is AnswerKind.DATE:
        day = parse_date(
            cleaned,
            context.today,
            allow_past=step.direction != "future",
            allow_future=step.direction != "past",
        )
        return Accepted(day.isoformat()) if day else Rejected(f"date_{step.direction}")
    if step.kind is AnswerKind.CASE:
        for case in context.cases:
            if case.reference.lower() == cleaned.lower():
                return Accepted(case.id)
        return Rejected("case_unknown")
    if step.kind is AnswerKind.MEMBER:
        offered = context.members_for(step)
        if cleaned.casefold() == "me" and any(m.id == context.me for m in offered):
            return Accepted(context.me)
        named = [m for m in offered if m.name.lower() == cleaned.lower()]
        return Accepted(named[0].id) if len(named) == 1 else Rejected("choose_a_button")
    raise AssertionError(step.kind)


def answer_from_button(step: Step, token: str, context: AnswerContext) -> Answer:
    """Check a pressed button's token (``o2``, ``n4``, ``d2026-12-05``, ``c17``, ``m3``)."""
    kind, _, rest = token[:1], None, token[1:]
    if kind == "o" and rest.isdecimal() and int(rest) < len(step.choices()):
        return Accepted(step.choices()[int(rest)].value)
    if kind == "n" and step.kind is AnswerKind.SCALE and rest.isdecimal():
        low, high = step.scale
        if low <= int(rest) <= high:
            return Accepted(int(rest))
    if kind == "d" and step.kind is AnswerKind.DATE:
        try:
            day = date.fromisoformat(rest)
        except ValueError:
            return Rejected("choose_a_button")
        # A date button pressed days later can fall on the wrong side of today.
        if (step.direction == "future" and day < context.today) or (
            step.direction == "past" and day > context.today
        ):
            return Rejected(f"date_{step.direction}")
        return Accepted(day.isoformat())
    if kind == "c" and step.kind is AnswerKind.CASE and rest.isdecimal():
        if any(case.id == int(rest) for case in context.cases):
            return Accepted(int(rest))
        return Rejected("case_unknown")
    members = context.members_for(step) if step.kind is AnswerKind.MEMBER else []
    if kind == "m" and rest.isdecimal() and any(member.id == int(rest) for member in members):
        return Accepted(int(rest))
    return Rejected("choose_a_button")


def answer_label(step: Step, value: Any, context: AnswerContext | None = None) -> str:
    """How a stored answer reads back to the person (the option's label, the case's reference)."""
    if value is SKIPPED:
        return "—"
    if isinstance(value, list):  # a lines step: each line, a picked one by its label
        return ", ".join(answer_label(replace(step, kind=AnswerKind.CHOICE), v) for v in value)
    if step.kind in (AnswerKind.CHOICE, AnswerKind.YESNO, AnswerKind.LINES):
        for option in step.choices():
            if option.value == value:
                return option.label
    if step.kind is AnswerKind.CASE and context is not None:
        for case in context.cases:
            if case.id == value:
                return case.reference
    if step.kind is AnswerKind.MEMBER and context is not None:
        for member in context.members:
            if member.id == value:
                return member.name
    if step.kind is AnswerKind.DATE and isinstance(value, str):
        return short_day(date.fromisoformat(value))  # "Mon 23 Nov", not "2026-11-23"
    return str(value)


def date_offers(step: Step, context: AnswerContext) -> list[date]:
    """The days a date step offers as buttons: ahead, working days only (never a Sunday
    first for a team that works Monday to Friday); behind, the last six days."""
    if step.direction == "future":
        if step.offsets:
            return working_day_offers(context.today, step.offsets, context.working_days)
        return working_days_ahead(context.today, 6, context.working_days)
    if step.offsets:
        return [context.today + timedelta(days=offset) for offset in step.offsets]
    if step.direction == "past":
        return recent_days(context.today, 6)
    return [context.today + timedelta(days=offset) for offset in range(6)]


def off_working_days(step: Step, value: Any, context: AnswerContext) -> date | None:
    """A date chosen ahead that is not a working day (taken, but worth saying); else None."""
    if step.kind is not AnswerKind.DATE or step.direction != "future" or not isinstance(value, str):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return None if is_working_day(day, context.working_days) else day


# --- moving through a flow -----------------------------------------------------------------


def visibility(flow: FlowDefinition, answers: Mapping[str, Any]) -> dict[str, bool | None]:
    """Per step: shown (True), hidden (False) or not yet known (None, its condition waits).

    A step whose condition refers to a hidden step is hidden too, so chains of
    conditions (an action's owner and due date after the action) close together.
    """
    seen: dict[str, bool | None] = {}
    for step in flow.steps:
        condition = step.only_if
        if condition is None:
            seen[step.id] = True
        elif seen.get(condition.step) is False:
            seen[step.id] = False
        else:
            seen[step.id] = condition.holds(answers)
    return seen


def first_step(flow: FlowDefinition, answers: Mapping[str, Any]) -> Step | None:
    """The first step still to answer (steps answered in advance, like a chosen case, pass)."""
    shown = visibility(flow, answers)
    for step in flow.steps:
        if step.id not in answers and shown[step.id] is not False:
            return step
    return None


def next_step(flow: FlowDefinition, current: str, answers: Mapping[str, Any]) -> Step | None:
    """The step after ``current`` that still needs an answer, or None when the flow is done."""
    shown = visibility(flow, answers)
    ids = [step.id for step in flow.steps]
    for step in flow.steps[ids.index(current) + 1 :]:
        if step.id not in answers and shown[step.id] is not False:
            return step
    return None


def progress(
    flow: FlowDefinition,
    current: str,
    answers: Mapping[str, Any],
    given: Collection[str] = (),
) -> tuple[int, int]:
    """("step n of m"): the steps known to be on this person's path so far.

    Steps waiting on an answer not yet given are not counted, so ``m`` grows when
    an answer opens a branch rather than shrinking from an alarming start. Steps
    answered in advance (``given``, like the case when a flow starts from a case's
    card) were never asked, so they are not counted either.
    """
    shown = visibility(flow, answers)
    path = [
        step.id
        for step in flow.steps
        if (shown[step.id] is True or step.id == current) and step.id not in given
    ]
    return path.index(current) + 1, len(path)


def notes_after(step: Step, value: Any) -> list[Note]:
    """The advice a step gives after this answer."""
    if value is SKIPPED:
        return []
    return [note for note in step.notes if "*" in note.when or str(value) in note.when]


@dataclass(frozen=True)
class FlowPosition:
    """Where a person is in a flow: the step, the answers so far, and the steps walked."""

    step: str
    answers: dict[str, Any] = field(default_factory=dict)
    path: tuple[str, ...] = ()


def record(position: FlowPosition, value: Any) -> dict[str, Any]:
    """The answers with this step's answer added (or replaced)."""
    return {**position.answers, position.step: value}


def go_back(flow: FlowDefinition, position: FlowPosition) -> FlowPosition | None:
    """One step back: the previous step walked, with its answer (and later ones) forgotten."""
    if not position.path:
        return None
    previous = position.path[-1]
    keep_until = [step.id for step in flow.steps].index(previous)
    kept = {
        step.id: position.answers[step.id]
        for step in flow.steps[:keep_until]
        if step.id in position.answers
    }
    return FlowPosition(step=previous, answers=kept, path=position.path[:-1])
