"""A purged case leaves nothing behind (issue 20.5): every table is read back through the
ORM (encrypted columns decrypted) and holds neither a word of the case nor a pointer to it.

The case gets everything a case can have, through the services and flows as people would:
a visit note corrected, a supervision note corrected, flags (one resolved, one on the
agenda, one raised from a walk-through), actions, a walk-through with its endings, nudges
and cases passed on an erasure owed in the outbox, a flow still open about one of its
flags, a caseload file waiting that names it, a failed update about it. The periodic
planner purges it; the audit log keeps its ids and event names (never words).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import MovableClock
from bot.domain.flags import Urgency
from bot.domain.stuck import StuckEnding
from bot.services import cases, flags, flows, notes, planner, stuck, supervision
from storage.db import Database
from storage.models import (
    Action,
    Base,
    Flag,
    FlowSession,
    PendingImport,
    StuckWalkthrough,
    SupervisionNote,
    Visit,
)
from storage.repositories.flows import FINISHED, OPEN
from tests.integration.test_flow_engine import MONDAY, button, press, question, start, type_text
from tests.process_data import PROCESS_SECRETS, write_process
from tests.team import SeededTeam
from tests.team import person_of as person

MARK = "Quokka"
"""In every word typed about the purged case (and nowhere else)."""
REF, KEPT = "FAM-0777", "FAM-0888"


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(MONDAY)


async def newest(database: Database, model: Any) -> int:
    async with database.unit_of_work() as uow:
        return int((await uow.session.scalars(select(func.max(model.id)))).one())


async def a_case_with_everything(
    database: Database, clock: MovableClock, team: SeededTeam
) -> tuple[int, int]:
    """The case to purge, and another of the same worker that stays; their ids."""
    alex, sam = await person(database, team.worker), await person(database, team.supervisor)
    today = clock.now().date().isoformat()
    async with database.unit_of_work() as uow:
        for reference in (REF, KEPT):
            await cases.create_case(
                uow, clock, alex, {"reference": reference, "stage": "engagement", "cadence": 7}
            )
        found = [await uow.cases.by_reference(alex.team_id, r) for r in (REF, KEPT)]
    case_id, kept_id = (case.id for case in found if case is not None)

    # A visit note, through its flow, then corrected through the correction flow.
    asked = question(await start(database, clock, team.worker, "visit", {"case": case_id}))
    asked = question(await press(database, clock, team.worker, button(asked, "Yesterday")))
    asked = question(await type_text(database, clock, team.worker, f"{MARK} visit went"))
    asked = question(await press(database, clock, team.worker, button(asked, "⬆ Up")))
    await type_text(database, clock, team.worker, f"{MARK} next step")
    visit_id = await newest(database, Visit)
    await start(database, clock, team.worker, "note_correction", {"note": f"v.{visit_id}.0"})
    await type_text(database, clock, team.worker, f"{MARK} visit corrected")

    # A supervision note with an action, corrected.
    async with database.unit_of_work() as uow:
        await supervision.save_supervision(
            uow,
            clock,
            alex,
            {
                "case": case_id,
                "held_on": today,
                "kind": "one_to_one",
                "task": "plan",
                "update": f"{MARK} supervision update",
                "risk": "same",
                "action_1": f"{MARK} supervision action",
                "action_1_owner": alex.member_id,
                "action_1_due": today,
            },
        )
    note_id = await newest(database, SupervisionNote)
    async with database.unit_of_work() as uow:
        await notes.correct_note(
            uow, clock, alex, {"note": f"s.{note_id}.1", "text": f"{MARK} update corrected"}
        )

    # Two flags; the first resolved through its flow with an outcome.
    for urgency in (Urgency.TODAY, Urgency.SUPERVISION):
        async with database.unit_of_work() as uow:
            await flags.raise_flag(
                uow,
                clock,
                alex,
                case_id=case_id,
                urgency=urgency,
                source="case",
                summary=f"{MARK} flag summary",
            )
    first_flag = await newest(database, Flag) - 1
    await start(database, clock, team.supervisor, "flag_resolve", {"flag": first_flag})
    await type_text(database, clock, team.supervisor, f"{MARK} flag outcome")

    # A walk-through with every ending that leaves a row: agenda, actions, a flag.
    async with database.unit_of_work() as uow:
        await stuck.save_stuck(
            uow,
            clock,
            alex,
            {
                "case": case_id,
                "where_stuck": f"{MARK} where stuck",
                "quick_win": f"{MARK} quick win",
                "next_step": f"{MARK} walk next step",
            },
        )
    walk_id = await newest(database, StuckWalkthrough)
    for ending in (StuckEnding.AGENDA, StuckEnding.ACTION, StuckEnding.FLAG_WEEK):
        async with database.unit_of_work() as uow:
            await stuck.choose_ending(
                uow, clock, telegram_user_id=team.worker, walkthrough_id=walk_id, choice=ending
            )

    async with database.unit_of_work() as uow:
        now = clock.now()
        action_id = (
            await uow.session.scalars(select(func.max(Action.id)).where(Action.case_id == case_id))
        ).one()
        # A finished /stuck closed before closing emptied answers, with its words in it.
        await uow.flows.add(
            FlowSession(
                member_id=alex.member_id,
                flow="stuck",
                step="next_owner",
                answers={"values": {"case": case_id, "where_stuck": f"{MARK} old walk"}},
                status=FINISHED,
                case_id=case_id,
                started_at=now,
                updated_at=now,
                finished_at=now,
            )
        )
        # Nudges about the case and its action, and cases passed on when someone left.
        await uow.outbox.enqueue(
            [
                {
                    "key": f"{kind}:{member}:{len(ref)}",
                    "kind": kind,
                    "team_id": alex.team_id,
                    "member_id": member,
                    "chat_id": team.worker,
                    "ref": ref,
                    "due_at": now,
                    "created_at": now,
                }
                for kind, member, ref in (
                    ("visit_due", alex.member_id, {"case": case_id}),
                    ("action_due", alex.member_id, {"action": action_id}),
                    ("cases_passed", sam.member_id, {"cases": [case_id, kept_id]}),
                )
            ]
        )
        # Something the worker sent about the case that failed (kept so nothing is lost).
        sent = {"message": {"chat": {"id": team.worker}, "text": f"{MARK} failed {REF}"}}
        await uow.inbox.receive([(77, team.worker, sent)], now)
        failed = await uow.inbox.claim(77)
        assert failed is not None
        await uow.inbox.mark_handled(failed, [], now, failed=True)
        await uow.inbox.mark_done([77])
    return case_id, kept_id


def flatten(value: Any) -> str:
    return json.dumps(value, default=str, sort_keys=True)


async def every_row(database: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, read through the ORM (encrypted columns decrypted)."""
    found: dict[str, list[dict[str, Any]]] = {}
    async with database.unit_of_work() as uow:
        for mapper in Base.registry.mappers:
            model = mapper.class_
            rows = (await uow.session.scalars(select(model))).all()
            found[model.__tablename__] = [
                {column.key: getattr(row, column.key) for column in mapper.column_attrs}
                for row in rows
            ]
    return found


