"""Values for every template, at the sizes real teams reach (tests/e2e/test_every_template_fits.py).

Each template has a builder that makes its values from a ``Fill``: the same builder gives the
largest realistic values (``Largest``), values drawn by hypothesis and biased towards the
largest (``Drawn``), or markup-like strings in every free-text field (``Marked``). The values
are the view types the services pass (``CaseCard``, ``Caseload``, ``FlagView``, ``Digest``...),
paged with the page size the service uses, and the free text at its limit in the flow
definitions (prompts/flows/*.yaml ``max_length``), names at Telegram's 64, references at the
domain's 32.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from hypothesis import strategies as st
from markupsafe import Markup

import handlers.cases as cases_handlers
from bot.domain import bearings as bearing_rules
from bot.domain import export as records
from bot.domain.caseload_problems import Column, Problem, RowProblem
from bot.domain.cases import STAGE_LABELS, Stage, visit_state
from bot.domain.flags import FlagFigures
from bot.domain.paging import page_of
from bot.domain.pickers import PICKER_PAGE
from bot.domain.roles import Role
from bot.services.access import Person
from bot.services.actions import ActionLine, ActionList
from bot.services.agenda import Agenda, AgendaEntry, WorkerLine
from bot.services.bearings import names as bearing_names
from bot.services.caseload_import import LIMITS, CasePreview, ImportCheck, Imported
from bot.services.cases import CaseCard, Caseload, WorkerCases
from bot.services.erasure import Erased, ErasurePlan
from bot.services.export import Exported, ExportFile
from bot.services.flags import FLAGS_PER_PAGE, FlagView
from bot.services.flow_catalogue import catalogue
from bot.services.flows.replies import Question
from bot.services.notes import PAGE as NOTES_PAGE
from bot.services.notes import NoteItem, NoteList, NoteView
from bot.services.nudges.messages import Digest
from bot.services.onboarding import InvitePreview, IssuedInvite
from bot.services.stuck import StuckSummary
from bot.services.team import TeamOverview, WorkerRow
from prompts import label, render_text
from storage.models import Action, Case

T = TypeVar("T")
Values = dict[str, Any]

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LONGEST_DAY = date(2026, 12, 30)  # "Wed 30 Dec": two-digit day, as long as a date prints
REFERENCE = re.compile(r"[A-Z0-9][A-Z0-9/_.-]{1,31}")
NAME_LIMIT = 64  # Telegram's first name + last name; the bot keeps 64 (services/onboarding.py)
REFERENCE_LIMIT = 32  # bot/domain/cases.py
TEAM_NAME_LIMIT = 80  # services/onboarding.py create_team
INSTRUCTION_LIMIT = 1000  # a team's safeguarding instruction (domain/team_settings.py)
MARKUP = "<b>x</b> &lt; &amp; <i> </b>"
"""What a person might type that looks like HTML: it must be shown exactly so."""

_WORDS = (
    "Café",
    "👨‍👩‍👧",
    "مرحبا",
    "שלום",
    "🚩",
    "naïve",
    "😀😀",
    "عائلة",
    "ילדים",
    "—",
    "&",
    "<3",
)
_ALPHABET = "aZ09 \n.,'\"<>&-–…éß/مرحبשלו😀👨‍👩‍👧🚩\u200f\u200e\u0301"


def largest_text(limit: int, style: int = 0) -> str:
    """``limit`` characters of realistic text: emoji (two UTF-16 units each, or more), Arabic
    and Hebrew, markup-like characters; in words and lines (style 0), as one unbroken run of
    emoji (style 1, the worst case for splitting), or as short lines (style 2)."""
    if style == 1:
        return ("😀" * limit)[:limit]
    words: list[str] = []
    size = 0
    index = 0
    while size < limit:
        word = _WORDS[index % len(_WORDS)]
        index += 1
        gap = "\n" if (style == 2 and index % 3 == 0) or index % 17 == 0 else " "
        words.append(word + gap)
        size += len(word) + 1
    return "".join(words)[:limit].rstrip() or "x"


def largest_name(style: int = 0) -> str:
    """A 64-character display name with emoji and right-to-left text."""
    return largest_text(NAME_LIMIT, style)


def largest_reference() -> str:
    """A reference at the 32 characters the domain allows."""
    text = "FAM-2026/0142.NORTH_EAST-0000001X"[:REFERENCE_LIMIT]
    assert REFERENCE.fullmatch(text)
    return text


class Fill:
    """Where a builder's values come from (see the subclasses)."""

    def text(self, limit: int) -> str:
        raise NotImplementedError

    def name(self) -> str:
        raise NotImplementedError

    def reference(self) -> str:
        raise NotImplementedError

    def count(self, most: int) -> int:
        raise NotImplementedError

    def number(self, low: int, high: int) -> int:
        raise NotImplementedError

    def pick(self, options: Sequence[T]) -> T:
        raise NotImplementedError

    def maybe(self) -> bool:
        raise NotImplementedError

    def day(self) -> date:
        raise NotImplementedError

    def many(self, make: Callable[[int], T], most: int) -> list[T]:
        """Up to ``most`` items: a few made (drawn), repeated to the count, so that a list of
        200 stays cheap to draw."""
        count = self.count(most)
        made = [make(index) for index in range(min(count, 3))]
        return [made[index % len(made)] for index in range(count)] if made else []

    def moment(self) -> datetime:
        return datetime.combine(self.day(), datetime.min.time(), UTC) + timedelta(
            minutes=self.number(0, 24 * 60 - 1)
        )

    def optional(self, value: T) -> T | None:
        return value if self.maybe() else None


