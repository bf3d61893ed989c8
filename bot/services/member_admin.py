"""Membership from the command line (service layer): the operator takes someone off a team,
changes a role, or moves a person to another team, naming people as they joined.

The operator is trusted as the command line is (no Telegram account acts): the same rules
hold as for a supervisor in the chat (never the team's last supervisor; everything the
leaver holds handed to a colleague), audited with no actor, and the people affected told.
"""

from __future__ import annotations

from bot.clock import Clock
from bot.domain import membership as rules
from bot.domain.errors import Refusal
from bot.domain.roles import Role
from bot.services.handover import Removed, take_off
from bot.services.membership import owe_news, standing
from bot.services.onboarding import new_membership
from storage.models import Member, Team
from storage.uow import UnitOfWork


async def remove_named(
    uow: UnitOfWork, clock: Clock, *, team: str, name: str, hand_to: str
) -> Removed:
    """``bearings member remove``: take ``name`` off ``team``, their things to ``hand_to``."""
    found = await _team(uow, team)
    leaver = await _named(uow, found, name)
    receiver = await _named(uow, found, hand_to)
    await _may_leave(uow, leaver)
    if not rules.may_receive(standing(receiver), standing(leaver)):
        raise Refusal("member_unknown", name=hand_to, team=found.name)
    return await take_off(uow, clock, leaver, receiver, by=None)


async def set_role_named(uow: UnitOfWork, clock: Clock, *, team: str, name: str, role: Role) -> str:
    """``bearings member role``: make ``name`` a supervisor or a key worker. Returns the name."""
    found = await _team(uow, team)
    member = await _named(uow, found, name)
    if member.role == role.value:
        return member.display_name
    if role is Role.WORKER:
        await _may_leave(uow, member)
    previous, member.role = member.role, role.value
    now = clock.now()
    await uow.audit.record(
        at=now,
        action="member.role_changed",
        subject=f"member:{member.id}",
        team_id=member.team_id,
        detail={"from_role": previous, "to_role": role.value},
    )
    await owe_news(uow, member, {"event": "role", "role": role.value}, None, now)
    return member.display_name


async def move_named(
    uow: UnitOfWork,
    clock: Clock,
    *,
    team: str,
    name: str,
    to_team: str,
    role: Role,
    hand_to: str,
) -> Removed:
    """``bearings member move``: take ``name`` off ``team`` (their things to ``hand_to``) and
    give them a fresh membership of ``to_team`` in ``role``: nothing of the old team follows."""
    destination = await _team(uow, to_team)
    removed = await remove_named(uow, clock, team=team, name=name, hand_to=hand_to)
    found = await _team(uow, team)
    old = next(
        m
        for m in await uow.members.of_team(found.id, active_only=False)
        if m.telegram_user_id == removed.telegram_user_id and not m.active
    )
    assert old.telegram_user_id is not None  # taken off just now, not yet detached
    now = clock.now()
    fresh = await new_membership(
        uow,
        now,
        former=old,
        team_id=destination.id,
        role=role.value,
        telegram_user_id=old.telegram_user_id,
        display_name=old.display_name,
        username=old.telegram_username,
    )
    await uow.audit.record(
        at=now,
        action="member.moved",
        subject=f"member:{fresh.id}",
        team_id=destination.id,
        detail={"from_member": old.id, "from_team": found.id, "role": role.value},
    )
    await owe_news(uow, fresh, {"event": "moved", "role": role.value}, None, now)
    return removed


async def _team(uow: UnitOfWork, name: str) -> Team:
    team = await uow.teams.by_name(name)
    if team is None:
        raise Refusal("team_unknown", name=name)
    return team


async def _named(uow: UnitOfWork, team: Team, name: str) -> Member:
    """The active member of the team with this name (as they joined), ignoring case."""
    wanted = name.strip().casefold()
    found = [m for m in await uow.members.of_team(team.id) if m.display_name.casefold() == wanted]
    if len(found) != 1:
        raise Refusal("member_unknown", name=name, team=team.name)
    return found[0]


async def _may_leave(uow: UnitOfWork, member: Member) -> None:
    """Never the team's last supervisor."""
    supervisors = [s.id for s in await uow.members.of_team(member.team_id, role=Role.SUPERVISOR)]
    if rules.leaves_no_supervisor(standing(member), supervisors):
        raise Refusal("last_supervisor", name=member.display_name)
