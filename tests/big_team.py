"""A team at its real size (issue 18, part 6), for integration and end-to-end tests.

North Team: supervisor Samira and eight key workers with fifteen open cases each (120),
ten weeks of visit notes and weekly bearings checks, supervision notes, 40 open flags in
every urgency and state, 60 open actions, agenda items, "I'm stuck" walk-throughs, and four
recently closed cases. South Team beside it: two supervisors and 23 workers with cases and
history of their own, so anything that crosses between teams shows (their references start
``STH-``, three are shared with North on purpose, and every South free text says
``SOUTH_WORD``).

People join through the real onboarding services (``create_team``, ``create_invite``,
``join_team``, ``link_group``) and cases through the /newcase flow's ending (``create_case``;
closed ones through ``close_case``), their references checked by the domain's rule. The
history is added through the models in one unit of work (ORM objects, and one bulk INSERT
for the visit notes), so every free-text column passes through its ``EncryptedText`` or
``EncryptedJSON`` type as in production, never stored as plaintext, without each row's
service round trips: about 2 s on SQLite or PostgreSQL.

Flag messages are not put in the outbox, and the open flags are marked reminded and escalated
as the planner would have done by now: a bot started on this data owes nobody anything until
something happens (nudges aside, which tests switch on themselves).

Every date is relative to the clock's today in Europe/London, the teams' zone; the data is the
same on every run (a seeded random generator). The team names are those of ``tests/team.py``,
so the two seeds do not go in one database.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

import bot.services.endings  # noqa: F401  (registers the flows' endings)
from bot.clock import Clock
from bot.domain.bearings import BALANCES, BOUNDARIES, ELEMENTS
from bot.domain.cases import Stage, normalise_reference
from bot.domain.flags import FlagState, Urgency, deadlines, follow_up_deadlines
from bot.domain.roles import Role
from bot.domain.schedule import WorkingHours
from bot.domain.team_settings import TeamSettings
from bot.services import cases, onboarding
from bot.services.access import Person
from bot.services.supervision import NOTE_FIELDS
from bot.services.timing import team_rules
from storage.db import Database
from storage.models import (
    Action,
    AgendaItem,
    BearingsCheck,
    Case,
    Flag,
    StuckWalkthrough,
    SupervisionNote,
    Visit,
)
from storage.uow import UnitOfWork

ZONE = "Europe/London"
LONDON = ZoneInfo(ZONE)
NORTH, SOUTH = "North Team", "South Team"
WEEKS = 10
"""Weeks of history: visit notes and bearings checks fall on the 70 days ending today."""
CASES_PER_WORKER = 15
OPEN_FLAGS = 40
OPEN_ACTIONS = 60
SOUTH_WORD = "Kestrel"
"""In every free text South Team keeps (notes, summaries, actions): seen by a North person,
it is a leak."""
REFERENCE_LIMIT = 32
"""The longest reference the domain accepts (bot/domain/cases.py, the cases table)."""
NAME_LIMIT = 64
"""The longest display name kept (onboarding.join_team)."""

SUPERVISOR_ID = 4100
WORKER_IDS = tuple(range(4101, 4109))
SOUTH_SUPERVISOR_IDS = (4200, 4201)
SOUTH_WORKER_IDS = tuple(range(4202, 4225))
GROUP_CHAT_ID, SOUTH_GROUP_CHAT_ID = -1001000004100, -1001000004200

SUPERVISOR_NAME = "Samira Okafor"
WORKER_NAMES = (
    "Alex Morgan",
    "Bartholomew Fitzwilliam-Ashworth",
    "Zoë Ní Bhriain",
    "Priya Raghunathan",
    "Jess Okonkwo 🌻",
    "مريم الحسيني",
    "Christopher-Alexander Montgomerie-Featherstonehaugh-Marjoribanks",
    "Tom Reid",
)
"""Short and long (the seventh at the 64-character limit), an accent, an emoji, right to left."""
SOUTH_NAMES = (
    "Pat Southgate",
    "Deborah Achterberg",
    "Aaron Blake",
    "Beatriz Costa",
    "Callum Doyle",
    "Dana Eriksen",
    "Efe Adeyemi",
    "Fiona Gallagher",
    "Gareth Hughes",
    "Hana Ishikawa",
    "Imran Javed",
    "Joanna Kowalska",
    "Kwame Mensah",
    "Lucy Nguyen",
    "Mohammed Rahman",
    "Niamh O'Brien",
    "Owen Parry",
    "Rosa Quintero",
    "Stefan Richter",
    "Tariq Siddiqui",
    "Ula Thorsen",
    "Vikram Patel",
    "Yusuf Yilmaz",
    "Zara Ahmed",
    "Wendy Xu",
)
"""South Team's two supervisors, then its 23 workers."""

LONG_REFERENCES = {
    7: "EH-2026-NORTH-CIN-00000041789/B2",
    30: "LA/CIN/2026/00031-REVIEW",
    53: "TAF.2025.11.0042",
    100: "MASH_REF-2026-000777-STEP-DOWN",
}
"""Four of the 120 cases (by position) carry long references, one at the limit, instead of
their FAM number; those FAM numbers belong to the four closed cases."""
SHARED_REFERENCES = ("FAM-0001", "FAM-0002", "FAM-0003")
"""North references South Team also uses (references are unique per team, not overall)."""
SOUTH_CASES_PER_WORKER = 4

STAGE_CYCLE = (
    Stage.MONITORING,
    Stage.ASSESSMENT,
    Stage.SUPPORT_PLAN,
    Stage.FAMILY_MEETING,
    Stage.ENGAGEMENT,
    Stage.MONITORING,
    Stage.AGREEMENT,
    Stage.ASSESSMENT,
    Stage.MONITORING,
    Stage.FAMILY_MEETING,
    Stage.CLOSING,
    Stage.MONITORING,
)
"""Stages in the proportions of a real caseload; each worker's fifteen run through all of it."""

FLAG_MIX = (
    *[(Urgency.TODAY, FlagState.OPEN)] * 2,
    *[(Urgency.TODAY, FlagState.ACKNOWLEDGED)] * 2,
    *[(Urgency.TODAY, FlagState.CALLING)] * 2,
    *[(Urgency.WEEK, FlagState.OPEN)] * 5,
    *[(Urgency.WEEK, FlagState.ACKNOWLEDGED)] * 5,
    *[(Urgency.WEEK, FlagState.CALLING)] * 2,
    *[(Urgency.WEEK, FlagState.AGENDA)] * 2,
    *[(Urgency.SUPERVISION, FlagState.OPEN)] * 8,
    *[(Urgency.SUPERVISION, FlagState.ACKNOWLEDGED)] * 3,
    *[(Urgency.SUPERVISION, FlagState.AGENDA)] * 9,
)
"""North's 40 open flags by urgency and state."""
SOUTH_FLAG_MIX = (
    (Urgency.TODAY, FlagState.ACKNOWLEDGED),
    (Urgency.WEEK, FlagState.OPEN),
    (Urgency.WEEK, FlagState.ACKNOWLEDGED),
    (Urgency.WEEK, FlagState.CALLING),
    (Urgency.SUPERVISION, FlagState.OPEN),
    (Urgency.SUPERVISION, FlagState.AGENDA),
)
"""South's six open flags, one for each of its first six workers."""
FLAGS_PER_WORKER = (8, 7, 6, 5, 5, 4, 3, 2)
ACTION_DUE_OFFSETS = (-10, -3, 0, 2, 6, 13, 27)
"""Each North worker's seven open actions, in days from today (each worker's moved up to two
days either way); the supervisor's four below."""
SUPERVISOR_ACTION_OFFSETS = (-1, 4, 9, 21)
RESOLVED_FLAGS, DONE_ACTIONS = 14, 24
WORKERS_WITH_SUPERVISION = 6
"""Supervision notes for six of the eight North workers (fortnightly, over the ten weeks)."""


