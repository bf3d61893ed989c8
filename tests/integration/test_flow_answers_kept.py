"""What a flow's row keeps once the flow is over (issue 20.5): nothing of its answers.

A flow that finishes, is cancelled, is dropped for another or is a draft thrown
away keeps only its flow name, status, times and ids; its answers (which may
hold a note's text or a flag's outcome) are emptied at that moment. A draft
keeps its answers for the team's retention period, then is dropped the same way.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import MovableClock
from bot.domain.buttons import prefilled
from bot.domain.errors import Refusal
from bot.services import flows, planner
from bot.services.flows import Question
from storage.db import Database
from storage.models import FlowSession, Team
from storage.repositories.flows import DRAFT, DROPPED, FINISHED, OPEN
from tests.integration.test_flow_engine import (
    MONDAY,
    add_case,
    button,
    latest_row,
    member_id,
    press,
    question,
    start,
    type_text,
)
from tests.team import SeededTeam

NOTE = "Mum said the rent is three months behind"


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(MONDAY)


def kept_nothing(row: FlowSession) -> None:
    """The row of a flow that is over: who, which flow, when, how it ended; no answers."""
    assert row.answers == {}, row.answers
    assert row.step == ""
    assert row.finished_at is not None and row.flow and row.member_id


async def half_a_visit(
    database: Database, clock: MovableClock, team: SeededTeam
) -> tuple[int, Question]:
    """A visit note under way with its text typed: the case's id, and the next question."""
    case_id = await add_case(database, clock, team.worker, "FAM-0142")
    asked = question(await start(database, clock, team.worker, "visit", {"case": case_id}))
    question(await press(database, clock, team.worker, button(asked, "Yesterday")))
    asked = question(await type_text(database, clock, team.worker, NOTE))
    assert (await latest_row(database, team.worker)).answers["values"]["how"] == NOTE
    return case_id, asked


