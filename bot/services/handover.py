"""Removing someone from a team, with everything they hold handed over (service layer).

A supervisor hands a leaver's open cases to colleagues, all to one or case by case
(each case takes its open actions, flags and agenda items with it), then removes them:
whatever is left — actions about no case, flags, agenda items — goes to the one chosen
then, so nothing is left without an owner. Flags the leaver had picked up but not
resolved wait for a supervisor again (and are chased again); people the leaver was
covering for have no cover; the leaver's unfinished conversations are dropped and the
messages still owed to them withdrawn. The member row stays, inactive, so the team's
records keep their author; joining any team again makes a fresh membership
(``onboarding.join_team``). Audited; the leaver and each receiver are told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock
from bot.domain import membership as rules
from bot.domain.errors import Refusal
from bot.domain.flags import FlagState
from bot.domain.roles import Role
from bot.services.access import Person, member_name
from bot.services.flows.sessions import close_session
from bot.services.membership import (
    MEMBERSHIP_NEWS,
    MemberCard,
    card_of,
    managed,
    next_working_moment,
    owe_news,
)
from bot.services.membership import standing as standing_of
from storage.models import Case, Member
from storage.repositories.flows import DROPPED
from storage.repositories.outbox import PENDING
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Handover:
    """Where handing over someone's things stands: who they are, who may receive, and the
    next case they still hold (for case by case)."""

    card: MemberCard
    receivers: list[tuple[int, str, bool]]
    """(member id, name, whether it is the supervisor asking), the supervisor first."""
    next_case: tuple[int, str] | None


@dataclass(frozen=True)
class Removed:
    """What removing someone did."""

    name: str
    receiver: str
    cases: int
    actions: int
    flags: int
    telegram_user_id: int | None
    """The leaver's chat, for their command menu."""


async def handover(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, member_id: int
) -> Handover:
    """What removing this person involves, and who may take their things over."""
    person, member = await _leaver(uow, telegram_user_id, member_id)
    return await _handover(uow, person, member)


async def hand_over_case(
    uow: UnitOfWork,
    clock: Clock,
    *,
    telegram_user_id: int,
    member_id: int,
    case_id: int,
    to_id: int,
) -> Handover:
    """Case by case: give one of the leaver's cases (with its open actions, flags and agenda
    items) to a colleague. A case no longer the leaver's is "already done"."""
    person, member = await _leaver(uow, telegram_user_id, member_id)
    receiver = await _receiver(uow, member, to_id)
    case = await uow.cases.get(case_id)
    if case is None or case.worker_id != member.id or case.closed_at is not None:
        raise Refusal("already_done")
    now = clock.now()
    await _pass_case(uow, person.member_id, member, receiver, case, now)
    await _tell_receiver(uow, person.member_id, member, receiver, [case.id], now)
    return await _handover(uow, person, member)


async def remove_member(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, member_id: int, to_id: int
) -> Removed:
    """Remove the person from the team; whatever they still hold goes to ``to_id``."""
    person, member = await _leaver(uow, telegram_user_id, member_id)
    receiver = await _receiver(uow, member, to_id)
    return await take_off(uow, clock, member, receiver, by=person.member_id)


async def take_off(
    uow: UnitOfWork, clock: Clock, member: Member, receiver: Member, *, by: int | None
) -> Removed:
    """Take ``member`` off their team, everything they hold going to ``receiver`` (both
    checked by the caller: ``remove_member`` for a supervisor, the command line for the
    operator, ``by`` None)."""
    now = clock.now()
    cases = list(await uow.cases.open_for_worker(member.id))
    for case in cases:
        await _pass_case(uow, by, member, receiver, case, now)
    actions = list(await uow.actions.open_for_owner(member.id))
    for action in actions:
        action.owner_id = receiver.id
    flags = list(await uow.flags.open_for_worker(member.id))
    for flag in flags:
        flag.worker_id = receiver.id
    for item in await uow.agenda.held_by(member.id):
        item.worker_id = receiver.id
    for flag in await uow.membership.flags_picked_up_by(member.id):
        # Picked up by someone who is gone: it waits for a supervisor again.
        flag.state, flag.handled_by_id, flag.handled_at = FlagState.OPEN.value, None, None
        flag.reminded_at = flag.escalated_at = None
    for covered in await uow.membership.covered_by(member.id):
        covered.away_cover_id = None
    for session in await uow.membership.unfinished_flows(member.id):
        await close_session(uow, session, DROPPED, clock)
    await uow.membership.drop_owed_to(member.id)
    member.active, member.deactivated_at = False, now
    await uow.flush()
    await uow.audit.record(
        at=now,
        action="member.removed",
        subject=f"member:{member.id}",
        team_id=member.team_id,
        actor_id=by,
        detail={
            "to": receiver.id,
            "cases": len(cases),
            "actions": len(actions),
            "flags": len(flags),
        },
    )
    await owe_news(uow, member, {"event": "removed"}, by, now)
    if cases:
        await _tell_receiver(uow, by, member, receiver, [c.id for c in cases], now)
    for told in await uow.outbox.with_key_prefix(f"{MEMBERSHIP_NEWS}:handed:{member.id}:"):
        if told.status == PENDING:  # held while the hand-over went on: it is complete now
            told.due_at = min(told.due_at, await next_working_moment(uow, member.team_id, now))
    return Removed(
        member_name(member),
        member_name(receiver),
        len(cases),
        len(actions),
        len(flags),
        member.telegram_user_id,
    )