@dataclass(frozen=True)
class BigTeam:
    """Who is in the big teams (Telegram user ids) and which cases they hold (references)."""

    team_name: str
    supervisor: int
    workers: tuple[int, ...]
    cases: Mapping[int, tuple[str, ...]]
    """Each North worker's open cases, by reference."""
    long_references: tuple[str, ...]
    closed_references: tuple[str, ...]
    group_chat_id: int
    other_team_name: str
    other_supervisors: tuple[int, ...]
    other_workers: tuple[int, ...]
    other_cases: Mapping[int, tuple[str, ...]]
    """Each South worker's open cases, by reference."""
    shared_references: tuple[str, ...]
    other_group_chat_id: int
    names: Mapping[int, str]
    """Everyone's display name, by Telegram id (both teams)."""
    member_ids: Mapping[int, int]
    """Everyone's member id, by Telegram id (both teams)."""
    today: date
    """The clock's date in London when the teams were seeded."""
    open_flags: int = OPEN_FLAGS
    open_actions: int = OPEN_ACTIONS
    weeks: int = WEEKS
    south_word: str = SOUTH_WORD

    @property
    def references(self) -> tuple[str, ...]:
        """North Team's 120 open cases."""
        return tuple(sorted(r for refs in self.cases.values() for r in refs))

    @property
    def other_references(self) -> tuple[str, ...]:
        """South Team's open cases."""
        return tuple(sorted(r for refs in self.other_cases.values() for r in refs))

    @property
    def other_team(self) -> tuple[int, ...]:
        """South Team's 25 people."""
        return (*self.other_supervisors, *self.other_workers)

    def worker_of(self, reference: str) -> int:
        """The North worker whose open case this is."""
        return next(worker for worker, refs in self.cases.items() if reference in refs)


async def seed_big_team(database: Database, clock: Clock) -> BigTeam:
    """Seed North Team (1 supervisor, 8 workers, 120 cases, ten weeks of history) and South
    Team (25 people) into an empty, migrated database."""
    now = clock.now()
    today = now.astimezone(LONDON).date()
    rng = random.Random(18)
    north_people = [(SUPERVISOR_ID, SUPERVISOR_NAME, Role.SUPERVISOR)] + [
        (user_id, name, Role.WORKER) for user_id, name in zip(WORKER_IDS, WORKER_NAMES, strict=True)
    ]
    south_ids = (*SOUTH_SUPERVISOR_IDS, *SOUTH_WORKER_IDS)
    south_people = [
        (user_id, name, Role.SUPERVISOR if user_id in SOUTH_SUPERVISOR_IDS else Role.WORKER)
        for user_id, name in zip(south_ids, SOUTH_NAMES, strict=True)
    ]
    async with database.unit_of_work() as uow:
        north = await _join(uow, clock, NORTH, north_people, GROUP_CHAT_ID)
        south = await _join(uow, clock, SOUTH, south_people, SOUTH_GROUP_CHAT_ID)

    plans = _north_cases(rng, today) + _south_cases(rng, today)
    people = north | south
    async with database.unit_of_work() as uow:
        await _open_cases(uow, clock, people, plans)

    async with database.unit_of_work() as uow:
        history = _History(uow, rng, now, today, people)
        await history.load_rules()
        await history.add_all(plans)

    return BigTeam(
        team_name=NORTH,
        supervisor=SUPERVISOR_ID,
        workers=WORKER_IDS,
        cases=_references(plans, WORKER_IDS),
        long_references=tuple(LONG_REFERENCES.values()),
        closed_references=tuple(p.reference for p in plans if p.closed_days and p.north),
        group_chat_id=GROUP_CHAT_ID,
        other_team_name=SOUTH,
        other_supervisors=SOUTH_SUPERVISOR_IDS,
        other_workers=SOUTH_WORKER_IDS,
        other_cases=_references(plans, SOUTH_WORKER_IDS),
        shared_references=SHARED_REFERENCES,
        other_group_chat_id=SOUTH_GROUP_CHAT_ID,
        names={user_id: name for user_id, name, _ in north_people + south_people},
        member_ids={user_id: person.member_id for user_id, person in people.items()},
        today=today,
    )


# --- people --------------------------------------------------------------------------------


async def _join(
    uow: UnitOfWork,
    clock: Clock,
    name: str,
    people: Sequence[tuple[int, str, Role]],
    group_chat_id: int,
) -> dict[int, Person]:
    """A team made as a real one is: the first supervisor joins by the command line's invite,
    everyone else by an invite that supervisor makes in chat; then the group is linked. The
    team and its people are then dated back to months ago."""
    first = await onboarding.create_team(uow, clock, name=name, timezone=ZONE, invite_ttl_days=7)
    (lead, lead_name, _), *rest = people
    joined = {
        lead: await onboarding.join_team(
            uow, clock, token=first.token, telegram_user_id=lead, display_name=lead_name
        )
    }
    for user_id, display_name, role in rest:
        invite = await onboarding.create_invite(
            uow, clock, telegram_user_id=lead, role=role, invite_ttl_days=7
        )
        joined[user_id] = await onboarding.join_team(
            uow, clock, token=invite.token, telegram_user_id=user_id, display_name=display_name
        )
    await onboarding.link_group(uow, clock, telegram_user_id=lead, chat_id=group_chat_id)
    team = await uow.teams.by_name(name)
    assert team is not None
    team.created_at = clock.now() - timedelta(weeks=60)
    for number, person in enumerate(joined.values()):
        member = await uow.members.get(person.member_id)
        assert member is not None
        member.joined_at = clock.now() - timedelta(weeks=52 - number, hours=number)
    return joined


# --- cases ---------------------------------------------------------------------------------


@dataclass
class _CasePlan:
    """One case as it should stand today, and the dates its history falls on."""

    north: bool
    worker: int
    reference: str
    stage: Stage
    cadence: int
    opened: date
    last: date | None
    """The last visit (its note is kept if it falls in the history's weeks)."""
    visits: list[date]
    next_due: date
    review: date | None
    closed_days: int = 0
    """Closed this many days ago (0: open)."""
    case_id: int = 0


