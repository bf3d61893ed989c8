"""Cases: adding, the caseload, a case's card, review dates, stages, closing, reassigning."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.clock import Clock
from bot.domain import cases as rules
from bot.domain.errors import Refusal
from bot.domain.flows import Accepted, Rejected
from bot.domain.paging import Page, page_of
from bot.domain.permissions import Actor, may_change, may_read, may_reassign
from bot.domain.pickers import PICKER_PAGE
from bot.domain.roles import Role
from bot.services.access import Person, member_name, require_person, require_supervisor
from bot.services.evaluation import save_evaluation
from bot.services.flows.replies import Said
from bot.services.local_time import local_today
from storage.models import Case
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class CaseCard:
    """A case as a person sees it in /cases."""

    id: int
    reference: str
    stage: str
    stage_label: str
    worker_id: int
    worker_name: str
    cadence_days: int
    last_visit_on: date | None
    next_visit_due: date | None
    next_review_on: date | None
    visit_state: str
    closed: bool


def actor(person: Person) -> Actor:
    """The permission view of a person."""
    return Actor(member_id=person.member_id, team_id=person.team_id, role=person.role)


async def readable_case(uow: UnitOfWork, person: Person, case_id: int) -> Case:
    """A case the person may read; anything else is refused without saying whether it exists."""
    case = await uow.cases.get(case_id)
    if case is None or not may_read(actor(person), owner_id=case.worker_id, team_id=case.team_id):
        raise Refusal("case_not_yours")
    return case


async def changeable_case(uow: UnitOfWork, person: Person, case_id: int) -> Case:
    """An open case the person may change."""
    case = await uow.cases.get(case_id)
    if case is None or not may_change(actor(person), owner_id=case.worker_id, team_id=case.team_id):
        raise Refusal("case_not_yours")
    if case.closed_at is not None:
        raise Refusal("case_closed", reference=case.reference)
    return case


@dataclass(frozen=True)
class Caseload:
    """The cases in /cases, a page at a time, and today's date for the reader.

    A worker's own cases come soonest due first. A supervisor's are the whole team's,
    grouped by worker (each group soonest due first), or one worker's when ``worker`` is
    set.
    """

    cards: list[CaseCard]
    today: date
    whole_team: bool
    page: Page[CaseCard]
    worker: tuple[int, str] | None = None
    """The one worker a supervisor chose to see (id, name), if any."""


async def caseload(
    uow: UnitOfWork,
    clock: Clock,
    *,
    telegram_user_id: int,
    page: int = 0,
    stamp: str | None = None,
    worker_id: int | None = None,
) -> Caseload:
    """A page of the open cases a person looks after (a supervisor: the team's)."""
    person = await require_person(uow, telegram_user_id)
    today = await local_today(uow, clock, person)
    worker: tuple[int, str] | None = None
    if person.is_supervisor and worker_id:
        member = await uow.members.get(worker_id)
        if member is None or member.team_id != person.team_id or not member.active:
            raise Refusal("already_done")  # a filter from an older list: nobody to show
        worker = (member.id, member_name(member))
        cases = await uow.cases.open_for_worker(member.id)
    elif person.is_supervisor:
        cases = await uow.cases.open_for_team(person.team_id)
    else:
        cases = await uow.cases.open_for_worker(person.member_id)
    cards = [await _card(uow, case, today) for case in cases]
    grouped = person.is_supervisor and worker is None
    cards.sort(
        key=lambda c: (
            (c.worker_name.casefold(), c.worker_id) if grouped else ("", 0),
            rules.due_order(
                rules.CaseDates(c.reference, c.stage, c.next_visit_due, c.next_review_on)
            ),
        )
    )
    shown = page_of(cards, page, keys=[c.id for c in cards], stamp=stamp)
    return Caseload(cards, today, whole_team=grouped, page=shown, worker=worker)


@dataclass(frozen=True)
class WorkerCases:
    """A worker in the "whose cases?" list: their name, open cases and how many overdue."""

    member_id: int
    name: str
    cases: int
    overdue: int


async def case_workers(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, page: int = 0, stamp: str | None = None
) -> Page[WorkerCases]:
    """A supervisor's choice of one worker's cases: the team's workers by name, a page."""
    person = await require_supervisor(uow, telegram_user_id)
    today = await local_today(uow, clock, person)
    rows = []
    for member in await uow.members.of_team(person.team_id, role=Role.WORKER.value):
        open_cases = await uow.cases.open_for_worker(member.id)
        overdue = sum(1 for c in open_cases if c.next_visit_due and c.next_visit_due < today)
        rows.append(WorkerCases(member.id, member_name(member), len(open_cases), overdue))
    rows.sort(key=lambda row: (row.name.casefold(), row.member_id))
    return page_of(rows, page, keys=[row.member_id for row in rows], stamp=stamp)


async def case_card(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, case_id: int
) -> CaseCard:
    """One case's card, if the person may read it."""
    person = await require_person(uow, telegram_user_id)
    case = await readable_case(uow, person, case_id)
    return await _card(uow, case, await local_today(uow, clock, person))


async def reassign_options(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, case_id: int, page: int = 0
) -> tuple[CaseCard, Page[tuple[int, str, bool]]]:
    """The case and a page of the team's other members it could go to (supervisors only):
    (member id, name, whether it is the supervisor asking), the supervisor first, then by
    name."""
    person = await require_supervisor(uow, telegram_user_id)
    case = await readable_case(uow, person, case_id)
    members = await uow.members.of_team(person.team_id)
    options = sorted(
        (
            (m.id, m.display_name, m.id == person.member_id)
            for m in members
            if m.id != case.worker_id
        ),
        key=lambda option: (not option[2], option[1].casefold(), option[0]),
    )
    card = await _card(uow, case, await local_today(uow, clock, person))
    return card, page_of(options, page, keys=[option[0] for option in options], size=PICKER_PAGE)


async def reassign_case(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, case_id: int, worker_id: int
) -> CaseCard:
    """Give a case to another member of the team (supervisors only); audited."""
    person = await require_person(uow, telegram_user_id)
    case = await uow.cases.get(case_id)
    if case is None or not may_reassign(actor(person), team_id=case.team_id):
        raise Refusal("supervisors_only")
    worker = await uow.members.get(worker_id)
    if worker is None or worker.team_id != case.team_id or not worker.active:
        raise Refusal("case_not_yours")
    previous, case.worker_id = case.worker_id, worker.id
    await uow.audit.record(
        at=clock.now(),
        action="case.reassigned",
        subject=f"case:{case.id}",
        team_id=case.team_id,
        actor_id=person.member_id,
        detail={"from": previous, "to": worker.id},
    )
    return await _card(uow, case, await local_today(uow, clock, person))


async def check_case_reference(uow: UnitOfWork, person: Person, value: Any) -> Accepted | Rejected:
    """A reference in the team's shape, not a name, not already used in the team."""
    reference = rules.normalise_reference(str(value))
    if isinstance(reference, rules.ReferenceProblem):
        return Rejected(f"reference_{reference.value}")
    if await uow.cases.by_reference(person.team_id, reference) is not None:
        return Rejected("reference_taken")
    return Accepted(reference)


async def create_case(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of /newcase: the case joins the person's caseload, first visit due today."""
    reference = answers["reference"]
    if await uow.cases.by_reference(person.team_id, reference) is not None:
        raise Refusal("reference_taken", reference=reference)
    today = await local_today(uow, clock, person)
    review = answers.get("review")
    case = await uow.cases.add(
        Case(
            team_id=person.team_id,
            reference=reference,
            worker_id=person.member_id,
            stage=answers["stage"],
            cadence_days=int(answers["cadence"]),
            next_visit_due=today,
            next_review_on=date.fromisoformat(review) if review else None,
            opened_at=clock.now(),
        )
    )
    card = await _card(uow, case, today)
    return [Said("case_created", {"case": card, "today": today})]


async def set_review_date(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of "set review date" (audited: reports count a review held on the day the next
    date is set)."""
    case = await changeable_case(uow, person, answers["case"])
    before, case.next_review_on = case.next_review_on, date.fromisoformat(answers["review"])
    await uow.audit.record(
        at=clock.now(),
        action="case.review_set",
        subject=f"case:{case.id}",
        team_id=case.team_id,
        actor_id=person.member_id,
        detail={"from": str(before) if before else None, "to": str(case.next_review_on)},
    )
    return [
        Said(
            "case_review_set",
            {"case": await _card(uow, case, await local_today(uow, clock, person))},
        )
    ]


async def close_case(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of "close case": closed with its reason and, when made, its evaluation (the
    retention clock starts), or left open."""
    case = await changeable_case(uow, person, answers["case"])
    if answers.get("confirm") != "yes":
        return [Said("case_left_open", {"reference": case.reference})]
    case.closed_at, case.closing_reason = clock.now(), answers["reason"]
    if answers.get("evaluate") == "yes":
        await save_evaluation(uow, clock, person, case, answers)
    await uow.audit.record(
        at=clock.now(),
        action="case.closed",
        subject=f"case:{case.id}",
        team_id=case.team_id,
        actor_id=person.member_id,
    )
    return [Said("case_closed", {"reference": case.reference})]


async def _card(uow: UnitOfWork, case: Case, today: date) -> CaseCard:
    worker = await uow.members.get(case.worker_id)
    stage = rules.Stage(case.stage) if case.stage in rules.Stage._value2member_map_ else None
    return CaseCard(
        id=case.id,
        reference=case.reference,
        stage=case.stage,
        stage_label=rules.STAGE_LABELS[stage] if stage else case.stage,
        worker_id=case.worker_id,
        worker_name=member_name(worker),
        cadence_days=case.cadence_days,
        last_visit_on=case.last_visit_on,
        next_visit_due=case.next_visit_due,
        next_review_on=case.next_review_on,
        visit_state=rules.visit_state(case.next_visit_due, today),
        closed=case.closed_at is not None,
    )