async def test_a_finished_flow_keeps_no_answers(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    case_id, asked = await half_a_visit(database, clock, team)
    asked = question(await press(database, clock, team.worker, button(asked, "⬆ Up")))
    await type_text(database, clock, team.worker, "Call the landlord")

    row = await latest_row(database, team.worker)
    assert (row.status, row.flow, row.case_id) == (FINISHED, "visit", case_id)
    assert row.member_id == await member_id(database, team.worker)
    assert (row.started_at, row.finished_at) == (MONDAY, clock.now())
    kept_nothing(row)


async def test_a_cancelled_flow_keeps_no_answers(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    await half_a_visit(database, clock, team)
    async with database.unit_of_work() as uow:
        await flows.cancel(uow, clock, telegram_user_id=team.worker)
    row = await latest_row(database, team.worker)
    assert row.status == DROPPED
    kept_nothing(row)


async def test_a_flow_dropped_for_another_keeps_no_answers(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    await half_a_visit(database, clock, team)
    dropped = await latest_row(database, team.worker)
    conflict = await start(database, clock, team.worker, "newcase")
    drop = button(conflict, "Drop it, start new case").split(":")
    async with database.unit_of_work() as uow:
        await flows.drop_and_start(
            uow,
            clock,
            telegram_user_id=team.worker,
            session_id=dropped.id,
            version=dropped.version,
            flow_name=drop[3],
            prefill=prefilled(drop[4]),
        )
    async with database.unit_of_work() as uow:
        row = await uow.flows.get(dropped.id)
    assert row is not None and row.status == DROPPED
    kept_nothing(row)


async def test_a_draft_thrown_away_or_left_for_a_resumed_one_keeps_no_answers(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    await half_a_visit(database, clock, team)
    clock.advance(timedelta(hours=49))
    await type_text(database, clock, team.worker, "late")  # the visit becomes a draft
    draft = await latest_row(database, team.worker)
    assert draft.answers["values"]["how"] == NOTE, "a draft keeps its answers"
    async with database.unit_of_work() as uow:
        await flows.discard_draft(uow, clock, telegram_user_id=team.worker, session_id=draft.id)
    kept_nothing(await latest_row(database, team.worker))

    # A new case under way, left as a draft; an open flow dropped when the draft is resumed.
    await start(database, clock, team.worker, "newcase")
    await type_text(database, clock, team.worker, "FAM-0200")
    clock.advance(timedelta(hours=49))
    await type_text(database, clock, team.worker, "Engagement")
    second = await latest_row(database, team.worker)
    await start(database, clock, team.worker, "bearings")
    left = await latest_row(database, team.worker)
    assert left.status == OPEN and left.id != second.id
    async with database.unit_of_work() as uow:
        await flows.resume_draft(uow, clock, telegram_user_id=team.worker, session_id=second.id)
    async with database.unit_of_work() as uow:
        rows = {row.id: row for row in (await uow.session.scalars(select(FlowSession))).all()}
    assert rows[left.id].status == DROPPED
    kept_nothing(rows[left.id])
    assert rows[second.id].answers["values"] == {"reference": "FAM-0200"}


async def plan(database: Database, clock: MovableClock) -> None:
    """One tick of the periodic planner (the deployment keeps things 90 days)."""
    async with database.unit_of_work() as uow:
        await planner.plan(
            uow, clock, flow_idle=flows.DEFAULT_IDLE, retention_days=90, nudges=False
        )


async def test_a_draft_keeps_its_answers_for_the_teams_retention_period_then_is_dropped(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    async with database.unit_of_work() as uow:
        north = (await uow.session.scalars(select(Team).where(Team.name == "North Team"))).one()
        north.settings = {"retention_days": 30}
    await half_a_visit(database, clock, team)  # last answered on MONDAY
    clock.advance(timedelta(hours=49))
    await plan(database, clock)  # the planner makes it a draft
    draft = await latest_row(database, team.worker)
    assert draft.status == DRAFT
    # A draft of South Team's supervisor, last answered at the same moment (90 days there).
    async with database.unit_of_work() as uow:
        pat = await uow.members.by_telegram_id(team.other_team_supervisor)
        assert pat is not None
        south = await uow.flows.add(
            FlowSession(
                member_id=pat.id,
                flow="newcase",
                step="stage",
                answers={"values": {"reference": "SOU-0001"}, "path": ["reference"]},
                status=DRAFT,
                started_at=MONDAY,
                updated_at=MONDAY,
            )
        )

    clock.set(MONDAY + timedelta(days=30) - timedelta(minutes=1))
    await plan(database, clock)
    kept = await latest_row(database, team.worker)
    assert kept.status == DRAFT and kept.answers["values"]["how"] == NOTE

    clock.set(MONDAY + timedelta(days=30))
    await plan(database, clock)
    gone = await latest_row(database, team.worker)
    assert (gone.id, gone.status, gone.finished_at) == (draft.id, DROPPED, clock.now())
    kept_nothing(gone)
    async with database.unit_of_work() as uow:
        with pytest.raises(Refusal):  # the old "carry on" button does nothing
            await flows.resume_draft(uow, clock, telegram_user_id=team.worker, session_id=draft.id)
        still = await uow.flows.get(south.id)
        assert still is not None and still.status == DRAFT and still.answers["values"]

    clock.set(MONDAY + timedelta(days=90))
    await plan(database, clock)
    async with database.unit_of_work() as uow:
        still = await uow.flows.get(south.id)
        assert still is not None and still.status == DROPPED
        kept_nothing(still)


async def test_flows_closed_before_this_change_are_emptied_by_the_periodic_purge(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    """Rows closed with their answers still in them (as every closed flow was before)."""
    async with database.unit_of_work() as uow:
        alex = await uow.members.by_telegram_id(team.worker)
        assert alex is not None
        ids = [
            (
                await uow.flows.add(
                    FlowSession(
                        member_id=alex.id,
                        flow="flag_resolve",
                        step="outcome",
                        answers={"values": {"flag": 1, "outcome": NOTE}, "path": ["outcome"]},
                        status=status,
                        started_at=MONDAY,
                        updated_at=MONDAY,
                        finished_at=MONDAY,
                    )
                )
            ).id
            for status in (FINISHED, DROPPED)
        ]
    await plan(database, clock)
    async with database.unit_of_work() as uow:
        for session_id in ids:
            row = await uow.flows.get(session_id)
            assert row is not None
            kept_nothing(row)
            assert row.finished_at == MONDAY, "closing times are kept"