def _north_cases(rng: random.Random, today: date) -> list[_CasePlan]:
    """120 open cases, round the eight workers as referrals came in, and four closed ones."""
    plans = []
    for i in range(len(WORKER_IDS) * CASES_PER_WORKER):
        worker, k = i % len(WORKER_IDS), i // len(WORKER_IDS)
        stage = STAGE_CYCLE[(k + 5 * worker) % len(STAGE_CYCLE)]
        reference = LONG_REFERENCES.get(i, f"FAM-{i + 1:04d}")
        plan = _case(rng, today, WORKER_IDS[worker], reference, stage, cadence_seed=k + worker)
        if (k * 7 + worker) % 9 == 0 and plan.review is not None:
            # Reviews this week (Monday to Sunday), from today on.
            left = 6 - today.weekday()
            plan.review = today + timedelta(days=(k + worker) % (left + 1))
        plans.append(plan)
    for i in LONG_REFERENCES:
        closed = _case(
            rng, today, WORKER_IDS[i % len(WORKER_IDS)], f"FAM-{i + 1:04d}", Stage.CLOSING
        )
        closed.closed_days = 3 + i % 20
        closing = today - timedelta(days=closed.closed_days)
        closed.visits = [day for day in closed.visits if day < closing]
        closed.last = closed.visits[-1] if closed.visits else None
        plans.append(closed)
    return plans


def _south_cases(rng: random.Random, today: date) -> list[_CasePlan]:
    """Four cases for each South worker (STH-0001...), and the three shared references."""
    plans = []
    for n, worker in enumerate(SOUTH_WORKER_IDS):
        for j in range(SOUTH_CASES_PER_WORKER):
            stage = STAGE_CYCLE[(n + 3 * j) % len(STAGE_CYCLE)]
            reference = f"STH-{n * SOUTH_CASES_PER_WORKER + j + 1:04d}"
            plans.append(_case(rng, today, worker, reference, stage, north=False, history_days=21))
    for n, reference in enumerate(SHARED_REFERENCES):
        worker = SOUTH_WORKER_IDS[n]
        plans.append(_case(rng, today, worker, reference, Stage.MONITORING, north=False))
    return plans


def _case(
    rng: random.Random,
    today: date,
    worker: int,
    reference: str,
    stage: Stage,
    *,
    cadence_seed: int = 0,
    north: bool = True,
    history_days: int = WEEKS * 7,
) -> _CasePlan:
    """A case's dates: the next visit from three weeks overdue to weeks ahead (never after a
    visit in the future), visits back from the last one by the cadence, a review date by stage."""
    assert normalise_reference(reference) == reference, reference
    start = today - timedelta(days=history_days - 1)
    if stage is Stage.ENGAGEMENT:
        opened = today - timedelta(days=rng.randint(1, 20))
        first = opened + timedelta(days=rng.randint(1, 4))
        if rng.random() < 0.5 and first <= today:
            next_due = first + timedelta(days=7)
            return _CasePlan(
                north, worker, reference, stage, 7, opened, first, [first], next_due, None
            )
        # No first contact yet: due since the day it was opened.
        return _CasePlan(north, worker, reference, stage, 7, opened, None, [], opened, None)
    cadence = 28 if cadence_seed % 11 == 5 else 14 if cadence_seed % 7 == 3 else 7
    roll = rng.random()
    ahead = rng.randint(-21, -1) if roll < 0.25 else 0 if roll < 0.35 else rng.randint(1, cadence)
    next_due = today + timedelta(days=ahead)
    last = next_due - timedelta(days=cadence)
    visits, day = [], last
    while day >= start:
        visits.append(day)
        # Real visits drift a day either side of the cadence.
        day -= timedelta(days=cadence + rng.choice((-1, 0, 0, 0, 1)))
    visits = sorted(v for v in visits if v >= start)
    opened = today - timedelta(days=rng.randint(WEEKS * 7 + 7, 300))
    review: date | None = today + timedelta(days=rng.randint(-10, 60))
    if stage is Stage.AGREEMENT and rng.random() < 0.5:
        review = None
    return _CasePlan(
        north, worker, reference, stage, cadence, opened, last, visits, next_due, review
    )


async def _open_cases(
    uow: UnitOfWork, clock: Clock, people: Mapping[int, Person], plans: list[_CasePlan]
) -> None:
    """Each case through /newcase's ending (its reference already checked by the domain's rule
    in ``_case``), then set to stand as planned (the closed ones closed through "close case");
    each plan learns its case's id."""
    for plan in plans:
        person = people[plan.worker]
        answers: dict[str, Any] = {
            "reference": plan.reference,
            "stage": plan.stage.value,
            "cadence": str(plan.cadence),
            "review": plan.review.isoformat() if plan.review else None,
        }
        await cases.create_case(uow, clock, person, answers)
    loaded = (await uow.session.scalars(select(Case))).all()
    teams = {people[SUPERVISOR_ID].team_id: True, people[SOUTH_SUPERVISOR_IDS[0]].team_id: False}
    stored = {(teams[case.team_id], case.reference): case for case in loaded}
    for plan in plans:
        case = stored[(plan.north, plan.reference)]
        plan.case_id = case.id
        case.opened_at = _at(plan.opened, 10, 15)
        case.last_visit_on = plan.last
        case.first_contact_on = min(plan.visits, default=plan.last)
        case.stage_since = plan.opened
        case.next_visit_due = plan.next_due
        if plan.closed_days:
            answers = {"case": case.id, "confirm": "yes", "reason": CLOSING_REASON}
            await cases.close_case(uow, clock, people[plan.worker], answers)
            today = clock.now().astimezone(LONDON).date()
            case.closed_at = _at(today - timedelta(days=plan.closed_days), 16)