class Largest(Fill):
    """The largest realistic values: every text at its limit, every list at its longest."""

    def text(self, limit: int) -> str:
        return largest_text(limit)

    def name(self) -> str:
        return largest_name()

    def reference(self) -> str:
        return largest_reference()

    def count(self, most: int) -> int:
        return most

    def number(self, low: int, high: int) -> int:
        return high

    def pick(self, options: Sequence[T]) -> T:
        return options[0]

    def maybe(self) -> bool:
        return True

    def day(self) -> date:
        return LONGEST_DAY


class Marked(Largest):
    """Markup-like text in every free-text field, short lists; remembers what it gave."""

    def __init__(self) -> None:
        self.given: list[str] = []

    def text(self, limit: int) -> str:
        return self._give()

    def name(self) -> str:
        return self._give()

    def reference(self) -> str:
        return self._give()

    def count(self, most: int) -> int:
        return min(most, 1)

    def _give(self) -> str:
        self.given.append(MARKUP)
        return MARKUP


@dataclass
class Drawn(Fill):
    """Values drawn by hypothesis, mostly at or near the largest."""

    data: st.DataObject
    drawn: list[Any] = field(default_factory=list)

    def _draw(self, strategy: st.SearchStrategy[T]) -> T:
        value = self.data.draw(strategy)
        return value

    def text(self, limit: int) -> str:
        sized = st.builds(largest_text, st.integers(1, limit), st.integers(0, 2))
        free = st.text(_ALPHABET, min_size=1, max_size=min(limit, 120))
        return self._draw(
            st.one_of(st.just(largest_text(limit)), st.just(largest_text(limit, 1)), sized, free)
        )

    def name(self) -> str:
        free = st.text(_ALPHABET, min_size=1, max_size=NAME_LIMIT).filter(str.strip)
        return self._draw(st.one_of(st.sampled_from([largest_name(s) for s in range(3)]), free))

    def reference(self) -> str:
        return self._draw(
            st.one_of(st.just(largest_reference()), st.from_regex(REFERENCE, fullmatch=True))
        )

    def count(self, most: int) -> int:
        return self._draw(st.one_of(st.just(most), st.integers(0, most)))

    def number(self, low: int, high: int) -> int:
        return self._draw(st.one_of(st.just(high), st.integers(low, high)))

    def pick(self, options: Sequence[T]) -> T:
        return self._draw(st.sampled_from(options))

    def maybe(self) -> bool:
        return self._draw(st.booleans())

    def day(self) -> date:
        return self._draw(
            st.one_of(st.just(LONGEST_DAY), st.dates(date(2020, 1, 1), date(2035, 12, 31)))
        )


def limit_of(flow: str, step: str) -> int:
    """A free-text answer's limit, from the flow definitions (prompts/flows/*.yaml)."""
    return catalogue()[flow].step(step).max_length


# --- the view types, filled -----------------------------------------------------------------