async def test_a_purged_case_leaves_no_word_and_no_pointer_in_any_table(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    case_id, kept_id = await a_case_with_everything(database, clock, team)
    async with database.unit_of_work() as uow:

        async def ids(model: Any, *where: Any) -> set[int]:
            return set((await uow.session.scalars(select(model.id).where(*where))).all())

        flag_ids = await ids(Flag, Flag.case_id == case_id)
        action_ids = await ids(Action, Action.case_id == case_id)
        visit_ids = await ids(Visit, Visit.case_id == case_id)
        note_ids = await ids(SupervisionNote, SupervisionNote.case_id == case_id)
        walk_ids = await ids(StuckWalkthrough, StuckWalkthrough.case_id == case_id)
        open_flag = (
            await uow.session.scalars(
                select(Flag.id).where(Flag.state == "open", Flag.case_id == case_id)
            )
        ).first()
    # Three raised, and the safeguarding flag of the visit note (risk up).
    assert len(flag_ids) == 4 and len(action_ids) >= 2 and visit_ids and note_ids and walk_ids
    assert open_flag is not None

    clock.advance(timedelta(days=1))
    alex = await person(database, team.worker)
    # Its key-worker process, from the agreement to the closing with its evaluation.
    kim = await person(database, team.other_worker)
    words = {key: f"{MARK} {key}" for key in PROCESS_SECRETS}
    await write_process(database, clock, alex, kim, case_id, clock.now().date(), words)
    closed_at = clock.now()
    async with database.unit_of_work() as uow:
        assert len(await uow.process.plan_actions(case_id)) == 2

    # An hour before the purge: the supervisor opens the resolution of a flag still open, and
    # sends a caseload file naming the case (waiting for Import).
    clock.set(closed_at + timedelta(days=90, hours=-1))
    await start(database, clock, team.supervisor, "flag_resolve", {"flag": open_flag})
    sam = await person(database, team.supervisor)
    async with database.unit_of_work() as uow:
        row = {"row": 2, "worker": "Alex", "stage": "engagement", "cadence_days": 7}
        uow.session.add(
            PendingImport(
                team_id=sam.team_id,
                member_id=sam.member_id,
                rows=[{**row, "reference": REF}, {**row, "row": 3, "reference": KEPT}],
                created_at=clock.now(),
                expires_at=clock.now() + timedelta(hours=24),
            )
        )
    async with database.unit_of_work() as uow:
        sessions = (await uow.session.scalars(select(FlowSession))).all()
        mentioning = {s.id for s in sessions if s.answers.get("values", {}).get("flag")}
    assert any(s.status == OPEN and s.case_id is None and s.id in mentioning for s in sessions), (
        "a flow about the case's flag, not linked to the case"
    )

    clock.set(closed_at + timedelta(days=90))
    async with database.unit_of_work() as uow:
        await planner.plan(
            uow, clock, flow_idle=flows.DEFAULT_IDLE, retention_days=90, nudges=False
        )

    tables = await every_row(database)
    found: list[str] = []
    for table, rows in tables.items():
        for row in rows:
            words = flatten(row)
            if MARK in words or REF in words:
                found.append(f"{table}: words {words}")
            if row.get("case_id") == case_id:
                found.append(f"{table}: case_id {words}")
    by_id = {
        "flags": flag_ids,
        "actions": action_ids,
        "visits": visit_ids,
        "supervision_notes": note_ids,
        "stuck_walkthroughs": walk_ids,
    }
    for table, gone in by_id.items():
        found += [f"{table}: row {r['id']}" for r in tables[table] if r["id"] in gone]
    found += [f"cases: {r['id']}" for r in tables["cases"] if r["id"] == case_id]
    pointers = {("flag", i) for i in flag_ids} | {("stuck", i) for i in walk_ids}
    for item in tables["agenda_items"]:
        if (item["kind"], item["ref_id"]) in pointers or item["covered_by_note_id"] in note_ids:
            found.append(f"agenda_items: {flatten(item)}")
    revised = {("visit", i) for i in visit_ids} | {("supervision", i) for i in note_ids}
    for revision in tables["note_revisions"]:
        if (revision["note_kind"], revision["note_id"]) in revised:
            found.append(f"note_revisions: {flatten(revision)}")
    for message in tables["outbox"]:
        ref = message["ref"]
        if (
            ref.get("case") == case_id
            or ref.get("flag") in flag_ids
            or ref.get("action") in action_ids
            or case_id in ref.get("cases", [])
            or ref.get("session") in mentioning
        ):
            found.append(f"outbox: {flatten(message)}")
    notes_of_case = {f"v.{i}." for i in visit_ids} | {f"s.{i}." for i in note_ids}
    for session in tables["flow_sessions"]:
        values = (session["answers"] or {}).get("values", {})
        note = str(values.get("note", ""))
        if (
            values.get("case") == case_id
            or values.get("flag") in flag_ids
            or any(note.startswith(prefix) for prefix in notes_of_case)
        ):
            found.append(f"flow_sessions: {flatten(session)}")
    assert found == []

    # The audit log keeps the purge, by id; the other case and its message stay.
    assert [a["subject"] for a in tables["audit_log"] if a["action"] == "case.purged"] == [
        f"case:{case_id}"
    ]
    assert [c["id"] for c in tables["cases"]] == [kept_id]
    passed = [m for m in tables["outbox"] if m["kind"] == "cases_passed"]
    assert [m["ref"] for m in passed] == [{"cases": [kept_id]}]