def _references(plans: list[_CasePlan], workers: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """Each worker's open cases, by reference."""
    return {
        worker: tuple(
            sorted(p.reference for p in plans if p.worker == worker and not p.closed_days)
        )
        for worker in workers
    }


CLOSING_REASON = (
    "Goals in the family plan met and agreed at the last review; school and the health "
    "visitor will keep an eye. Family know how to come back to early help."
)


# --- history -------------------------------------------------------------------------------


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """An instant at this London wall-clock time, in UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(UTC)


class _History:
    """Ten weeks of what a team keeps, added as ORM rows (encrypted by their column types)."""

    def __init__(
        self,
        uow: UnitOfWork,
        rng: random.Random,
        now: datetime,
        today: date,
        people: Mapping[int, Person],
    ) -> None:
        self.uow, self.rng, self.now, self.today = uow, rng, now, today
        self.people = people
        self.north_team = people[SUPERVISOR_ID].team_id
        self.south_team = people[SOUTH_SUPERVISOR_IDS[0]].team_id
        self.rules: dict[int, tuple[TeamSettings, WorkingHours]] = {}

    async def load_rules(self) -> None:
        """Each team's settings and working hours, for when its flags would have been chased."""
        for team_id in (self.north_team, self.south_team):
            rules = await team_rules(self.uow, team_id)
            self.rules[team_id] = (rules.settings, rules.hours)

    def before_now(self, instant: datetime) -> datetime:
        """Nothing is dated after the clock's now."""
        return min(instant, self.now - timedelta(minutes=5))

    def member(self, user_id: int) -> int:
        """A person's member id."""
        return self.people[user_id].member_id

    def text(self, bank: Sequence[str], low: int, high: int, limit: int, south: bool) -> str:
        """Free text of about ``low``-``high`` characters, never over ``limit``; ``high`` at or
        above ``limit`` gives text at the limit exactly (a worker who typed to the end)."""
        return _prose(self.rng, bank, self.rng.randint(low, high), limit, south)

    async def add_all(self, plans: list[_CasePlan]) -> None:
        """Everything, in two flushes: the rows others point at first, then actions (which
        name their source note or walk-through) and agenda items (their flag, walk-through or
        check). South Team gets a lighter version: three weeks of visits, six open flags,
        twelve open actions, two checks each."""
        session = self.uow.session
        north = [p for p in plans if p.north]
        south = [p for p in plans if not p.north]
        visits = self.visits(plans)
        notes = self.supervision_notes(north) + self.south_supervision(south)
        south_with_actions = [p for p in south if p.worker in SOUTH_WORKER_IDS[:12]]
        walks = self.walkthroughs(north) + self.walkthroughs(south_with_actions, per_worker=1)
        checks = self.checks(WORKER_IDS, WEEKS) + self.checks(SOUTH_WORKER_IDS, 2)
        flags = self.flags(north, WORKER_IDS, FLAGS_PER_WORKER, FLAG_MIX, resolved=RESOLVED_FLAGS)
        flags += self.flags(south, SOUTH_WORKER_IDS[:6], (1,) * 6, SOUTH_FLAG_MIX, resolved=2)
        # Nothing points at a visit: one bulk INSERT through the model (its column types
        # encrypt as ever) instead of a round trip per row for the ids.
        await session.execute(insert(Visit), visits)
        session.add_all([*notes, *walks, *checks, *flags])
        await session.flush()
        await self.uow.outbox.enqueue(self.copies_sent(flags))
        actions = self.actions(north, notes, walks) + self.south_actions(south, notes, walks)
        agenda = self.agenda(flags, walks, checks, notes)
        session.add_all([*actions, *agenda])
        await session.flush()

    # visits ---------------------------------------------------------------------------------

    def visits(self, plans: list[_CasePlan]) -> list[dict[str, Any]]:
        """A visit note on each planned visit day; now and then the supervisor came along and
        wrote it. A few notes run to the 2,000-character limit, next steps to 1,000."""
        rows = []
        for plan in plans:
            south = not plan.north
            lead = SOUTH_SUPERVISOR_IDS[0] if south else SUPERVISOR_ID
            for n, day in enumerate(plan.visits):
                joint = self.rng.random() < 0.04
                at_limit = plan.reference in LONG_REFERENCES.values() and n == len(plan.visits) - 1
                roll = self.rng.random()
                how = (
                    self.text(VISIT_BANK, 2000, 2000, 2000, south)
                    if at_limit or roll < 0.015
                    else self.text(VISIT_BANK, 1200, 1950, 2000, south)
                    if roll < 0.08
                    else self.text(VISIT_BANK, 600, 1200, 2000, south)
                    if roll < 0.3
                    else self.text(VISIT_BANK, 120, 600, 2000, south)
                )
                roll = self.rng.random()
                next_step = (
                    None
                    if roll < 0.2
                    else self.text(NEXT_STEP_BANK, 1000, 1000, 1000, south)
                    if at_limit or roll < 0.23
                    else self.text(NEXT_STEP_BANK, 200, 600, 1000, south)
                    if roll < 0.35
                    else self.text(NEXT_STEP_BANK, 30, 200, 1000, south)
                )
                written = self.before_now(_at(day, 16 + n % 3, (n * 17) % 60))
                rows.append(
                    {
                        "case_id": plan.case_id,
                        "author_id": self.member(lead if joint else plan.worker),
                        "visited_on": day,
                        "how_it_went": how,
                        "risk_change": self.rng.choice(("same",) * 6 + ("up", "down", "down")),
                        "next_step": next_step,
                        "created_at": written,
                        "updated_at": written,
                    }
                )
        return rows

    # supervision ----------------------------------------------------------------------------

    def supervision_notes(self, plans: list[_CasePlan]) -> list[SupervisionNote]:
        """Fortnightly one-to-ones for six of the eight workers (about a case, or general),
        written by the supervisor; and one Thinking Together note each worker wrote themself."""
        rows = []
        for w, worker in enumerate(WORKER_IDS[:WORKERS_WITH_SUPERVISION]):
            theirs = [p for p in plans if p.worker == worker and not p.closed_days]
            for j in range(5):
                held = self.today - timedelta(days=2 + 14 * j + w % 3)
                case = theirs[(j * 3 + w) % len(theirs)] if j % 2 == 0 else None
                planned = held + timedelta(days=14) if j == 0 and w % 2 == 0 else None
                rows.append(
                    self.note(worker, SUPERVISOR_ID, case, held, "one_to_one", planned, False)
                )
            case = theirs[w]
            held = self.today - timedelta(days=9 + w)
            rows.append(self.note(worker, worker, case, held, "thinking_together", None, False))
        return rows

    def south_supervision(self, plans: list[_CasePlan]) -> list[SupervisionNote]:
        """A one-to-one last week for four South workers, about their first case."""
        rows = []
        for n, worker in enumerate(SOUTH_WORKER_IDS[:4]):
            case = next(p for p in plans if p.worker == worker)
            held = self.today - timedelta(days=3 + n)
            lead = SOUTH_SUPERVISOR_IDS[n % 2]
            rows.append(self.note(worker, lead, case, held, "one_to_one", None, True))
        return rows

    def note(
        self,
        worker: int,
        author: int,
        plan: _CasePlan | None,
        held: date,
        kind: str,
        next_review: date | None,
        south: bool,
    ) -> SupervisionNote:
        """A Thinking Together note with every field a real one fills in, near real lengths."""
        outcome = self.rng.choice(("decision", "intervention", "understanding", "none"))
        enough = self.rng.choice(("yes", "no")) if outcome == "none" else None
        escalation = self.rng.choice(("none",) * 8 + ("referral",))
        supervisors = SOUTH_SUPERVISOR_IDS if south else (SUPERVISOR_ID,)
        content: dict[str, Any] = {
            "supervisor": self.member(author if author in supervisors else supervisors[0]),
            "task": self.text(SUPERVISION_TASKS, 40, 500, 500, south),
            "update": self.text(VISIT_BANK, 300, 2000, 2000, south),
            "feelings_worker": self.text(FEELINGS_BANK, 100, 500, 500, south),
            "feelings_young_person": self.text(FEELINGS_BANK, 60, 500, 500, south),
            "feelings_family": self.text(FEELINGS_BANK, 60, 400, 500, south),
            "feelings_network": self.text(FEELINGS_BANK, 40, 300, 500, south),
            "risk": self.rng.choice(("same", "same", "up", "down")),
            "risks": self.text(RISKS_BANK, 80, 1000, 1000, south),
            "strengths": self.text(STRENGTHS_BANK, 60, 600, 1000, south),
            "family_view": self.text(FAMILY_VIEW_BANK, 40, 500, 1000, south),
            "outcome": outcome,
            "enough_people": enough,
            "who_else": "team_meeting" if enough == "no" else None,
            "decisions": self.text(DECISIONS_BANK, 100, 2000, 2000, south),
            "previous_actions": self.text(PREVIOUS_ACTIONS_BANK, 40, 600, 1000, south),
            "escalation": escalation,
            "referral": (
                self.text(REFERRAL_BANK, 40, 200, 300, south) if escalation == "referral" else None
            ),
            "next_review": next_review.isoformat() if next_review else None,
        }
        assert set(content) == set(NOTE_FIELDS)
        written = self.before_now(_at(held, 15, 30))
        return SupervisionNote(
            team_id=self.south_team if south else self.north_team,
            worker_id=self.member(worker),
            author_id=self.member(author),
            case_id=plan.case_id if plan else None,
            held_on=held,
            kind=kind,
            content=content,
            created_at=written,
            updated_at=written,
        )

    # "I'm stuck" ----------------------------------------------------------------------------

    def walkthroughs(self, plans: list[_CasePlan], per_worker: int = 2) -> list[StuckWalkthrough]:
        """Walk-throughs as the /stuck flow stores them (skipped steps None); some saved as a
        note on the case, some kept for supervision, some turned into an action."""
        rows = []
        workers = list(dict.fromkeys(p.worker for p in plans))
        for w, worker in enumerate(workers):
            theirs = [p for p in plans if p.worker == worker and not p.closed_days]
            for j in range(per_worker):
                plan = theirs[(w + 4 * j) % len(theirs)]
                south = not plan.north
                day = self.today - timedelta(days=4 + 11 * j + 3 * w % 20)
                endings = ("note", "agenda", "action", "note,agenda")[(w + j) % 4]
                answers: dict[str, Any] = {
                    "safety": "no",
                    "task": self.rng.choice(("decision", "next_step", "make_sense", "steadier")),
                    "task_detail": self.text(SUPERVISION_TASKS, 30, 300, 300, south)
                    if j == 0
                    else None,
                    "case": plan.case_id,
                    "where_stuck": self.text(STUCK_BANK, 80, 600, 600, south),
                    "phase": self.rng.choice(("starting", "working", "keeping_going", "ending")),
                    "last_seen": plan.last.isoformat() if plan.last else None,
                    "feeling": self.rng.choice(("worried", "frustrated", "confused", "hopeless")),
                    "feeling_strength": self.rng.randint(2, 5),
                    "their_view": self.text(FAMILY_VIEW_BANK, 40, 600, 600, south),
                    "basics_safety": "yes",
                    "basics_housing": self.rng.choice(("yes", "partly", "no")),
                    "basics_money": self.rng.choice(("yes", "partly", "no")),
                    "basics_health": self.rng.choice(("yes", "partly", None)),
                    "engagement": self.rng.randint(1, 4),
                    "quick_win": self.text(QUICK_WIN_BANK, 30, 300, 300, south),
                    "steer": self.rng.randint(1, 5),
                    "contact": self.rng.randint(1, 5),
                    "agency_1": self.rng.choice(("School", "Housing", "CAMHS", "Police")),
                    "agency_1_problem": "differ",
                    "agency_1_plan": self.rng.choice(("agree", "differ", "unknown")),
                    "agency_1_roles": self.rng.choice(("agree", "differ", "unknown")),
                    "agency_2": None,
                    "fit": self.rng.choice(("needs", "not_sure", "habit")),
                    "whose": self.rng.choice(("yes", "no", "not_sure")),
                    "next_step": self.text(NEXT_STEP_BANK, 30, 300, 300, south),
                    "next_owner": self.member(worker),
                    "next_due": (day + timedelta(days=7)).isoformat(),
                    "got_it": self.rng.choice(("yes", "partly", "no")),
                }
                rows.append(
                    StuckWalkthrough(
                        team_id=self.south_team if south else self.north_team,
                        worker_id=self.member(worker),
                        case_id=plan.case_id,
                        answers=answers,
                        endings=endings,
                        created_at=self.before_now(_at(day, 13, 5 * j)),
                    )
                )
        return rows

    # bearings -------------------------------------------------------------------------------

    def checks(self, workers: Sequence[int], weeks: int) -> list[BearingsCheck]:
        """A check every week on the Friday (or Thursday if it is Friday today): each worker
        has a profile that drifts; the third North worker is losing touch with the team and the
        sixth with risk, two checks running (offered to supervision). Some shared, some noted."""
        rows = []
        back = (self.today.weekday() - 4) % 7 or 1
        for w, worker in enumerate(workers):
            south = worker in SOUTH_WORKER_IDS
            base = {key: 2 + (w + n) % 3 for n, key in enumerate(ELEMENTS)}
            for j in range(weeks):
                day = self.today - timedelta(days=back + 7 * j)
                ratings = {
                    key: max(1, min(5, value + self.rng.choice((-1, 0, 0, 1))))
                    for key, value in base.items()
                }
                if j < 2 and not south and w in (2, 5):
                    ratings["connected" if w == 2 else "risk"] = 1
                    ratings["relationship" if w == 2 else "scaffolding"] = 5
                stored: dict[str, Any] = {
                    "elements": ratings,
                    "balances": {key: self.rng.randint(1, 5) for key in BALANCES},
                    "boundaries": (
                        {key: self.rng.choice(("yes", "yes", "partly", "no")) for key in BOUNDARIES}
                        if (w + j) % 2
                        else {}
                    ),
                }
                taken = self.before_now(_at(day, 14, 10 + (w * 7 + j) % 45))
                roll = self.rng.random()
                rows.append(
                    BearingsCheck(
                        team_id=self.south_team if south else self.north_team,
                        member_id=self.member(worker),
                        taken_at=taken,
                        ratings=stored,
                        note=(
                            None
                            if roll < 0.55
                            else self.text(BEARINGS_BANK, 500, 500, 500, south)
                            if roll < 0.58
                            else self.text(BEARINGS_BANK, 20, 300, 500, south)
                        ),
                        shared_at=taken + timedelta(minutes=3) if (w + j) % 3 == 0 else None,
                    )
                )
        return rows

    # flags ----------------------------------------------------------------------------------

    def flags(
        self,
        plans: list[_CasePlan],
        workers: Sequence[int],
        per_worker: Sequence[int],
        mix: Sequence[tuple[Urgency, FlagState]],
        *,
        resolved: int,
    ) -> list[Flag]:
        """Open flags in the mix given, dealt round the workers (``per_worker`` each), about
        their cases or general; then flags resolved over the ten weeks. An open flag nobody
        picked up has been reminded and escalated as the planner would have by now."""
        south = not plans[0].north
        team_id = self.south_team if south else self.north_team
        lead = self.member(SOUTH_SUPERVISOR_IDS[0] if south else SUPERVISOR_ID)
        owners = [w for w, count in zip(workers, per_worker, strict=True) for _ in range(count)]
        assert len(owners) == len(mix)
        rows = []
        for n, (worker, (urgency, state)) in enumerate(zip(owners, mix, strict=True)):
            theirs = [p for p in plans if p.worker == worker and not p.closed_days]
            general = n % 10 == 9
            hours = (
                self.rng.randint(2, 70)
                if urgency is Urgency.TODAY
                else self.rng.randint(3, 24 * 35)
            )
            raised = self.now - timedelta(hours=hours, minutes=self.rng.randint(0, 59))
            flag = Flag(
                team_id=team_id,
                case_id=None if general else theirs[(n * 5) % len(theirs)].case_id,
                worker_id=self.member(worker),
                urgency=urgency.value,
                source=(
                    "supervision"
                    if general
                    else "safeguarding"
                    if urgency is Urgency.TODAY and n % 3 == 0
                    else self.rng.choice(("case", "case", "stuck"))
                ),
                summary=self.text(FLAG_BANK, 500, 500, 500, south)
                if n % 13 == 4
                else self.text(FLAG_BANK, 1, 220, 500, south),
                state=state.value,
                raised_at=raised,
            )
            picked = None
            if state is not FlagState.OPEN:
                picked = min(raised + timedelta(minutes=self.rng.randint(10, 600)), self.now)
                flag.handled_by_id, flag.handled_at = lead, picked
            self.chased(flag, picked or self.now)
            rows.append(flag)
        for n in range(resolved):
            worker = workers[n % len(workers)]
            theirs = [p for p in plans if p.worker == worker]
            raised = self.now - timedelta(days=self.rng.randint(8, WEEKS * 7 - 2), hours=n)
            handled = raised + timedelta(minutes=self.rng.randint(15, 900))
            flag = Flag(
                team_id=team_id,
                case_id=theirs[n % len(theirs)].case_id,
                worker_id=self.member(worker),
                urgency=(Urgency.TODAY, Urgency.WEEK, Urgency.SUPERVISION)[n % 3].value,
                source="case",
                summary=self.text(FLAG_BANK, 1, 220, 500, south),
                state=FlagState.RESOLVED.value,
                raised_at=raised,
                handled_by_id=lead,
                handled_at=handled,
                resolved_by_id=lead,
                resolved_at=handled + timedelta(days=self.rng.randint(0, 6)),
                outcome=self.text(OUTCOME_BANK, 1, 150, 300, south),
            )
            self.chased(flag, handled)
            rows.append(flag)
        return rows

    def copies_sent(self, flags: list[Flag]) -> list[dict[str, Any]]:
        """The flag messages a running bot has sent by now (so starting on the fixture owes
        nothing): each open flag's copy to every supervisor of its team, and for one picked
        up long enough ago, the follow-up to whoever took it and the "stalled" copies."""
        rows = []
        for flag in flags:
            if flag.state == FlagState.RESOLVED.value:
                continue
            south = flag.team_id == self.south_team
            supervisors = SOUTH_SUPERVISOR_IDS if south else (SUPERVISOR_ID,)
            stages = [("to", supervisors)]
            if flag.handled_at is not None:
                settings, hours = self.rules[flag.team_id]
                due = follow_up_deadlines(Urgency(flag.urgency), flag.handled_at, settings, hours)
                if due.remind_at is not None and due.remind_at <= self.now:
                    stages.append(("followup", supervisors[:1]))
                if due.escalate_at is not None and due.escalate_at <= self.now:
                    stages.append(("stalled", supervisors))
            rows += [
                {
                    "key": f"flag:{flag.id}:{stage}:{self.member(user)}",
                    "kind": "flag",
                    "team_id": flag.team_id,
                    "member_id": self.member(user),
                    "chat_id": user,
                    "ref": {"flag": flag.id, **({} if stage == "to" else {"stage": stage})},
                    "status": "sent",
                    "due_at": flag.raised_at,
                    "created_at": flag.raised_at,
                    "sent_at": flag.raised_at,
                }
                for stage, to in stages
                for user in to
            ]
        return rows

    def chased(self, flag: Flag, until: datetime) -> None:
        """Reminded and escalated if its times came before it was picked up (or before now)."""
        settings, hours = self.rules[flag.team_id]
        due = deadlines(Urgency(flag.urgency), flag.raised_at, settings, hours)
        if due.remind_at is not None and due.remind_at <= until:
            flag.reminded_at = due.remind_at
        if due.escalate_at is not None and due.escalate_at <= until:
            flag.escalated_at = due.escalate_at

    # actions --------------------------------------------------------------------------------

    def actions(
        self, plans: list[_CasePlan], notes: list[SupervisionNote], walks: list[StuckWalkthrough]
    ) -> list[Action]:
        """Seven open actions per worker and four for the supervisor (60), from overdue to
        four weeks ahead, each agreed in a supervision note or a walk-through before it was due;
        and actions done over the ten weeks."""
        rows = []
        # Each worker's dates shifted a little, so that not everyone has the same overdue.
        owners = [
            (worker, offset + (w * 3 + j) % 5 - 2)
            for w, worker in enumerate(WORKER_IDS)
            for j, offset in enumerate(ACTION_DUE_OFFSETS)
        ]
        owners += [(SUPERVISOR_ID, d) for d in SUPERVISOR_ACTION_OFFSETS]
        for n, (owner, offset) in enumerate(owners):
            due = self.today + timedelta(days=offset)
            worker = owner if owner != SUPERVISOR_ID else WORKER_IDS[n % len(WORKER_IDS)]
            theirs = [p for p in plans if p.worker == worker and not p.closed_days]
            case = None if n % 9 == 8 else theirs[(n * 7) % len(theirs)]
            rows.append(self.action(owner, worker, case, due, notes, walks, False, None))
        for n in range(DONE_ACTIONS):
            worker = WORKER_IDS[n % len(WORKER_IDS)]
            theirs = [p for p in plans if p.worker == worker and not p.closed_days]
            due = self.today - timedelta(days=5 + (n * 3) % 60)
            case = theirs[(n * 5) % len(theirs)]
            rows.append(self.action(worker, worker, case, due, notes, walks, False, due))
        return rows

    def south_actions(
        self, plans: list[_CasePlan], notes: list[SupervisionNote], walks: list[StuckWalkthrough]
    ) -> list[Action]:
        rows = []
        for n, worker in enumerate(SOUTH_WORKER_IDS[:12]):
            case = next(p for p in plans if p.worker == worker)
            due = self.today + timedelta(days=n - 4)
            rows.append(self.action(worker, worker, case, due, notes, walks, True, None))
        return rows

    def action(
        self,
        owner: int,
        worker: int,
        plan: _CasePlan | None,
        due: date,
        notes: list[SupervisionNote],
        walks: list[StuckWalkthrough],
        south: bool,
        done: date | None,
    ) -> Action:
        """An action with the source it came from: the worker's latest supervision note at
        least two days before it fell due, else their latest walk-through then, else their
        first walk-through (or the first note, for a worker who has none)."""
        member = self.member(worker)
        cutoff = _at(due - timedelta(days=2), 18)
        made_in = sorted(
            [n for n in notes if n.worker_id == member and n.created_at <= cutoff]
            + [w for w in walks if w.worker_id == member and w.created_at <= cutoff],
            key=lambda row: row.created_at,
        )
        source = made_in[-1] if made_in else next(w for w in walks if w.worker_id == member)
        kind = "supervision" if isinstance(source, SupervisionNote) else "stuck"
        author = source.author_id if isinstance(source, SupervisionNote) else source.worker_id
        created = min(source.created_at, self.now - timedelta(minutes=10))
        return Action(
            team_id=self.south_team if south else self.north_team,
            case_id=plan.case_id if plan else None,
            owner_id=self.member(owner),
            text=(
                self.text(ACTION_BANK, 300, 300, 300, south)
                if self.rng.random() < 0.06
                else self.text(ACTION_BANK, 1, 1, 300, south)  # one action, in a line
            ),
            due_on=due,
            status="done" if done else "open",
            source=f"{kind}:{source.id}",
            created_by_id=author,
            created_at=created,
            done_at=_at(done, 11) if done else None,
        )

    # agenda ---------------------------------------------------------------------------------

    def agenda(
        self,
        flags: list[Flag],
        walks: list[StuckWalkthrough],
        checks: list[BearingsCheck],
        notes: list[SupervisionNote],
    ) -> list[AgendaItem]:
        """What each worker keeps for supervision, as the services keep it: "next supervision"
        flags and flags put on the agenda, walk-throughs kept for it, the checks tilted twice
        running; resolved flags that had been on it were covered by a later note."""
        rows = []
        for flag in flags:
            kept = flag.urgency == Urgency.SUPERVISION or flag.state == FlagState.AGENDA
            if not kept:
                continue
            covered = None
            if flag.state == FlagState.RESOLVED:
                later = [
                    n
                    for n in notes
                    if n.worker_id == flag.worker_id and n.created_at > flag.raised_at
                ]
                if not later:
                    continue
                covered = min(later, key=lambda note: note.created_at)
            rows.append(
                AgendaItem(
                    team_id=flag.team_id,
                    worker_id=flag.worker_id,
                    kind="flag",
                    ref_id=flag.id,
                    case_id=flag.case_id,
                    added_at=flag.handled_at or flag.raised_at,
                    covered_at=covered.created_at if covered else None,
                    covered_by_note_id=covered.id if covered else None,
                )
            )
        for walk in walks:
            if "agenda" in walk.endings.split(","):
                rows.append(
                    AgendaItem(
                        team_id=walk.team_id,
                        worker_id=walk.worker_id,
                        kind="stuck",
                        ref_id=walk.id,
                        case_id=walk.case_id,
                        added_at=walk.created_at + timedelta(minutes=2),
                    )
                )
        tilted = {self.member(WORKER_IDS[2]), self.member(WORKER_IDS[5])}
        for member in tilted:
            latest = max((c for c in checks if c.member_id == member), key=lambda c: c.taken_at)
            rows.append(
                AgendaItem(
                    team_id=latest.team_id,
                    worker_id=member,
                    kind="bearings",
                    ref_id=latest.id,
                    case_id=None,
                    added_at=latest.taken_at + timedelta(minutes=1),
                )
            )
        return rows


def _prose(rng: random.Random, bank: Sequence[str], target: int, limit: int, south: bool) -> str:
    """Sentences from the bank to about ``target`` characters (a new paragraph now and then),
    cut at a word to stay within ``limit``; at ``target >= limit``, exactly ``limit`` long."""
    parts = [f"{SOUTH_WORD} Road:"] if south else []
    length = len(parts[0]) if parts else 0
    unused: list[str] = []
    while length < target:
        if not unused:  # each sentence once before any comes again
            unused = rng.sample(list(bank), len(bank))
        sentence = unused.pop()
        joiner = "\n\n" if parts and rng.random() < 0.12 else " " if parts else ""
        parts.append(joiner + sentence)
        length += len(joiner) + len(sentence)
    text = "".join(parts)
    if len(text) <= limit:
        return text
    if target >= limit:
        cut = text[:limit]
        return cut if not cut[-1].isspace() else cut[:-1] + "."
    cut = text[:limit].rsplit(" ", 1)[0].rstrip()
    return cut


VISIT_BANK = (
    "Mum was in and the house was calmer than last week.",
    "The eldest stayed in his room; we talked through the door for a while and he did answer.",
    "School attendance is up to 82% this half term, the first time above 80% since September.",
    "Rent arrears are now over £600 & the landlord has sent a second letter.",
    "Dad arrived halfway through and the tone changed; he left after ten minutes.",
    "We went through the family agreement again and Mum signed the updated version.",
    "The youngest has a hospital appointment on Thursday; Mum is worried about getting there "
    "with the buggy and two buses.",
    "Food bank voucher given. The cupboards were nearly empty again.",
    "She said the new medication is helping, though she is still not sleeping much.",
    "Quiet visit. Everyone was tired after a party next door went on until 3am.",
    "We talked about what a 'good week' would look like: at school by 9 on three days.",
    "The health visitor came on Monday and left a leaflet about the stay-and-play group.",
    "He has been out late most nights and Mum doesn't know where he goes.",
    "Mum cried talking about her own mum. We stopped the plan work and just talked.",
    "The young person played me the music he has been making: the first time he has chatted "
    "freely with me.",
    "Housing have confirmed the repair for the damp in the back bedroom for next month.",
    "Universal Credit: the sanction ends on the 14th; we drew up a budget for the fortnight.",
    "Risk feels about the same. No new incidents reported by school or the police.",
    'The 15-year-old sister was there and said things are "better than before, not great".',
    "Still no working phone, so arranging visits through the school is the only reliable way.",
    "We practised the morning routine chart; the stickers are working for the 6-year-old.",
    "The dog was loose and jumpy again; asked for it to be in the kitchen next time.",
    "Grandma has offered to have the children two evenings a week, which Mum agreed to try.",
    "The CAMHS referral has been accepted; the waiting list is about 14 weeks (!).",
    "Arguments over screen time → agreed to try phones off at 10pm for a week.",
    "An interpreter joined by phone; slower going, but Mum said more than she usually does.",
    "Attendance was <50% last week after the half-term break; the school is worried.",
    "Mum asked for help with a council tax letter > we read it through together and rang them.",
    "The flat was tidier; Mum had put the children's drawings up in the hall 👍",
    "Mum said 'شكرا' (thank you) in Arabic to the interpreter and then laughed at herself.",
    "We met at the café because Mum didn't want me at the house with her partner there.",
    "The baby was unsettled the whole visit; Mum handled it calmly and I told her so.",
    "No answer at the door at the agreed time; card left and a text sent.",
    "The boys were fighting when I arrived; Mum separated them without shouting, which is new.",
    "Talked through the TAF meeting next week and who will be there.",
    "Mum is worried about the court date and wants someone with her on the day.",
)
NEXT_STEP_BANK = (
    "Ring school on Monday about the attendance plan.",
    "Chase housing about the damp repair and ask for a date in writing.",
    "Book the TAF review for next month and send the invitations.",
    "Take the budgeting sheet and a food bank voucher next time.",
    "Check in with the health visitor before the next visit.",
    "Speak to the DSL about what the sister said.",
    "Agree with Mum who will come to the family meeting.",
    "Ask CAMHS whether there is anything while he waits.",
    "Find out about the young carers group on Wednesdays.",
    "Visit at school next week so he can choose where we talk.",
    "Send the letter to the landlord that we drafted together.",
    "Look into a bus pass for hospital appointments.",
)
SUPERVISION_TASKS = (
    "Decide whether to step this case down to universal services.",
    "Make sense of why engagement has dropped since the new partner moved in.",
    "Plan how to raise the school's concerns with Mum without losing her.",
    "Get a steer on whether the threshold for a strategy discussion is met.",
    "Feel steadier before the family group conference on Thursday.",
    "Think through whose job the housing appeal is: ours, or the housing officer's.",
    "Prepare for a difficult conversation about the home conditions.",
)
FEELINGS_BANK = (
    "I feel stuck and a bit hopeless; every plan we make seems to fall apart by the next week.",
    "I'm worried about the youngest and keep thinking about the family over the weekend.",
    "Frustrated with the network: everyone has a view and nobody picks up the phone.",
    "Mum seems exhausted and ashamed; she may feel judged every time someone new turns up.",
    "The young person probably feels nobody listens unless he shouts.",
    "The school feels let down and that is colouring how they speak about the family.",
    "I noticed I was avoiding the visit this week, which tells me something.",
)
RISKS_BANK = (
    "Neglect of the younger children when Mum's mental health dips.",
    "Going missing overnight; possible exploitation by older peers.",
    "Domestic abuse history; the injunction ends next month.",
    "Rent arrears could lead to eviction proceedings by spring.",
    "School exclusion if attendance and behaviour do not improve.",
)
STRENGTHS_BANK = (
    "Mum loves her children and wants things to change; she keeps coming back.",
    "Grandma is reliable and lives two streets away.",
    "He is good at music and has one teacher he trusts.",
    "The family kept to the agreement for three weeks running.",
    "Good relationship with the health visitor.",
)
FAMILY_VIEW_BANK = (
    "Mum says we only come when something has gone wrong.",
    "Dad thinks the school has it in for his son.",
    "The children say home is 'fine' but want more time with their dad.",
    "Mum feels the plan has too many people in it and wants fewer meetings.",
    "He says he'll do it 'when I'm ready, not when you say'.",
)
DECISIONS_BANK = (
    "Stay at weekly visits for another month, because the risks have not reduced yet.",
    "Not to escalate for now: the protective factors (Grandma, school) are holding.",
    "Joint visit with the supervisor next week, so that Mum hears the concern from us both.",
    "Ask for a professionals' meeting, because the agencies are pulling different ways.",
    "Step down to fortnightly visits from next month if attendance stays above 85%.",
    "Families can read these notes: we explained the decision to Mum in the same words.",
)
PREVIOUS_ACTIONS_BANK = (
    "Referral to CAMHS made and accepted.",
    "The housing letter was sent; no reply yet.",
    "Attendance meeting held; plan agreed with the school.",
    "Food bank vouchers given twice.",
    "The family meeting was rebooked for next month.",
)
REFERRAL_BANK = (
    "Referral made by the key worker to the front door on the day, reference given to the DSL.",
    "The school DSL made the referral on Tuesday; we were told the same afternoon.",
)
STUCK_BANK = (
    "Every visit ends in an argument about the same thing and we are going round in circles.",
    "Mum agrees to everything in the room and then nothing happens.",
    "I don't know whether the school or I should be leading on the attendance.",
    "Three agencies, three different plans, and the family caught in the middle.",
    "He won't see me at home and won't come to the centre.",
)
QUICK_WIN_BANK = (
    "Get the bus pass sorted before Friday.",
    "Take him to the football trial on Saturday.",
    "One school run on time this week, with a text to celebrate.",
    "Help Mum fill in the free school meals form.",
)
BEARINGS_BANK = (
    "A heavy week: two crises on the same day and no time to write up.",
    "Felt more connected after the team meeting on Tuesday.",
    "I've been doing everything face to face and none of the network work.",
    "Covering for a colleague, so my own families got less of me.",
    "Better week. The supervision helped me see what I was carrying.",
    "Tired. The court case took most of the week.",
)
FLAG_BANK = (
    "Mum has said she can't cope and is talking about asking for the children to be looked "
    "after. I need a steer before Friday.",
    "Third missed visit in a row and no reply to texts. Unannounced visit, or ask the school?",
    "He told me he is being asked to carry things for older boys. I followed the safeguarding "
    "procedure and need to talk through next steps.",
    "Not sure whether to close: engagement has dropped off but the risks haven't gone away.",
    "Dad is back in the house despite the agreement; Mum says it's fine. I want to think it "
    "through together.",
    "The school wants to exclude and I think that would make everything worse.",
    "I'm out of my depth with the mental health side; who else should be involved?",
    "Eviction notice served today & the family have nowhere to go.",
)
OUTCOME_BANK = (
    "Talked it through; unannounced visit agreed for Tuesday with a colleague.",
    "Strategy discussion held; plan agreed and recorded on the system.",
    "Agreed to keep the case open for another review period.",
    "Housing officer joined a call; temporary accommodation arranged.",
    "Covered at supervision; decision and reasons written up.",
)
ACTION_BANK = (
    "Ring the school SENCo about the EHCP assessment.",
    "Send the referral to the young carers service.",
    "Book a room for the family group conference.",
    "Write to housing about the damp in the back bedroom.",
    "Chase the CAMHS waiting list and ask what support there is meanwhile.",
    "Go with Mum to the food bank on Thursday.",
    "Ask the health visitor to join the next TAF.",
    "Update the support plan with the new attendance goal.",
    "Finish the early help assessment and share it with the family.",
    "Check the benefits calculator with Mum before the UC review.",
)