STAGES = tuple(Stage)
CASES_MOST = 200  # a supervisor's whole team (issue 18's big team has 120; room to grow)
FLAGS_MOST = 100
ACTIONS_MOST = 100
WORKERS_MOST = 25  # the big-team fixture's second team
# One worker's supervision agenda is not paged: every open flag and walk-through of the big
# team's (40 flags), its 60 open actions all overdue, and a reviews list of 120 cases.
AGENDA_MOST, AGENDA_ACTIONS_MOST, AGENDA_REVIEWS_MOST = 40, 60, 120


def card(f: Fill, index: int = 0) -> CaseCard:
    stage = f.pick(STAGES)
    due = f.optional(f.pick((TODAY - timedelta(days=f.number(1, 400)), TODAY, f.day())))
    return CaseCard(
        id=index + 1,
        reference=f.reference(),
        stage=stage.value,
        stage_label=STAGE_LABELS[stage],
        worker_id=index % 8 + 1,
        worker_name=f.name(),
        cadence_days=f.number(1, 365),
        last_visit_on=f.optional(f.day()),
        next_visit_due=due,
        next_review_on=f.optional(f.day()),
        visit_state=visit_state(due, TODAY),
        closed=f.maybe(),
    )


def caseload(f: Fill) -> Values:
    cards = f.many(lambda i: card(f, i), CASES_MOST)
    cards = [replace(c, id=i + 1, worker_id=i // 15 + 1) for i, c in enumerate(cards)]
    whole_team = f.maybe()
    page = page_of(cards, f.number(0, 30), keys=[c.id for c in cards])
    page = replace(page, changed=f.maybe())
    worker = (1, f.name()) if not whole_team and f.maybe() else None
    return {"load": Caseload(cards, TODAY, whole_team, page, worker), "shown": None}


def paged(f: Fill, make: Callable[[int], T], most: int, size: int = 8) -> Any:
    items = f.many(make, most)
    page = page_of(items, f.number(0, 30), keys=range(len(items)), size=size)
    return replace(page, changed=f.maybe())


def flag_view(f: Fill, index: int = 0) -> FlagView:
    state = f.pick(("resolved", "open", "acknowledged", "calling", "agenda"))
    return FlagView(
        id=index + 1,
        reference=f.optional(f.reference()),
        worker_name=f.name(),
        urgency=f.pick(("today", "week", "supervision")),
        summary=f.text(limit_of("flag_case", "reason")),
        source=f.pick(("flag_case", "stuck")),
        raised_at=f.moment(),
        state=state,
        handled_by=f.name() if state != "open" else None,  # picked up: by whom, and when
        handled_at=f.moment() if state != "open" else None,
        resolved_by=f.name(),
        resolved_at=f.moment(),
        outcome=f.text(limit_of("flag_resolve", "outcome")),
        escalated=f.maybe(),
        age=timedelta(hours=f.number(0, 24 * 90)),
    )


def action_line(f: Fill, index: int = 0) -> ActionLine:
    return ActionLine(
        id=index + 1,
        text=f.text(limit_of("supervision", "action_1")),
        owner_name=f.name(),
        due_on=f.day(),
        reference=f.optional(f.reference()),
        overdue=f.maybe(),
    )


def person(f: Fill) -> Person:
    return Person(1, 1, f.text(TEAM_NAME_LIMIT), f.pick(tuple(Role)), f.name())


def agenda(f: Fill) -> Agenda:
    def entry(index: int) -> AgendaEntry:
        kind = f.pick(("flag", "stuck", "bearings"))
        detail = (
            [bearing_names()[e] for e in bearing_rules.ELEMENTS]
            if kind == "bearings"
            else [f.text(limit_of("stuck", "next_step"))]
        )
        text = f.text(limit_of("stuck", "where_stuck"))
        return AgendaEntry(index + 1, kind, f.optional(f.reference()), text, detail)

    return Agenda(
        worker_id=1,
        worker_name=f.name(),
        entries=f.many(entry, AGENDA_MOST),
        overdue_actions=f.many(lambda i: action_line(f, i), AGENDA_ACTIONS_MOST),
        reviews_due=f.many(lambda i: (f.reference(), f.day()), AGENDA_REVIEWS_MOST),
        until=f.day(),
        own=f.maybe(),
    )


def case_row(f: Fill) -> Case:
    return Case(
        reference=f.reference(), next_visit_due=f.day(), next_review_on=f.day(), cadence_days=7
    )


def action_row(f: Fill) -> Action:
    return Action(text=f.text(limit_of("supervision", "action_1")), due_on=f.day())


def bearings_values(f: Fill) -> Values:
    def check() -> bearing_rules.Check:
        return bearing_rules.Check(
            elements={e: f.number(1, 5) for e in bearing_rules.ELEMENTS},
            balances={b: f.pick((1, 5, 2, 3, 4)) for b in bearing_rules.BALANCES},
            boundaries={b: f.pick(("no", "partly", "yes")) for b in bearing_rules.BOUNDARIES},
        )

    # The largest reading: every element a gap except where a pair leans, sliders at the ends.
    now = check() if not isinstance(f, Largest) else _widest_check()
    before = check() if f.maybe() else None
    reading = bearing_rules.read(now)
    return {
        "check": now,
        "reading": reading,
        "summary": bearing_rules.summary(reading),
        "changes": bearing_rules.changes(before, now),
        "previous_on": f.day() if before else None,
        "taken_on": f.day(),
        "tilts": bearing_rules.tilted_twice(before, now),
        "shared": f.maybe(),
        "on_agenda": f.maybe(),
        "is_supervisor": f.maybe(),
        "owner_name": f.name(),
        "names": bearing_names(),
    }


def _widest_check() -> bearing_rules.Check:
    elements = {e: (1 if i % 2 else 4) for i, e in enumerate(bearing_rules.ELEMENTS)}
    return bearing_rules.Check(
        elements=elements,
        balances={b: 5 for b in bearing_rules.BALANCES},
        boundaries={b: "no" for b in bearing_rules.BOUNDARIES},
    )


def question(f: Fill) -> Values:
    flows = list(catalogue().values())
    flow = f.pick(flows)
    step = f.pick(flow.steps)
    values = {"labels": {"case": f.reference()}}
    picker = None
    typed = None
    if step.kind.value in ("case", "member"):
        choices = f.many(lambda i: (f.reference(), str(i)), CASES_MOST)
        picker = page_of(choices, f.number(0, 30), keys=range(len(choices)), size=PICKER_PAGE)
        typed = f.optional(f.name())
    q = Question(flow, step, f.number(1, 40), 40, [], values, picker, typed)
    ask = Markup(render_text(step.ask, **values))
    return {"q": q, "ask": ask, "answer": f.text(limit_of("supervision", "update"))}


def note_view(f: Fill) -> Values:
    kind = f.pick(("s", "v"))
    if kind == "v":
        fields = [("how_it_went", f.text(2000)), ("next_step", f.text(1000))]
        details: dict[str, Any] = {"risk": f.pick(("up", "same", "down"))}
    else:
        steps = ("task", "update", "feelings", "risks", "strengths", "family_view")
        steps += ("decisions", "previous_actions", "referral")
        fields = [(s, f.text(limit_of("supervision", s))) for s in steps]
        details = {"risk": None}
    view = NoteView(
        kind=kind,
        id=1,
        case_id=1,
        reference=f.optional(f.reference()),
        day=f.day(),
        author_name=f.name(),
        fields=fields,
        details=details,
        correctable=[name for name, _ in fields] if f.maybe() else [],
        corrections=f.number(0, 20),
    )
    return {"note": view, "field_labels": {name: label(f"field_{name}") for name, _ in fields}}


def stuck_summary(f: Fill) -> StuckSummary:
    def answer(step: str) -> str:
        return f.text(limit_of("stuck", step))

    codes = ["safeguarding", "basics_first", "thinking_together", "agree_goals_again"]
    codes += ["other_side", "joining_up", "assessment_to_supervision", "widen_the_circle"]
    codes += ["flag_or_team_meeting"]
    stuck = catalogue()["stuck"]
    summaries = [s.summary or s.id for s in stuck.steps]
    return StuckSummary(
        walkthrough_id=1,
        case_id=1,
        reference=f.reference(),
        labels={
            "task": f.text(64),
            "feeling": f.text(64),
            "next_owner": f.name(),
            "next_due": "Wed 30 Dec",
        },
        answers={
            "where_stuck": answer("where_stuck"),
            "task": "other",
            "task_detail": answer("task_detail"),
            "feeling": "x",
            "feeling_strength": f.number(1, 5),
            "engagement": f.number(1, 5),
            "quick_win": answer("quick_win"),
            "next_step": answer("next_step"),
        },
        skipped=summaries[: f.count(len(summaries))],
        suggestions=codes[: f.count(len(codes))],
        unmet_basics=summaries[:4],
        chosen=["flag_today", "note", "action", "agenda"][: f.count(4)],
    )


def exports(f: Fill, kind: str | None = None) -> Values:
    """A case export or a personal one (the PDF templates: rendered, never sent to Telegram)."""
    case = records.CaseRecord(
        id=1,
        reference=f.reference(),
        key_worker=f.name(),
        stage="assessment",
        stage_label="Assessment",
        cadence_days=7,
        opened_at=NOW,
        closed_at=None,
        closing_reason=f.optional(f.text(limit_of("case_close", "reason"))),
        last_visit_on=f.day(),
        next_visit_due=f.day(),
        next_review_on=None,
        history=[records.Event(NOW, "case.reassigned", f.name(), {"to": f.name()})],
    )
    visit = records.VisitRecord(
        id=1,
        case_reference=case.reference,
        visited_on=f.day(),
        author=f.name(),
        how_it_went=f.text(limit_of("visit", "how")),
        risk_change="up",
        risk_words="⬆ Up",
        next_step=f.text(limit_of("visit", "next")),
        created_at=NOW,
        updated_at=NOW,
        earlier_versions=[records.Revision(NOW, f.name(), {"how_it_went": f.text(100)})],
    )
    visits = f.many(lambda i: visit, 20)
    if (kind or f.pick(("case", "personal"))) == "case":
        export: records.Export = records.CaseExport(
            NOW, "Europe/London", f.text(TEAM_NAME_LIMIT), case, visits, [], [], [], [], 2
        )
    else:
        member = records.MemberRecord(
            1, f.name(), "worker", f.text(TEAM_NAME_LIMIT), None, NOW, True, {}, None, None
        )
        export = records.PersonalExport(
            NOW, "Europe/London", member, [case], visits, [], [], [], [], []
        )
    return {"export": export}


def problem(f: Fill) -> RowProblem:
    return RowProblem(
        row=f.optional(f.number(2, 2001)),
        problem=f.pick(tuple(Problem)),
        column=f.pick(tuple(Column)),
        reference=f.reference(),
        other_row=f.number(2, 2001),
        header=f.text(30)[:30],
        position=f.number(1, 60),
    )


def import_check(f: Fill) -> Values:
    def preview(index: int) -> CasePreview:
        return CasePreview(
            index + 2,
            f.reference(),
            f.name(),
            STAGE_LABELS[f.pick(STAGES)],
            f.number(1, LIMITS.cadence_days),
            f.day(),
            f.day(),
        )

    problems = f.many(lambda i: problem(f), 200) if f.maybe() else []
    new = f.many(preview, LIMITS.rows)
    new = [replace(case, worker_name=f"{case.worker_name}{i % 30}") for i, case in enumerate(new)]
    check = ImportCheck(
        f.text(TEAM_NAME_LIMIT), new, f.many(lambda i: f.reference(), 2000), problems
    )
    return {"check": check, "limits": LIMITS, "changed": f.maybe()}


def _refs(f: Fill) -> list[str]:
    return f.many(lambda i: f.reference(), CASES_MOST)


NO_VALUES = (
    "_import_problem", "_pdf", "button_done", "button_private_only", "flow_nothing_to_cancel",
    "flow_rejected_case_unknown", "flow_rejected_choose_a_button", "flow_rejected_date_any",
    "flow_rejected_date_future", "flow_rejected_date_past", "flow_rejected_empty",
    "flow_rejected_reference_name_like", "flow_rejected_reference_shape",
    "flow_rejected_reference_taken", "flow_rejected_timezone_unknown", "flow_text_only",
    "forget_me_cancelled", "group_only", "help_supervisor", "help_worker", "import_cancelled",
    "import_not_csv", "invite_which_role", "join_declined", "note_corrected",
    "nudge_bearings", "refusal_action_not_yours", "refusal_agenda_not_yours",
    "refusal_already_done", "refusal_already_member", "refusal_bearings_not_shared",
    "refusal_case_not_yours", "refusal_cover_yourself", "refusal_flag_already_resolved",
    "refusal_flag_not_yours", "refusal_group_taken", "refusal_import_download_failed",
    "refusal_import_gone", "refusal_import_supervisors_only", "refusal_invite_expired",
    "refusal_invite_role", "refusal_invite_unknown", "refusal_invite_used",
    "refusal_not_a_member", "refusal_note_correction_closed", "refusal_note_not_yours",
    "refusal_nothing_to_erase", "refusal_supervisors_only", "refusal_team_name_invalid",
    "slow_down", "something_went_wrong", "something_went_wrong_not_kept", "start_stranger",
    "stuck_note_basics", "stuck_note_fit", "stuck_note_other_side", "stuck_note_strong_feeling",
    "stuck_note_whose", "try_again",
)  # fmt: skip

Builder = Callable[[Fill], Values]

SAMPLES: dict[str, Builder] = {name: lambda f: {} for name in NO_VALUES} | {
    "_agenda_body": lambda f: {"agenda": agenda(f)},
    "_bearings_details": bearings_values,
    "_bearings_reading": bearings_values,
    "_flag_lines": lambda f: {"flag": flag_view(f)},
    "_menu": lambda f: {"person": person(f)},
    "_nudge_acted": lambda f: {
        "acted": f.pick(("snoozed", "moved", "choosing", "logging", "reviewing", "done")),
        "until": f.day(),
    },
    "_page_changed": lambda f: {"page": paged(f, lambda i: i, CASES_MOST)},
    "_page_footer": lambda f: {"page": paged(f, lambda i: i, CASES_MOST)},
    "_privacy": lambda f: {"retention_days": f.number(30, 3650)},
    "actions": lambda f: {
        "listing": ActionList([], TODAY, paged(f, lambda i: action_line(f, i), ACTIONS_MOST))
    },
    "agenda": lambda f: {"agenda": agenda(f)},
    "agenda_tick_offer": lambda f: {"agenda": agenda(f)},
    "agenda_ticked": lambda f: {"agenda": agenda(f)},
    "agenda_workers": lambda f: {
        "page": paged(f, lambda i: WorkerLine(i, f.name(), f.number(0, 99)), WORKERS_MOST)
    },
    "away_back": lambda f: {"was_away": f.maybe()},
    "away_set": lambda f: {"until": f.day(), "cover": f.optional(f.name())},
    "bearings_picture": bearings_values,
    "bearings_result": bearings_values,
    "bearings_shared": bearings_values,
    "bearings_team": lambda f: {
        "averages": f.optional(
            bearing_rules.TeamAverages(
                f.number(5, WORKERS_MOST),
                {e: 4.6 for e in bearing_rules.ELEMENTS},
                {b: 2.5 for b in bearing_rules.BALANCES},
            )
        ),
        "contributors": f.number(0, WORKERS_MOST),
        "minimum": bearing_rules.TEAM_MINIMUM,
        "period_days": bearing_rules.TEAM_PERIOD_DAYS,
        "shared_count": f.number(0, WORKERS_MOST),
        "pairs": bearing_rules.PAIRS,
        "balances": bearing_rules.BALANCES,
        "names": bearing_names(),
    },
    "case_card": lambda f: {"case": card(f)},
    "case_closed": lambda f: {"reference": f.reference()},
    "case_created": lambda f: {"case": card(f), "today": TODAY},
    "case_left_open": lambda f: {"reference": f.reference()},
    "case_notes": lambda f: {
        "listing": NoteList(
            1,
            f.reference(),
            f.many(lambda i: NoteItem("v", i, f.day(), f.name()), NOTES_PAGE),
            page=f.number(0, 30),
            has_older=f.maybe(),
        )
    },
    "case_reassign": lambda f: {"case": card(f)},
    "case_reassigned": lambda f: {"case": card(f)},
    "case_review_set": lambda f: {"case": replace(card(f), next_review_on=f.day())},
    "case_stage_set": lambda f: {"case": card(f)},
    "case_workers": lambda f: {
        "page": paged(
            f, lambda i: WorkerCases(i, f.name(), f.number(0, 200), f.number(0, 200)), WORKERS_MOST
        )
    },
    "caseload": caseload,
    "cases_passed": lambda f: {"references": _refs(f)},
    "digest": lambda f: {
        "digest": Digest(
            f.text(TEAM_NAME_LIMIT),
            f.day(),
            f.many(lambda i: (f.reference(), f.name(), f.day()), CASES_MOST),
            f.many(lambda i: (f.reference(), f.name(), f.day()), CASES_MOST),
        )
    },
    "export_coming": lambda f: {
        "exported": Exported(f.pick(("case", "personal")), f.reference(), [])
    },
    "export_file": lambda f: {
        "exported": Exported(f.pick(("case", "personal")), f.reference(), []),
        "file": ExportFile("x.pdf", b"", f.pick(("application/pdf", "application/json"))),
    },
    "flag_message": lambda f: {
        "flag": flag_view(f),
        "stage": f.pick(("escalation", "reminder", "flag")),
    },
    "flag_news": lambda f: {
        "flag": flag_view(f),
        "news": f.pick(("resolve", "chased", "ack", "call", "agenda")),
        "by": f.name(),
    },
    "flag_no_supervisor": lambda f: {"instruction": f.text(INSTRUCTION_LIMIT)},
    "flag_raised": lambda f: {
        "reference": f.optional(f.reference()),
        "supervisors": f.number(1, 5),
        "urgency": f.pick(("today", "week", "supervision")),
        "waits": f.maybe(),
        "instruction": f.text(INSTRUCTION_LIMIT),
    },
    "flag_resolved": lambda f: {"flag": flag_view(f), "worker_told": f.maybe()},
    "flags": lambda f: {
        "page": paged(f, lambda i: flag_view(f, i), FLAGS_MOST, FLAGS_PER_PAGE),
        "whole_team": f.maybe(),
    },
    "flow_answered": question,
    "flow_cancelled": lambda f: {"title": f.pick([c.title for c in catalogue().values()])},
    "flow_conflict": lambda f: {
        "open_title": f.pick([c.title for c in catalogue().values()]),
        "new_title": f.pick([c.title for c in catalogue().values()]),
    },
    "flow_draft_discarded": lambda f: {"title": f.pick([c.title for c in catalogue().values()])},
    "flow_draft_found": lambda f: {
        "title": f.pick([c.title for c in catalogue().values()]),
        "started": "Wed 30 Dec",
    },
    "flow_expired": lambda f: (
        {
            "title": f.pick([c.title for c in catalogue().values()]),
            "started": "Wed 30 Dec",
        }
        | ({"text_not_taken": True} if f.maybe() else {})
    ),
    "flow_question": question,
    "flow_rejected_scale": lambda f: {"step": catalogue()["bearings"].steps[0]},
    "flow_rejected_too_long": lambda f: {"limit": f.number(32, 2000)},
    "forget_me": lambda f: {
        "plan": ErasurePlan(1, f.name(), _refs(f), f.number(0, 100), f.number(0, 100), f.name()),
        "changed": f.maybe(),
    },
    "forget_me_done": lambda f: {"erased": Erased(f.name(), _refs(f))},
    "group_linked": lambda f: {"team_name": f.text(TEAM_NAME_LIMIT)},
    "import_done": lambda f: {
        "done": Imported(f.text(TEAM_NAME_LIMIT), _refs(f), f.many(lambda i: f.reference(), 2000))
    },
    "import_expired": lambda f: {"hours": LIMITS.preview_hours},
    "import_preview": import_check,
    "import_problem": lambda f: {"problem": problem(f), "limits": LIMITS},
    "invite_created": lambda f: {
        "invite": IssuedInvite(f.text(TEAM_NAME_LIMIT), f.pick(tuple(Role)), "t" * 43, 7),
        "link": "https://t.me/bearings_sandbox_bot?start=" + "t" * 43,
    },
    "invite_preview": lambda f: {
        "preview": InvitePreview(f.text(TEAM_NAME_LIMIT), f.pick(tuple(Role))),
        "retention_days": f.number(30, 3650),
    },
    "joined": lambda f: {"person": person(f)},
    "menu": lambda f: {"person": person(f)},
    "member_unreachable": lambda f: {"name": f.name()},
    "note": note_view,
    "nudge_action": lambda f: {
        "kind": f.pick(("action_overdue", "action_due")),
        "action": action_row(f),
        "reference": f.optional(f.reference()),
        "covering": f.optional(f.name()),
        "acted": f.pick(("snoozed", "moved", "choosing", "logging", "reviewing", "done", None)),
        "until": f.day(),
    },
    "nudge_case": lambda f: {
        "kind": f.pick(("review_coming", "visit_due", "visit_overdue", "review_overdue")),
        "case": case_row(f),
        "days": f.number(1, 14),
        "covering": f.optional(f.name()),
        "acted": f.pick(("snoozed", "moved", "choosing", "logging", "reviewing", "done", None)),
        "until": f.day(),
    },
    "nudge_unattended": lambda f: {"name": f.name(), "until": f.day(), "references": _refs(f)},
    "nudge_visit_overdue_supervisor": lambda f: {"case": case_row(f), "worker": f.name()},
    "nudge_weekly_summary": lambda f: {
        "week": f.day(),
        "visits": f.many(lambda i: (f.reference(), f.day()), CASES_MOST),
        "reviews": f.many(lambda i: (f.reference(), f.day()), CASES_MOST),
        "actions": f.many(lambda i: action_row(f), ACTIONS_MOST),
    },
    "pdf_case": lambda f: exports(f, "case"),
    "pdf_footer": exports,
    "pdf_missing_characters": exports,
    "pdf_personal": lambda f: exports(f, "personal"),
    "pdf_title": exports,
    "private_only": lambda f: {"bot_username": "bearings_sandbox_bot"},
    "refusal_agenda_worker_unknown": lambda f: {"name": f.name()},
    "refusal_case_closed": lambda f: {"reference": f.reference()},
    "refusal_erasure_no_supervisor": lambda f: {
        "is_supervisor": f.maybe(),
        "team_name": f.text(TEAM_NAME_LIMIT),
    },
    "refusal_export_member_unknown": lambda f: {
        "team": f.text(TEAM_NAME_LIMIT),
        "telegram_user_id": 2**52,
    },
    "refusal_import_too_big": lambda f: {"megabytes": LIMITS.megabytes},
    "refusal_reference_taken": lambda f: {"reference": f.reference()},
    "refusal_setting_invalid": lambda f: {"reason": f.text(200)},
    "refusal_team_exists": lambda f: {"name": f.text(TEAM_NAME_LIMIT)},
    "refusal_team_unknown": lambda f: {"name": f.text(TEAM_NAME_LIMIT)},
    "refusal_timezone_unknown": lambda f: {"timezone": f.text(limit_of("settings", "timezone"))},
    "settings_saved": lambda f: {
        "nudge_hour": f.optional("09:00"),
        "quiet_start": f.optional("21:00"),
        "quiet_end": "07:00",
        "timezone": f.optional("America/Argentina/ComodRivadavia"),
    },
    "start_member": lambda f: {"person": person(f)},
    "stuck_actions_made": lambda f: {"actions": f.many(lambda i: action_line(f, i), 3)},
    "stuck_last_time": lambda f: {
        "on": f.day(),
        "where_stuck": f.text(limit_of("stuck", "where_stuck")),
        "quick_win": f.text(limit_of("stuck", "quick_win")),
        "next_step": f.text(limit_of("stuck", "next_step")),
    },
    "stuck_safeguarding": lambda f: {"instruction": f.text(INSTRUCTION_LIMIT)},
    "stuck_summary": lambda f: {"summary": stuck_summary(f), "readonly": f.maybe()},
    "supervision_saved": lambda f: {
        "reference": f.optional(f.reference()),
        "worker_name": f.name(),
        "actions": f.many(lambda i: action_line(f, i), 3),
        "escalation": f.pick(("flag", "referral", None)),
        "is_supervisor": f.maybe(),
    },
    "team": lambda f: {
        "overview": TeamOverview(
            f.text(TEAM_NAME_LIMIT),
            [],
            FlagFigures(999, 999, timedelta(minutes=59), timedelta(days=40), 999),
            paged(
                f,
                lambda i: WorkerRow(i, f.name(), 200, 200, 200, 100, 100, f.optional(f.day())),
                WORKERS_MOST,
            ),
        )
    },
    "visit_saved": lambda f: {
        "reference": f.reference(),
        "next_due": f.day(),
        "risk": f.pick(("up", "same", "down")),
    },
}
"""Every template's values (the e2e test checks that no template is missing here)."""

CAPTIONS = {"bearings_picture": "photo", "export_file": "document"}
"""Templates that go out as a caption: under a picture, or a file."""


KEYBOARDS: dict[str, Callable[[Values], Any]] = {
    "caseload": lambda values: cases_handlers._caseload_buttons(values["load"]),
    "case_card": lambda values: cases_handlers._card_buttons(values["case"], supervisor=True),
}
"""The buttons the handlers put under these templates (labels with the long names and
references in them, callback data within 64 bytes)."""
