"""One worker's things, and the six kinds of person who might reach for them.

Built through the real services on top of ``seed_team``: Alex (a North Team
worker) owns a case with a visit note, a supervision note, an action, a flag
(kept for supervision, so also an agenda item), a shared bearings check, an
"I'm stuck" walk-through saved as a note, a visit nudge, an open flow and a
draft; and Sam, their supervisor, has a caseload file waiting for Confirm. The
access matrix (tests/integration/test_access_matrix.py) and the forged-button
test (tests/e2e/test_forged_buttons.py) both reach for them as each kind of
person in ``Who``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.clock import MovableClock
from bot.domain.bearings import BALANCES, ELEMENTS
from bot.domain.flags import Urgency
from bot.domain.roles import Role
from bot.domain.stuck import StuckEnding
from bot.services import (
    bearings,
    caseload_import,
    cases,
    flags,
    flows,
    nudges,
    onboarding,
    stuck,
    supervision,
    visits,
)
from storage.db import Database
from storage.models import Base, FlowSession, OutboxMessage
from storage.repositories.flows import DRAFT
from tests.team import (
    OTHER_TEAM_SUPERVISOR_ID,
    OTHER_WORKER_ID,
    SUPERVISOR_ID,
    WORKER_ID,
    seed_team,
)
from tests.team import (
    person_of as _person,
)

MONDAY = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
TODAY = date(2026, 11, 23)
FORMER_ID, STRANGER_ID = 1006, 9999
REFERENCE = "ACC-0101"
Snapshot = dict[str, list[tuple[Any, ...]]]
PENDING_IMPORT = b"reference,key worker,stage\nIMP-0001,Alex Worker,engagement\n"

MARKERS = {
    "visit": "Visit-words Quarrington-marker",
    "task": "Supervision-task Pellowe-marker",
    "action": "Action-words Tregarthen-marker",
    "flag": "Flag-summary Ravensworth-marker",
    "bearings": "Bearings-note Wintergill-marker",
    "stuck": "Stuck-words Halloway-marker",
    "draft": "Draft-words Coldharbour-marker",
}
"""Words only Alex (and their supervisor) may ever see; with the case reference, the strings
the matrix looks for in what anyone else is shown."""


class Who(Enum):
    """The six kinds of person in the access matrix, by how they stand to Alex's things."""

    OWNER = WORKER_ID  # Alex, the worker who owns them
    COLLEAGUE = OTHER_WORKER_ID  # Kim, another worker of the team
    SUPERVISOR = SUPERVISOR_ID  # Sam, the team's supervisor
    OTHER_SUPERVISOR = OTHER_TEAM_SUPERVISOR_ID  # Pat, supervisor of South Team
    STRANGER = STRANGER_ID  # never joined
    FORMER = FORMER_ID  # joined North Team as a worker, since deactivated


@dataclass(frozen=True)
class World:
    """Ids of Alex's things (and an unused worker invite for North Team)."""

    owner_member: int
    colleague_member: int
    former_member: int
    case: int
    visit: int
    supervision: int
    action: int
    flag: int
    agenda_item: int
    check: int
    walkthrough: int
    nudge: int
    session: int
    session_version: int
    draft: int
    invite_token: str
    team: int
    """North Team, Alex's team."""
    pending_import: int
    """A caseload file Sam sent in chat, waiting for their Confirm (one new case, IMP-0001)."""


