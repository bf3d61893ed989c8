"""The view types the services pass to templates, filled at real teams' sizes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from markupsafe import Markup

from bot.domain import bearings as bearing_rules
from bot.domain import export as records
from bot.domain.caseload_problems import Column, Problem, RowProblem
from bot.domain.cases import STAGE_LABELS, Stage, visit_state
from bot.domain.flow_lists import MAX_LINES
from bot.domain.paging import page_of
from bot.domain.pickers import PICKER_PAGE
from bot.domain.roles import Role
from bot.domain.stuck import AGENCIES, StuckEnding
from bot.services.access import Person
from bot.services.actions import ActionLine
from bot.services.agenda import TEAM_MEETING_SHOWN, Agenda, AgendaEntry, TeamMeeting
from bot.services.bearings import names as bearing_names
from bot.services.caseload_import import LIMITS, CasePreview, ImportCheck
from bot.services.cases import CaseCard, Caseload
from bot.services.engagement import PER_PAGE, EngagementSheet, SheetLine
from bot.services.flag_messages import FlagView
from bot.services.flow_catalogue import catalogue
from bot.services.flows.replies import Question
from bot.services.handover import Handover
from bot.services.membership import MemberCard
from bot.services.notes import NoteView
from bot.services.stuck import StuckSummary
from prompts import label, render_text
from storage.models import Action, Case
from tests.template_samples.fill import (
    NOW,
    TEAM_NAME_LIMIT,
    TODAY,
    Fill,
    Largest,
    T,
    Values,
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
        kind = f.pick(("flag", "stuck", "fit", "team_meeting", "bearings"))
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
        team_meeting=f.many(entry, AGENDA_MOST),
        overdue_actions=f.many(lambda i: action_line(f, i), AGENDA_ACTIONS_MOST),
        reviews_due=f.many(lambda i: (f.reference(), f.day()), AGENDA_REVIEWS_MOST),
        until=f.day(),
        own=f.maybe(),
    )


def team_meeting(f: Fill) -> TeamMeeting:
    def item(index: int) -> tuple[AgendaEntry, str]:
        entry = AgendaEntry(index + 1, "team_meeting", f.reference(), f.text(600), [])
        return entry, f.name()

    return TeamMeeting(f.many(item, TEAM_MEETING_SHOWN), f.number(0, 200), 1)


def engagement_sheet(f: Fill) -> EngagementSheet:
    def line(index: int) -> SheetLine:
        rating = f.pick((None, "engaged", "partly", "not"))
        return SheetLine(index + 1, f.reference(), rating, f.pick((None, True, False)))

    lines = f.many(line, CASES_MOST)
    page = page_of(lines, f.number(0, 30), keys=range(len(lines)), size=PER_PAGE)
    return EngagementSheet(f.day(), page, f.number(0, 200), f.number(1, 200), f.pick((None, True)))


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
        "tilts": bearing_rules.worth_supervision(before, now)[0],
        "twice": bool(bearing_rules.tilted_twice(before, now)),
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
    answers = {f"agency_{slot}": f.text(limit_of("stuck", f"agency_{slot}")) for slot in AGENCIES}
    answers |= {"task": "decision", "task_detail": f.text(limit_of("stuck", "task_detail"))}
    labels = {"case": f.reference(), "task": f.text(64)}
    values = {"labels": labels, "answers": answers}
    values: dict[str, Any] = {"labels": {"case": f.reference()}}
    if step.each:  # asked once per item: an aim, an action and its owner, a count
        values["item"] = f.text(limit_of("plan_action", "what") + 40)
    if step.kind.value == "lines":  # the lines so far
        values["so_far"] = f.many(lambda i: f.text(step.max_length), MAX_LINES)
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
        steps = ("task", "update", "feelings_worker", "feelings_young_person")
        steps += ("feelings_family", "feelings_network", "risks", "strengths", "family_view")
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
            **{f"agency_{slot}": answer(f"agency_{slot}") for slot in AGENCIES},
        },
        skipped=summaries[: f.count(len(summaries))],
        suggestions=codes[: f.count(len(codes))],
        unmet_basics=summaries[:4],
        chosen=[e.value for e in StuckEnding][: f.count(len(StuckEnding))],
        offered=list(StuckEnding)[: f.count(len(StuckEnding))],
        differing={slot: answer(f"agency_{slot}") for slot in AGENCIES[: f.count(3)]},
        fit_on_agenda=f.maybe(),
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


def member_card(f: Fill) -> MemberCard:
    """A worker holding a whole caseload."""
    return MemberCard(
        1, f.name(), f.pick(("worker", "supervisor")), _references(f), 100, 100, f.maybe(),
        f.maybe(), 1,
    )  # fmt: skip


def handover(f: Fill) -> Handover:
    """Handing over a whole caseload, every colleague of a big team a choice."""
    receivers = f.many(lambda i: (i + 2, f.name(), i == 0), WORKERS_MOST)
    return Handover(member_card(f), receivers, f.optional((1, f.reference())))


def _references(f: Fill) -> list[str]:
    return f.many(lambda i: f.reference(), CASES_MOST)
