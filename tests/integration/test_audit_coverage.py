"""Each audited event writes one audit row: who, what, when, and no content.

``EVENTS`` is the list the audit must cover (issue 7, item 3, less exports and
erasures, which their own modules audit): reading another person's notes and
case history, each flag action, reassigning a case, a former member joining afresh,
a role change, taking someone off the team, importing a caseload, a purge, every
dashboard request (read, or refused). Each
is done through the real service on the world of tests/access_world.py, one
after another, and must leave exactly its row: the acting member (or none for
the bot itself), the event name, the subject by id, the clock's time, and a
detail that holds none of the words, names or the case reference.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import MovableClock
from bot.domain.case_links import link_key
from bot.domain.flags import FlagAction
from bot.domain.roles import Role
from bot.services import (
    bearings,
    caseload_import,
    cases,
    dashboard,
    flags,
    handover,
    membership,
    notes,
    onboarding,
    retention,
    stuck,
)
from bot.services.access import find_person
from storage.db import Database
from storage.models import AuditEntry
from storage.uow import UnitOfWork
from tests.access_world import FORMER_ID, MARKERS, MONDAY, REFERENCE, Who, World, build_world

Act = Callable[[UnitOfWork, MovableClock, World], Awaitable[Any]]


@dataclass(frozen=True)
class Event:
    """An audited event: who does it, how, and the row it must leave."""

    who: Who | None
    act: Act
    action: str
    subject: Callable[[World], str]


async def _flag_action(uow: UnitOfWork, clock: MovableClock, world: World, act: FlagAction) -> Any:
    return await flags.act_on_flag(
        uow, clock, telegram_user_id=Who.SUPERVISOR.value, flag_id=world.flag, action=act
    )


async def _resolve(uow: UnitOfWork, clock: MovableClock, world: World) -> Any:
    sam = await find_person(uow, Who.SUPERVISOR.value)
    assert sam is not None
    return await flags.resolve_flag(uow, clock, sam, {"flag": world.flag, "outcome": "Sorted"})


async def _rejoin_as_supervisor(uow: UnitOfWork, clock: MovableClock, world: World) -> Any:
    invite = await onboarding.create_invite(
        uow, clock, telegram_user_id=Who.SUPERVISOR.value, role=Role.SUPERVISOR, invite_ttl_days=7
    )
    return await onboarding.join_team(
        uow, clock, token=invite.token, telegram_user_id=FORMER_ID, display_name="Flo Former"
    )


async def _close_and_purge(uow: UnitOfWork, clock: MovableClock, world: World) -> Any:
    sam = await find_person(uow, Who.SUPERVISOR.value)
    assert sam is not None
    answers = {"case": world.case, "confirm": "yes", "reason": "Moved away"}
    await cases.close_case(uow, clock, sam, answers)
    clock.advance(timedelta(days=91))
    return await retention.purge_due(uow, clock, retention_days=90, dry_run=False, limit=100)


SAM = Who.SUPERVISOR
EVENTS: list[Event] = [
    Event(
        SAM,
        lambda uow, clock, w: notes.case_notes(
            uow, clock, telegram_user_id=SAM.value, case_id=w.case
        ),
        "case.history_read",
        lambda w: f"case:{w.case}",
    ),
    Event(
        SAM,
        lambda uow, clock, w: notes.note_view(
            uow, clock, telegram_user_id=SAM.value, kind=notes.VISIT, note_id=w.visit
        ),
        "note.read",
        lambda w: f"visit:{w.visit}",
    ),
    Event(
        SAM,
        lambda uow, clock, w: notes.note_view(
            uow, clock, telegram_user_id=SAM.value, kind=notes.SUPERVISION, note_id=w.supervision
        ),
        "note.read",
        lambda w: f"supervision:{w.supervision}",
    ),
    Event(
        SAM,
        lambda uow, clock, w: stuck.walkthrough_view(
            uow, clock, telegram_user_id=SAM.value, walkthrough_id=w.walkthrough
        ),
        "stuck.read",
        lambda w: f"stuck:{w.walkthrough}",
    ),
    Event(
        SAM,
        lambda uow, clock, w: bearings.shared_check(
            uow, clock, telegram_user_id=SAM.value, check_id=w.check
        ),
        "bearings.read",
        lambda w: f"bearings:{w.check}",
    ),
    Event(
        SAM,
        lambda uow, clock, w: _flag_action(uow, clock, w, FlagAction.ACKNOWLEDGE),
        "flag.acknowledged",
        lambda w: f"flag:{w.flag}",
    ),
    Event(
        SAM,
        lambda uow, clock, w: _flag_action(uow, clock, w, FlagAction.CALL),
        "flag.calling",
        lambda w: f"flag:{w.flag}",
    ),
    Event(
        SAM,
        lambda uow, clock, w: _flag_action(uow, clock, w, FlagAction.AGENDA),
        "flag.agenda",
        lambda w: f"flag:{w.flag}",
    ),
    Event(SAM, _resolve, "flag.resolved", lambda w: f"flag:{w.flag}"),
    Event(
        SAM,
        lambda uow, clock, w: cases.reassign_case(
            uow, clock, telegram_user_id=SAM.value, case_id=w.case, worker_id=w.colleague_member
        ),
        "case.reassigned",
        lambda w: f"case:{w.case}",
    ),
    Event(None, _rejoin_as_supervisor, "member.rejoined", lambda w: f"member:{w.former_member}"),
    Event(
        SAM,
        lambda uow, clock, w: membership.change_role(
            uow, clock, telegram_user_id=SAM.value, member_id=w.owner_member, role=Role.SUPERVISOR
        ),
        "member.role_changed",
        lambda w: f"member:{w.owner_member}",
    ),
    Event(
        SAM,
        lambda uow, clock, w: handover.remove_member(
            uow,
            clock,
            telegram_user_id=SAM.value,
            member_id=w.colleague_member,
            to_id=w.owner_member,
        ),
        "member.removed",
        lambda w: f"member:{w.colleague_member}",
    ),
    Event(
        SAM,
        lambda uow, clock, w: caseload_import.confirm_upload(
            uow, clock, telegram_user_id=SAM.value, pending_id=w.pending_import
        ),
        "caseload.imported",
        lambda w: f"team:{w.team}",
    ),
    Event(None, _close_and_purge, "case.purged", lambda w: f"case:{w.case}"),
    Event(
        SAM,
        lambda uow, clock, w: dashboard.team_dashboard(
            uow, clock, telegram_user_id=SAM.value, link_key=link_key("1:AUDIT")
        ),
        "dashboard.read",
        lambda w: f"team:{w.team}",
    ),
    Event(
        Who.OWNER,
        lambda uow, clock, w: dashboard.record_refused(
            uow, clock, telegram_user_id=Who.OWNER.value
        ),
        "dashboard.refused",
        lambda w: f"member:{w.owner_member}",
    ),
]


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(MONDAY)


async def test_each_audited_event_records_who_what_and_when_without_content(
    database: Database, clock: MovableClock
) -> None:
    world = await build_world(database, clock)
    members = {who: await _member_id(database, who) for who in Who if who is not Who.STRANGER}
    forbidden = (REFERENCE, *MARKERS.values(), "Alex", "Sorted", "Moved away", "Flo")
    for event in EVENTS:
        clock.advance(timedelta(minutes=5))
        async with database.unit_of_work() as uow:
            seen = await _last_id(uow)
            await event.act(uow, clock, world)
        async with database.unit_of_work() as uow:
            rows = list(
                await uow.session.scalars(
                    select(AuditEntry)
                    .where(AuditEntry.id > seen, AuditEntry.action == event.action)
                    .order_by(AuditEntry.id)
                )
            )
        assert [row.subject for row in rows] == [event.subject(world)], event.action
        row = rows[0]
        assert row.actor_id == (members[event.who] if event.who else None), event.action
        assert row.at == clock.now(), event.action
        written = f"{row.action} {row.subject} {row.detail}"
        assert not [word for word in forbidden if word in written], event.action


async def test_reading_ones_own_notes_is_not_audited(
    database: Database, clock: MovableClock
) -> None:
    world = await build_world(database, clock)
    async with database.unit_of_work() as uow:
        seen = await _last_id(uow)
        alex = Who.OWNER.value
        await notes.case_notes(uow, clock, telegram_user_id=alex, case_id=world.case)
        await notes.note_view(uow, clock, telegram_user_id=alex, kind="v", note_id=world.visit)
        await bearings.shared_check(uow, clock, telegram_user_id=alex, check_id=world.check)
    async with database.unit_of_work() as uow:
        assert await _last_id(uow) == seen


async def _member_id(database: Database, who: Who) -> int:
    async with database.unit_of_work() as uow:
        member = await uow.members.by_telegram_id(who.value)
    assert member is not None
    return member.id


async def _last_id(uow: UnitOfWork) -> int:
    return (await uow.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()))) or 0