async def build_world(database: Database, clock: MovableClock) -> World:
    """Seed both teams, a former member, and everything Alex owns (clock: Monday 09:30)."""
    await seed_team(database, clock)
    async with database.unit_of_work() as uow:
        invite = await onboarding.create_invite(
            uow, clock, telegram_user_id=SUPERVISOR_ID, role=Role.WORKER, invite_ttl_days=7
        )
        await onboarding.join_team(
            uow, clock, token=invite.token, telegram_user_id=FORMER_ID, display_name="Flo Former"
        )
        former = await uow.members.by_telegram_id(FORMER_ID)
        assert former is not None
        # No service deactivates a member yet (erasure will): as an operator would, in SQL.
        former.active, former.deactivated_at = False, clock.now()
        fresh = await onboarding.create_invite(
            uow, clock, telegram_user_id=SUPERVISOR_ID, role=Role.WORKER, invite_ttl_days=7
        )
    alex = await _person(database, WORKER_ID)
    kim = await _person(database, OTHER_WORKER_ID)
    async with database.unit_of_work() as uow:
        answers: dict[str, Any] = {"reference": REFERENCE, "stage": "engagement", "cadence": 7}
        await cases.create_case(uow, clock, alex, answers)
        case = await uow.cases.by_reference(alex.team_id, REFERENCE)
        assert case is not None
        case_id = case.id
    async with database.unit_of_work() as uow:
        await visits.save_visit(
            uow,
            clock,
            alex,
            {"case": case_id, "date": TODAY.isoformat(), "how": MARKERS["visit"], "risk": "same"}
            | {"next": None},
        )
        # The visit moved the next one on: put it back to today so today's nudge is owed.
        case = await uow.cases.get(case_id)
        assert case is not None
        case.next_visit_due = TODAY
        await supervision.save_supervision(
            uow,
            clock,
            alex,
            {
                "case": case_id,
                "held_on": TODAY.isoformat(),
                "kind": "thinking_together",
                "task": MARKERS["task"],
                "risk": "same",
                "action_1": MARKERS["action"],
                "action_1_owner": alex.member_id,
                "action_1_due": (TODAY + timedelta(days=4)).isoformat(),
            },
        )
        await flags.raise_flag(
            uow,
            clock,
            alex,
            case_id=case_id,
            urgency=Urgency.SUPERVISION,
            source="case",
            summary=MARKERS["flag"],
        )
        ratings = {key: 3 for key in (*ELEMENTS, *BALANCES)}
        await bearings.save_bearings(uow, clock, alex, {**ratings, "note": MARKERS["bearings"]})
        await stuck.save_stuck(uow, clock, alex, {"case": case_id, "where_stuck": MARKERS["stuck"]})
    async with database.unit_of_work() as uow:
        walkthrough = (await uow.stuck.for_case(case_id))[0]
        await stuck.choose_ending(
            uow,
            clock,
            telegram_user_id=WORKER_ID,
            walkthrough_id=walkthrough.id,
            choice=StuckEnding.NOTE,
        )
        check = (await uow.bearings.for_member(alex.member_id, limit=1))[0]
        await bearings.share_check(uow, clock, telegram_user_id=WORKER_ID, check_id=check.id)
        await nudges.plan_nudges(uow, clock)
        await uow.flows.add(
            FlowSession(
                member_id=alex.member_id,
                flow="stuck",
                step="where_stuck",
                answers={"values": {"case": case_id, "task": MARKERS["draft"]}, "path": []},
                version=3,
                status=DRAFT,
                case_id=case_id,
                started_at=clock.now(),
                updated_at=clock.now(),
            )
        )
        await flows.start_flow(
            uow, clock, telegram_user_id=WORKER_ID, flow_name="visit", prefill={"case": case_id}
        )
    async with database.unit_of_work() as uow:
        session = await uow.flows.open_for(alex.member_id)
        draft = (await uow.flows.drafts_for(alex.member_id, "stuck"))[0]
        nudge = (
            await uow.session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.kind == "visit_due", OutboxMessage.member_id == alex.member_id
                )
            )
        ).one()
        notes = await uow.notes.supervision_for_case(case_id)
        visit_notes = await uow.notes.visits_for_case(case_id)
        flag = (await uow.flags.open_for_worker(alex.member_id))[0]
        action = (await uow.actions.open_for_owner(alex.member_id))[0]
        agenda_item = (await uow.agenda.open_for_worker(alex.member_id))[0]
        assert session is not None
        preview = await caseload_import.preview_upload(
            uow, clock, telegram_user_id=SUPERVISOR_ID, content=PENDING_IMPORT
        )
        assert preview.pending_id is not None
        return World(
            owner_member=alex.member_id,
            colleague_member=kim.member_id,
            former_member=former.id,
            case=case_id,
            visit=visit_notes[0].id,
            supervision=notes[0].id,
            action=action.id,
            flag=flag.id,
            agenda_item=agenda_item.id,
            check=check.id,
            walkthrough=walkthrough.id,
            nudge=nudge.id,
            session=session.id,
            session_version=session.version,
            draft=draft.id,
            invite_token=fresh.token,
            team=alex.team_id,
            pending_import=preview.pending_id,
        )


async def snapshot(
    session: AsyncSession | AsyncConnection, *, leave_out: tuple[str, ...] = ()
) -> Snapshot:
    """Every row of every table as this session or connection sees it (free text decrypted,
    so equal words compare equal), but for the tables left out. A session is flushed first."""
    if isinstance(session, AsyncSession):
        await session.flush()
    rows: Snapshot = {}
    for table in Base.metadata.sorted_tables:
        if table.name not in leave_out:
            result = await session.execute(select(table).order_by(*table.primary_key.columns))
            rows[table.name] = [tuple(row) for row in result]
    return rows
