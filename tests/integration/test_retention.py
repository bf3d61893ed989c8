"""Retention on real databases: closed cases past their team's period are purged with
everything recorded about them (bot/services/retention.py), and nothing else is."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import MovableClock
from bot.domain.flags import Urgency
from bot.services import cases, flags, notes, planner, supervision, visits
from bot.services.retention import purge_due
from storage.db import Database
from storage.models import (
    Action,
    AgendaItem,
    AuditEntry,
    Case,
    Flag,
    FlowSession,
    InboxUpdate,
    NoteRevision,
    OutboxMessage,
    StuckWalkthrough,
    SupervisionNote,
    Team,
    Visit,
)
from storage.repositories.retention import PROCESS_TABLES
from tests.team import (
    OTHER_TEAM_SUPERVISOR_ID,
    OTHER_WORKER_ID,
    SUPERVISOR_ID,
    WORKER_ID,
    seed_team,
)
from tests.team import (
    person_of as person,
)

CLOSED = datetime(2026, 8, 1, 15, 0, tzinfo=UTC)
TABLES: dict[str, Any] = {
    "cases": Case,
    "visits": Visit,
    "supervision_notes": SupervisionNote,
    "note_revisions": NoteRevision,
    "actions": Action,
    "flags": Flag,
    "outbox": OutboxMessage,
    "stuck_walkthroughs": StuckWalkthrough,
    "agenda_items": AgendaItem,
    "flow_sessions": FlowSession,
}


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(CLOSED - timedelta(days=30))


async def case_with_everything(
    database: Database, clock: MovableClock, worker: int, reference: str
) -> int:
    """A case with a corrected visit, a supervision note with an action, two flags (one on
    the agenda), a walk-through and an unfinished flow, made through the services."""
    who = await person(database, worker)
    boss = await person(database, SUPERVISOR_ID if worker != OTHER_TEAM_SUPERVISOR_ID else worker)
    today = clock.now().date().isoformat()
    async with database.unit_of_work() as uow:
        await cases.create_case(
            uow, clock, who, {"reference": reference, "stage": "engagement", "cadence": 7}
        )
        case = await uow.cases.by_reference(who.team_id, reference)
        assert case is not None
        case_id = case.id
    async with database.unit_of_work() as uow:
        answers = {"case": case_id, "date": today, "how": "went well", "risk": "same"}
        await visits.save_visit(uow, clock, who, answers)
        visit_id = (await uow.session.scalars(select(func.max(Visit.id)))).one()
    async with database.unit_of_work() as uow:
        await notes.correct_note(uow, clock, who, {"note": f"v.{visit_id}.0", "text": "fixed"})
    async with database.unit_of_work() as uow:
        await supervision.save_supervision(
            uow,
            clock,
            who,
            {
                "case": case_id,
                "held_on": today,
                "kind": "one_to_one",
                "task": "plan",
                "risk": "same",
                "action_1": "call",
                "action_1_owner": who.member_id,
                "action_1_due": today,
            },
        )
    for urgency in (Urgency.TODAY, Urgency.SUPERVISION):
        async with database.unit_of_work() as uow:
            await flags.raise_flag(
                uow, clock, who, case_id=case_id, urgency=urgency, source="case", summary="s"
            )
    if boss.member_id != who.member_id:
        async with database.unit_of_work() as uow:
            flag_id = (await uow.session.scalars(select(func.max(Flag.id)))).one()
            await flags.resolve_flag(uow, clock, boss, {"flag": flag_id, "outcome": "done"})
    async with database.unit_of_work() as uow:
        now = clock.now()
        action_id = (await uow.session.scalars(select(func.max(Action.id)))).one()
        # Nudges owed about the case and its action (rows hold ids, never text).
        await uow.outbox.enqueue(
            [
                {
                    "key": f"{kind}:{ref_id}",
                    "kind": kind,
                    "team_id": who.team_id,
                    "member_id": who.member_id,
                    "chat_id": worker,
                    "ref": {key: ref_id},
                    "due_at": now,
                    "created_at": now,
                }
                for kind, key, ref_id in (
                    ("visit_due", "case", case_id),
                    ("action_due", "action", action_id),
                )
            ]
        )
        await uow.stuck.add(
            StuckWalkthrough(
                team_id=who.team_id,
                worker_id=who.member_id,
                case_id=case_id,
                answers={"what": "x"},
                endings="plan",
                created_at=now,
            )
        )
        await uow.flows.add(
            FlowSession(
                member_id=who.member_id,
                flow="visit",
                step="how",
                answers={"case": case_id},
                case_id=case_id,
                status="dropped",
                started_at=now,
                updated_at=now,
            )
        )
    return case_id


async def close(database: Database, clock: MovableClock, worker: int, case_id: int) -> None:
    who = await person(database, worker)
    async with database.unit_of_work() as uow:
        answers = {"case": case_id, "confirm": "yes", "reason": "moved away"}
        await cases.close_case(uow, clock, who, answers)


async def rows_of(database: Database, case_id: int) -> dict[str, int]:
    """Rows that point at the case, table by table."""
    async with database.unit_of_work() as uow:
        counts = {}
        for name, model in TABLES.items():
            if model is Case:
                query = select(func.count()).where(Case.id == case_id)
            elif model is OutboxMessage:
                flag_ids = select(Flag.id).where(Flag.case_id == case_id)
                action_ids = select(Action.id).where(Action.case_id == case_id)
                query = select(func.count()).where(
                    OutboxMessage.ref["flag"].as_integer().in_(flag_ids)
                    | OutboxMessage.ref["action"].as_integer().in_(action_ids)
                    | (OutboxMessage.ref["case"].as_integer() == case_id)
                )
            elif model is NoteRevision:
                visit_ids = select(Visit.id).where(Visit.case_id == case_id)
                query = select(func.count()).where(NoteRevision.note_id.in_(visit_ids))
            else:
                query = select(func.count()).select_from(model).where(model.case_id == case_id)
            counts[name] = int(await uow.session.scalar(query) or 0)
    return counts


async def everything_counted(database: Database) -> dict[str, int]:
    async with database.unit_of_work() as uow:
        return {
            name: int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in TABLES.items()
        }


async def test_a_case_closed_past_the_retention_period_is_purged_with_everything_about_it(
    database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    old = await case_with_everything(database, clock, WORKER_ID, "OLD-0001")
    recent = await case_with_everything(database, clock, OTHER_WORKER_ID, "NEW-0002")
    still_open = await case_with_everything(database, clock, WORKER_ID, "OPEN-0003")
    clock.set(CLOSED)
    await close(database, clock, WORKER_ID, old)
    clock.set(CLOSED + timedelta(days=80))
    await close(database, clock, OTHER_WORKER_ID, recent)
    # A general agenda item ticked off in the old case's supervision note.
    alex = await person(database, WORKER_ID)
    async with database.unit_of_work() as uow:
        note_id = (
            await uow.session.scalars(
                select(SupervisionNote.id).where(SupervisionNote.case_id == old)
            )
        ).one()
        await uow.agenda.add(
            team_id=alex.team_id,
            worker_id=alex.member_id,
            kind="bearings",
            ref_id=99,
            case_id=None,
            at=clock.now(),
        )
        item = (await uow.session.scalars(select(AgendaItem).where(AgendaItem.ref_id == 99))).one()
        item.covered_at, item.covered_by_note_id = clock.now(), note_id
    before = await rows_of(database, old)
    assert all(before.values()), before  # every kind of row exists for the old case
    kept = {case: await rows_of(database, case) for case in (recent, still_open)}
    clock.set(CLOSED + timedelta(days=90, minutes=1))

    async with database.unit_of_work() as uow:
        report = await purge_due(uow, clock, retention_days=90)

    assert [(c.case_id, c.reference, c.closed_on) for c in report.cases] == [
        (old, "OLD-0001", date(2026, 8, 1))
    ]
    assert report.cases[0].rows == {
        **{n: c for n, c in before.items() if n != "cases"},
        "pending_imports": 0,
        # The key-worker process's rows go too (tests/integration/test_purge_leaves_nothing.py).
        **dict.fromkeys(PROCESS_TABLES, 0),
    }
    assert report.totals["cases"] == 1 and not report.dry_run
    assert await rows_of(database, old) == dict.fromkeys(TABLES, 0)
    assert {case: await rows_of(database, case) for case in kept} == kept
    async with database.unit_of_work() as uow:
        item = (await uow.session.scalars(select(AgendaItem).where(AgendaItem.ref_id == 99))).one()
        assert item.covered_at is not None and item.covered_by_note_id is None
        purged = (
            await uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "case.purged"))
        ).all()
    assert [(a.subject, a.actor_id, a.team_id) for a in purged] == [
        (f"case:{old}", None, alex.team_id)
    ]
    assert "OLD-0001" not in str(purged[0].detail)
    assert purged[0].detail == {"retention_days": 90, "rows": sum(before.values())}

    async with database.unit_of_work() as uow:
        again = await purge_due(uow, clock, retention_days=90)
    assert again.cases == []


async def test_a_dry_run_reports_the_same_and_changes_nothing(
    database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    old = await case_with_everything(database, clock, WORKER_ID, "OLD-0001")
    clock.set(CLOSED)
    await close(database, clock, WORKER_ID, old)
    clock.set(CLOSED + timedelta(days=100))
    everything = await everything_counted(database)

    async with database.unit_of_work() as uow:
        dry = await purge_due(uow, clock, retention_days=90, dry_run=True)

    assert dry.dry_run and [c.reference for c in dry.cases] == ["OLD-0001"]
    assert await everything_counted(database) == everything
    async with database.unit_of_work() as uow:
        audited = await uow.session.scalar(
            select(func.count()).where(AuditEntry.action == "case.purged")
        )
    assert audited == 0
    async with database.unit_of_work() as uow:
        real = await purge_due(uow, clock, retention_days=90)
    assert [(c.case_id, c.rows) for c in real.cases] == [(c.case_id, c.rows) for c in dry.cases]


async def test_each_team_keeps_closed_cases_for_its_own_period(
    database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    north = await case_with_everything(database, clock, WORKER_ID, "N-0001")
    south = await case_with_everything(database, clock, OTHER_TEAM_SUPERVISOR_ID, "S-0001")
    clock.set(CLOSED)
    await close(database, clock, WORKER_ID, north)
    await close(database, clock, OTHER_TEAM_SUPERVISOR_ID, south)
    async with database.unit_of_work() as uow:
        team = (await uow.session.scalars(select(Team).where(Team.name == "South Team"))).one()
        team.settings = {"retention_days": 30}

    async def due_at(days: int) -> list[str]:
        clock.set(CLOSED + timedelta(days=days))
        async with database.unit_of_work() as uow:
            report = await purge_due(uow, clock, retention_days=90, dry_run=True)
        return [case.reference for case in report.cases]

    assert await due_at(29) == []
    assert await due_at(30) == ["S-0001"]
    assert await due_at(89) == ["S-0001"]
    assert await due_at(90) == ["N-0001", "S-0001"]


async def test_a_limit_purges_the_oldest_first_and_leaves_the_rest_for_next_time(
    database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    first = await case_with_everything(database, clock, WORKER_ID, "A-0001")
    second = await case_with_everything(database, clock, WORKER_ID, "B-0002")
    clock.set(CLOSED)
    await close(database, clock, WORKER_ID, second)
    clock.advance(timedelta(hours=1))
    await close(database, clock, WORKER_ID, first)
    clock.set(CLOSED + timedelta(days=120))

    async with database.unit_of_work() as uow:
        one = await purge_due(uow, clock, retention_days=90, limit=1)
    async with database.unit_of_work() as uow:
        other = await purge_due(uow, clock, retention_days=90, limit=1)

    assert [c.case_id for c in one.cases] == [second]
    assert [c.case_id for c in other.cases] == [first]


async def test_a_failed_updates_kept_payload_expires_after_the_deployments_period(
    database: Database, clock: MovableClock
) -> None:
    """A failed update keeps what the person sent (so nothing is lost) for the deployment's
    retention period from when it arrived; then only its id and that it failed remain. A
    team's own setting does not shorten or lengthen it: an update belongs to a chat."""
    await seed_team(database, clock)
    async with database.unit_of_work() as uow:
        team = (await uow.session.scalars(select(Team).where(Team.name == "North Team"))).one()
        team.settings = {"retention_days": 30}
    arrived = clock.now()
    sent = {"message": {"chat": {"id": WORKER_ID}, "text": "the rent is three months behind"}}
    async with database.unit_of_work() as uow:
        await uow.inbox.receive([(1, WORKER_ID, sent), (2, WORKER_ID, sent)], arrived)
        failed = await uow.inbox.claim(1)
        assert failed is not None
        await uow.inbox.mark_handled(failed, [], arrived, failed=True)
        await uow.inbox.mark_done([1])

    async def tick(at: datetime) -> None:
        clock.set(at)
        async with database.unit_of_work() as uow:
            await planner.plan(
                uow, clock, flow_idle=timedelta(hours=48), retention_days=90, nudges=False
            )

    async def rows() -> dict[int, tuple[dict[str, Any], int, bool]]:
        async with database.unit_of_work() as uow:
            found = (await uow.session.scalars(select(InboxUpdate))).all()
            return {row.update_id: (row.payload, row.chat_key, row.failed) for row in found}

    await tick(arrived + timedelta(days=90) - timedelta(minutes=1))
    assert (await rows())[1] == (sent, WORKER_ID, True)
    await tick(arrived + timedelta(days=90))
    assert await rows() == {1: ({}, 0, True), 2: (sent, WORKER_ID, False)}, (
        "the failed payload is gone; an update still waiting is left alone"
    )
