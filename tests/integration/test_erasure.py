"""Erasure on real databases (bot/services/erasure.py): a worker's own data goes, their
open cases pass to a supervisor, the team's case records stay with "a former worker"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.clock import MovableClock
from bot.domain.errors import Refusal
from bot.domain.roles import Role
from bot.services import erasure, flags, notes, onboarding
from bot.services.erasure import Erased, ErasurePlan
from prompts import render
from storage.db import Database
from storage.models import (
    Action,
    AuditEntry,
    BearingsCheck,
    Case,
    Flag,
    FlowSession,
    InboxUpdate,
    Member,
    OutboxMessage,
    StuckWalkthrough,
    SupervisionNote,
    Visit,
)
from tests.integration.test_retention import case_with_everything, person
from tests.team import (
    OTHER_WORKER_ID,
    SECOND_SUPERVISOR_ID,
    SUPERVISOR_ID,
    WORKER_ID,
    seed_team,
)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


async def count(database: Database, model: type, *conditions: object) -> int:
    async with database.unit_of_work() as uow:
        query = select(func.count()).select_from(model).where(*conditions)  # type: ignore[arg-type]
        return int(await uow.session.scalar(query) or 0)


async def give_alex_personal_things(database: Database, clock: MovableClock) -> None:
    """A bearings check, a general supervision note with an action of her own, an open
    conversation, a failed update, personal settings, time away; and Kim names her as
    cover."""
    alex = await person(database, WORKER_ID)
    kim = await person(database, OTHER_WORKER_ID)
    now = clock.now()
    async with database.unit_of_work() as uow:
        await uow.bearings.add(
            BearingsCheck(
                team_id=alex.team_id,
                member_id=alex.member_id,
                taken_at=now,
                ratings={"a": 3},
                note="tired",
                shared_at=None,
            )
        )
        await uow.notes.add_supervision(
            SupervisionNote(
                team_id=alex.team_id,
                worker_id=alex.member_id,
                author_id=alex.member_id,
                case_id=None,
                held_on=now.date(),
                kind="one_to_one",
                content={"task": "workload"},
                created_at=now,
                updated_at=now,
            )
        )
        await uow.actions.add(
            Action(
                team_id=alex.team_id,
                case_id=None,
                owner_id=alex.member_id,
                text="book leave",
                due_on=now.date(),
                source="supervision",
                created_by_id=alex.member_id,
                created_at=now,
            )
        )
        await uow.flows.add(
            FlowSession(
                member_id=alex.member_id,
                flow="bearings",
                step="note",
                answers={"q1": 2},
                started_at=now,
                updated_at=now,
            )
        )
        # An update of hers that failed: kept, with what she sent, so nothing was lost.
        await uow.inbox.receive([(9001, WORKER_ID, {"update_id": 9001})], now)
        failed = await uow.inbox.get(9001)
        assert failed is not None
        await uow.inbox.mark_handled(failed, [], now, failed=True)
        await uow.inbox.mark_done([9001])
        member = await uow.members.get(alex.member_id)
        assert member is not None
        member.settings = {"nudge_hour": "07:00"}
        member.timezone = "Europe/Paris"
        member.away_until = now.date() + timedelta(days=30)
        other = await uow.members.get(kim.member_id)
        assert other is not None
        other.away_until, other.away_cover_id = now.date() + timedelta(days=3), alex.member_id


async def test_a_worker_is_erased_and_their_open_cases_pass_to_a_supervisor(
    database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex, sam = await person(database, WORKER_ID), await person(database, SUPERVISOR_ID)
    case_id = await case_with_everything(database, clock, WORKER_ID, "FAM-0142")
    await give_alex_personal_things(database, clock)
    visits_before = await count(database, Visit)
    assert await count(database, InboxUpdate, InboxUpdate.chat_key == WORKER_ID) == 1

    async with database.unit_of_work() as uow:
        plan = await erasure.plan_erasure(uow, clock, telegram_user_id=WORKER_ID)
    assert (plan.supervisor_id, plan.supervisor_name, plan.references) == (
        sam.member_id,
        "Sam Supervisor",
        ["FAM-0142"],
    )
    assert (plan.open_actions, plan.open_flags, plan.former_name) == (1, 1, "a former worker")

    async with database.unit_of_work() as uow:
        done = await erasure.erase_member(
            uow, clock, telegram_user_id=WORKER_ID, supervisor_id=sam.member_id
        )
    assert done == Erased("Sam Supervisor", ["FAM-0142"])

    async with database.unit_of_work() as uow:
        assert await uow.members.by_telegram_id(WORKER_ID) is None
        row = await uow.members.get(alex.member_id)
        assert row is not None
        assert (row.telegram_user_id, row.display_name, row.settings, row.timezone) == (
            None,
            "",
            {},
            None,
        )
        assert (row.away_until, row.active, row.erased_at) == (None, False, clock.now())
        kim = await uow.members.by_telegram_id(OTHER_WORKER_ID)
        assert kim is not None and kim.away_cover_id is None
        case = await uow.cases.get(case_id)
        assert case is not None and case.worker_id == sam.member_id
    # The person's own things are gone ...
    assert await count(database, BearingsCheck, BearingsCheck.member_id == alex.member_id) == 0
    assert await count(database, FlowSession, FlowSession.member_id == alex.member_id) == 0
    assert await count(database, SupervisionNote, SupervisionNote.case_id.is_(None)) == 0
    assert await count(database, Action, Action.owner_id == alex.member_id) == 0
    assert await count(database, OutboxMessage, OutboxMessage.member_id == alex.member_id) == 0
    assert await count(database, OutboxMessage, OutboxMessage.chat_id == WORKER_ID) == 0
    assert await count(database, InboxUpdate, InboxUpdate.chat_key == WORKER_ID) == 0
    # ... the case record stays, by "a former worker", and its open action passed to Sam.
    assert await count(database, Visit) == visits_before
    assert await count(database, Visit, Visit.author_id == alex.member_id) == visits_before
    assert await count(database, StuckWalkthrough, StuckWalkthrough.case_id == case_id) == 1
    assert await count(database, Flag, Flag.worker_id == alex.member_id) == 2
    assert await count(
        database, Action, Action.owner_id == sam.member_id, Action.case_id == case_id
    )
    async with database.unit_of_work() as uow:
        open_flags = await flags.open_flags(uow, clock, telegram_user_id=SUPERVISOR_ID)
        history = await notes.case_notes(
            uow, clock, telegram_user_id=SUPERVISOR_ID, case_id=case_id
        )
    assert [f.worker_name for f in open_flags] == ["a former worker"]
    assert {item.author_name for item in history.items} == {"a former worker"}
    async with database.unit_of_work() as uow:
        [resolved] = await flags.resolve_flag(
            uow, clock, sam, {"flag": open_flags[0].id, "outcome": "spoke to school"}
        )
    told = render(resolved.template, **resolved.values)
    assert told == "✔ Resolved. The outcome is kept with the flag."  # nobody left to tell
    # Sam is told which cases are now his; the audit says what happened, without content.
    async with database.unit_of_work() as uow:
        told = await uow.outbox.by_key(f"cases_passed:{alex.member_id}")
        assert told is not None and told.chat_id == SUPERVISOR_ID
        composed = await erasure.compose_cases_passed(uow, clock, told)
        audit = (
            await uow.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "member.erased")
            )
        ).one()
    assert composed is not None and composed.values == {"references": ["FAM-0142"]}
    assert (audit.subject, audit.actor_id, audit.team_id) == (
        f"member:{alex.member_id}",
        alex.member_id,
        alex.team_id,
    )
    assert audit.detail["cases"] == 1 and audit.detail["to"] == sam.member_id
    assert audit.detail["actions"] == 1
    assert audit.detail["deleted"]["bearings_checks"] == 1
    assert "Alex" not in str(audit.detail) and "FAM-0142" not in str(audit.detail)


async def test_the_only_supervisor_cannot_erase_their_account(
    database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    async with database.unit_of_work() as uow:
        with pytest.raises(Refusal) as refused:
            await erasure.plan_erasure(uow, clock, telegram_user_id=SUPERVISOR_ID)
    assert refused.value.code == "erasure_no_supervisor"
    assert refused.value.details == {"team_name": "North Team", "is_supervisor": True}
    async with database.unit_of_work() as uow:
        with pytest.raises(Refusal):
            await erasure.erase_member(uow, clock, telegram_user_id=SUPERVISOR_ID, supervisor_id=1)
        assert await uow.members.by_telegram_id(SUPERVISOR_ID) is not None


async def test_a_supervisor_passes_their_cases_to_another_supervisor(
    database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock, second_supervisor=True)
    dee = await person(database, SECOND_SUPERVISOR_ID)
    case_id = await case_with_everything(database, clock, SUPERVISOR_ID, "FAM-0007")
    async with database.unit_of_work() as uow:
        plan = await erasure.plan_erasure(uow, clock, telegram_user_id=SUPERVISOR_ID)
    assert (plan.supervisor_id, plan.former_name) == (dee.member_id, "a former supervisor")
    async with database.unit_of_work() as uow:
        await erasure.erase_member(
            uow, clock, telegram_user_id=SUPERVISOR_ID, supervisor_id=dee.member_id
        )
    assert await count(database, Case, Case.id == case_id, Case.worker_id == dee.member_id) == 1


async def test_a_confirmation_made_stale_by_a_change_erases_nothing_and_shows_the_new_plan(
    database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock, second_supervisor=True)
    sam, dee = await person(database, SUPERVISOR_ID), await person(database, SECOND_SUPERVISOR_ID)
    async with database.unit_of_work() as uow:
        assert (
            await erasure.plan_erasure(uow, clock, telegram_user_id=WORKER_ID)
        ).supervisor_id == sam.member_id
        member = await uow.members.get(sam.member_id)
        assert member is not None
        member.away_until = date(2026, 12, 24)  # Sam goes away after the question was shown
    async with database.unit_of_work() as uow:
        outcome = await erasure.erase_member(
            uow, clock, telegram_user_id=WORKER_ID, supervisor_id=sam.member_id
        )
    assert isinstance(outcome, ErasurePlan) and outcome.supervisor_id == dee.member_id
    async with database.unit_of_work() as uow:
        assert await uow.members.by_telegram_id(WORKER_ID) is not None


async def test_a_stranger_has_nothing_to_erase_and_a_second_confirmation_is_already_done(
    database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    sam = await person(database, SUPERVISOR_ID)
    async with database.unit_of_work() as uow:
        with pytest.raises(Refusal) as stranger:
            await erasure.plan_erasure(uow, clock, telegram_user_id=4242)
    assert stranger.value.code == "nothing_to_erase"
    async with database.unit_of_work() as uow:
        await erasure.erase_member(
            uow, clock, telegram_user_id=WORKER_ID, supervisor_id=sam.member_id
        )
    for _ in range(2):
        async with database.unit_of_work() as uow:
            with pytest.raises(Refusal) as again:
                await erasure.erase_member(
                    uow, clock, telegram_user_id=WORKER_ID, supervisor_id=sam.member_id
                )
        assert again.value.code == "already_done"
    assert await count(database, AuditEntry, AuditEntry.action == "member.erased") == 1


async def test_an_erased_person_comes_back_only_with_a_new_invite_as_a_new_member(
    database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex, sam = await person(database, WORKER_ID), await person(database, SUPERVISOR_ID)
    async with database.unit_of_work() as uow:
        await erasure.erase_member(
            uow, clock, telegram_user_id=WORKER_ID, supervisor_id=sam.member_id
        )
    async with database.unit_of_work() as uow:
        invite = await onboarding.create_invite(
            uow, clock, telegram_user_id=SUPERVISOR_ID, role=Role.WORKER, invite_ttl_days=7
        )
    async with database.unit_of_work() as uow:
        back = await onboarding.join_team(
            uow, clock, token=invite.token, telegram_user_id=WORKER_ID, display_name="Alex"
        )
    assert back.member_id != alex.member_id
    assert await count(database, Member, Member.telegram_user_id == WORKER_ID) == 1
