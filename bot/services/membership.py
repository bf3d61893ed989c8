"""Membership from the chat (service layer): a supervisor sees the team's people, changes a
role, revokes an open invite and unlinks the team's group. Removing someone, with their
cases handed over, is in ``bot.services.handover``.

Every change is decided at the moment of use from the database (the actor's role and
team now, the target's now), audited, and announced to the person it affects through
the outbox (``MEMBERSHIP_NEWS``), in words that say what they can now see and do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.domain import membership as rules
from bot.domain.errors import Refusal
from bot.domain.paging import Page, page_of
from bot.domain.roles import Role
from bot.domain.schedule import next_allowed
from bot.services.access import Person, member_name, require_supervisor
from bot.services.outgoing import Outgoing
from bot.services.timing import team_rules
from storage.models import Invite, Member, OutboxMessage
from storage.uow import UnitOfWork

MEMBERSHIP_NEWS = "membership_news"
PEOPLE_PAGE = 8
HOLD = timedelta(minutes=30)


@dataclass(frozen=True)
class MemberLine:
    """One of the team's people, as /members lists them."""

    member_id: int
    name: str
    role: str
    cases: int
    is_me: bool


@dataclass(frozen=True)
class People:
    """A page of the team's people."""

    team_name: str
    page: Page[MemberLine]


@dataclass(frozen=True)
class MemberCard:
    """One person: their role and what they hold."""

    member_id: int
    name: str
    role: str
    references: list[str]
    actions: int
    flags: int
    is_me: bool
    last_supervisor: bool
    telegram_user_id: int | None
    """Their private chat with the bot (their command menu follows their role)."""


@dataclass(frozen=True)
class OpenInvite:
    """An invite not yet used or expired."""

    invite_id: int
    role: str
    expires_at: datetime


async def team_people(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, page: int = 0, stamp: str = ""
) -> People:
    """/members: the team's active people, supervisors first, a page at a time."""
    person = await require_supervisor(uow, telegram_user_id)
    members = await uow.members.of_team(person.team_id)
    ordered = sorted(members, key=lambda m: (m.role != Role.SUPERVISOR.value, m.display_name))
    lines = [
        MemberLine(
            m.id,
            member_name(m),
            m.role,
            len(await uow.cases.open_for_worker(m.id)),
            m.id == person.member_id,
        )
        for m in ordered
    ]
    keys = [(line.member_id, line.role) for line in lines]
    return People(person.team_name, page_of(lines, page, keys=keys, stamp=stamp, size=PEOPLE_PAGE))


async def member_card(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, member_id: int
) -> MemberCard:
    """One of the team's people (supervisors only; refused once they have left)."""
    person, member = await managed(uow, telegram_user_id, member_id)
    return await card_of(uow, person, member)


async def change_role(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, member_id: int, role: Role
) -> MemberCard:
    """Make a worker a supervisor or a supervisor a worker; the last supervisor cannot step
    down. Audited; the person is told what they can now see and do."""
    person, member = await managed(uow, telegram_user_id, member_id)
    if member.role == role.value:
        raise Refusal("already_done")
    supervisors = [s.id for s in await uow.members.of_team(member.team_id, role=Role.SUPERVISOR)]
    if role is Role.WORKER and rules.leaves_no_supervisor(standing(member), supervisors):
        raise Refusal("last_supervisor", name=member_name(member))
    now = clock.now()
    previous, member.role = member.role, role.value
    await uow.flush()
    await uow.audit.record(
        at=now,
        action="member.role_changed",
        subject=f"member:{member.id}",
        team_id=member.team_id,
        actor_id=person.member_id,
        detail={"from_role": previous, "to_role": role.value},
    )
    if member.id != person.member_id:
        await owe_news(uow, member, {"event": "role", "role": role.value}, person.member_id, now)
    return await card_of(uow, person, member)


async def open_invites(uow: UnitOfWork, clock: Clock, *, telegram_user_id: int) -> list[OpenInvite]:
    """The team's invites not yet used and not expired (supervisors only)."""
    person = await require_supervisor(uow, telegram_user_id)
    invites = await uow.invites.open_for_team(person.team_id, clock.now())
    return [OpenInvite(i.id, i.role, i.expires_at) for i in invites]


async def revoke_invite(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, invite_id: int
) -> list[OpenInvite]:
    """Revoke an open invite: its link stops working at once. Audited."""
    person = await require_supervisor(uow, telegram_user_id)
    invite: Invite | None = await uow.invites.get(invite_id)
    now = clock.now()
    if (
        invite is None
        or invite.team_id != person.team_id
        or invite.used_at is not None
        or invite.expires_at <= now
    ):
        raise Refusal("already_done")
    invite.expires_at = now
    await uow.audit.record(
        at=now,
        action="invite.revoked",
        subject=f"invite:{invite.id}",
        team_id=person.team_id,
        actor_id=person.member_id,
    )
    return await open_invites(uow, clock, telegram_user_id=telegram_user_id)