async def _leaver(uow: UnitOfWork, telegram_user_id: int, member_id: int) -> tuple[Person, Member]:
    """The supervisor asking and the member to remove: not themselves (another supervisor
    can), never the team's last supervisor."""
    person, member = await managed(uow, telegram_user_id, member_id)
    if member.id == person.member_id:
        raise Refusal("remove_yourself")
    supervisors = [s.id for s in await uow.members.of_team(member.team_id, role=Role.SUPERVISOR)]
    if rules.leaves_no_supervisor(standing_of(member), supervisors):
        raise Refusal("last_supervisor", name=member_name(member))
    return person, member


async def _receiver(uow: UnitOfWork, leaver: Member, to_id: int) -> Member:
    receiver = await uow.members.get(to_id)
    if receiver is None or not rules.may_receive(standing_of(receiver), standing_of(leaver)):
        raise Refusal("member_gone")
    return receiver


async def _handover(uow: UnitOfWork, person: Person, member: Member) -> Handover:
    colleagues = [m for m in await uow.members.of_team(member.team_id) if m.id != member.id]
    colleagues.sort(key=lambda m: (m.id != person.member_id, member_name(m)))
    cases = sorted(await uow.cases.open_for_worker(member.id), key=lambda c: c.reference)
    return Handover(
        await card_of(uow, person, member),
        [(m.id, member_name(m), m.id == person.member_id) for m in colleagues],
        (cases[0].id, cases[0].reference) if cases else None,
    )


async def _pass_case(
    uow: UnitOfWork, by: int | None, leaver: Member, receiver: Member, case: Case, now: datetime
) -> None:
    """The case, and the leaver's open actions, flags and agenda items about it, to the
    receiver; audited like any reassignment."""
    case.worker_id = receiver.id
    for action in await uow.actions.open_for_owner(leaver.id):
        if action.case_id == case.id:
            action.owner_id = receiver.id
    for flag in await uow.flags.open_for_worker(leaver.id):
        if flag.case_id == case.id:
            flag.worker_id = receiver.id
    for item in await uow.agenda.held_by(leaver.id):
        if item.case_id == case.id:
            item.worker_id = receiver.id
    await uow.audit.record(
        at=now,
        action="case.reassigned",
        subject=f"case:{case.id}",
        team_id=case.team_id,
        actor_id=by,
        detail={"from": leaver.id, "to": receiver.id, "handover": True},
    )


async def _tell_receiver(
    uow: UnitOfWork,
    by: int | None,
    leaver: Member,
    receiver: Member,
    case_ids: list[int],
    now: datetime,
) -> None:
    """One message per receiver for a whole hand-over: the cases add up in it until the
    leaver is removed (then it goes, at the team's next working moment)."""
    if receiver.id == by:
        return  # the supervisor handing over knows
    key = f"{MEMBERSHIP_NEWS}:handed:{leaver.id}:{receiver.id}"
    told = await uow.outbox.by_key(key)
    if told is not None and told.status == PENDING:
        told.ref = {**told.ref, "cases": [*told.ref.get("cases", []), *case_ids]}
        return
    if told is not None:  # told of an earlier hand-over already
        key = f"{key}:{now.strftime('%Y%m%dT%H%M%S%f')}"
    await owe_news(
        uow,
        receiver,
        {"event": "handed", "cases": case_ids, "former": member_name(leaver, first=True)},
        by,
        now,
        key=key,
        hold=True,
    )