async def unlink_group(uow: UnitOfWork, clock: Clock, *, telegram_user_id: int) -> str:
    """/unlinkgroup: the team's group gets no more digests or reminders. Returns the team's
    name; refused when no group is linked."""
    person = await require_supervisor(uow, telegram_user_id)
    team = await uow.teams.get(person.team_id)
    assert team is not None  # a foreign key guarantees it
    if team.group_chat_id is None:
        raise Refusal("no_group")
    team.group_chat_id = None
    await uow.audit.record(
        at=clock.now(),
        action="team.group_unlinked",
        subject=f"team:{team.id}",
        team_id=team.id,
        actor_id=person.member_id,
    )
    return team.name


async def compose_membership_news(
    uow: UnitOfWork, clock: Clock, row: OutboxMessage
) -> Outgoing | None:
    """What changed for this person, composed when it is sent."""
    team = await uow.teams.get(row.team_id or 0)
    by = await uow.members.get(int(row.ref.get("by") or 0))
    values: dict[str, Any] = {
        "event": row.ref["event"],
        "team_name": team.name if team else "",
        "by": member_name(by),
        "role": row.ref.get("role"),
        "references": [],
        "former": row.ref.get("former", ""),
        "setting": row.ref.get("setting"),
    }
    if row.ref["event"] == "handed":
        for case_id in row.ref.get("cases", []):
            case = await uow.cases.get(int(case_id))
            if case is not None and case.closed_at is None and case.worker_id == row.member_id:
                values["references"].append(case.reference)
        if not values["references"]:
            return None  # handed on again since: nothing to tell
    return Outgoing(MEMBERSHIP_NEWS, values)


# --- shared with the hand-over -------------------------------------------------------------


def standing(member: Member) -> rules.Standing:
    """A member as the membership rules see them."""
    return rules.Standing(member.id, member.team_id, Role(member.role), member.active)


async def managed(uow: UnitOfWork, telegram_user_id: int, member_id: int) -> tuple[Person, Member]:
    """The supervisor asking, and the member of their team they manage (as they are now)."""
    person = await require_supervisor(uow, telegram_user_id)
    member = await uow.members.get(member_id)
    actor = rules.Standing(person.member_id, person.team_id, person.role, True)
    if member is None or not rules.may_manage(actor, standing(member)):
        raise Refusal("member_gone")
    return person, member


async def card_of(uow: UnitOfWork, person: Person, member: Member) -> MemberCard:
    """A member's card as the supervisor sees it now."""
    cases = await uow.cases.open_for_worker(member.id)
    supervisors = [s.id for s in await uow.members.of_team(member.team_id, role=Role.SUPERVISOR)]
    return MemberCard(
        member.id,
        member_name(member),
        member.role,
        sorted(c.reference for c in cases),
        len(await uow.actions.open_for_owner(member.id)),
        len(await uow.flags.open_for_worker(member.id)),
        member.id == person.member_id,
        rules.leaves_no_supervisor(standing(member), supervisors),
        member.telegram_user_id,
    )


async def owe_news(
    uow: UnitOfWork,
    member: Member,
    ref: dict[str, Any],
    by: int | None,
    now: datetime,
    *,
    key: str | None = None,
    hold: bool = False,
) -> None:
    """Tell ``member`` what changed for them, at the team's next working moment (``hold``:
    half an hour later, for news that may still grow, like a hand-over under way)."""
    if member.telegram_user_id is None:
        return
    due = await next_working_moment(uow, member.team_id, now + (HOLD if hold else timedelta()))
    stamp = now.strftime("%Y%m%dT%H%M%S%f")
    await uow.outbox.enqueue(
        [
            {
                "key": key or f"membership:{ref['event']}:{member.id}:{stamp}",
                "kind": MEMBERSHIP_NEWS,
                "team_id": member.team_id,
                "member_id": member.id,
                "chat_id": member.telegram_user_id,
                "ref": {**ref, "by": by},
                "due_at": due,
                "created_at": now,
            }
        ]
    )


async def next_working_moment(uow: UnitOfWork, team_id: int, instant: datetime) -> datetime:
    """The first moment at or after ``instant`` within the team's working hours."""
    return next_allowed(instant, (await team_rules(uow, team_id)).hours)
