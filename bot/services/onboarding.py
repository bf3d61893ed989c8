"""Onboarding: creating teams, inviting people, joining, linking the team's group chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.domain import invites
from bot.domain.errors import Refusal
from bot.domain.roles import Role, may_invite, may_link_group
from bot.domain.timezones import check_timezone
from bot.services.access import Person, find_person, require_person
from storage.models import Invite, Member, Team
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class IssuedInvite:
    """A new invite: the token is shown once and never stored."""

    team_name: str
    role: Role
    token: str
    expires_in_days: int


@dataclass(frozen=True)
class InvitePreview:
    """What an invite is for, shown before the person confirms."""

    team_name: str
    role: Role


async def create_team(
    uow: UnitOfWork, clock: Clock, *, name: str, timezone: str, invite_ttl_days: int
) -> IssuedInvite:
    """Create a team and the invite for its first supervisor."""
    name = name.strip()
    if not name or len(name) > 80:
        raise Refusal("team_name_invalid")
    try:
        check_timezone(timezone)
    except ValueError:
        raise Refusal("timezone_unknown", timezone=timezone) from None
    if await uow.teams.by_name(name) is not None:
        raise Refusal("team_exists", name=name)
    team = await uow.teams.add(
        Team(name=name, timezone=timezone, settings={}, created_at=clock.now())
    )
    await uow.audit.record(
        at=clock.now(), action="team.created", subject=f"team:{team.id}", team_id=team.id
    )
    return await _issue(uow, clock, team, Role.SUPERVISOR, None, invite_ttl_days)


async def create_invite_for_team(
    uow: UnitOfWork, clock: Clock, *, team_name: str, role: Role, invite_ttl_days: int
) -> IssuedInvite:
    """An invite made from the command line by the operator."""
    team = await uow.teams.by_name(team_name)
    if team is None:
        raise Refusal("team_unknown", name=team_name)
    return await _issue(uow, clock, team, role, None, invite_ttl_days)


async def create_invite(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, role: Role, invite_ttl_days: int
) -> IssuedInvite:
    """An invite made in chat by a supervisor of the team."""
    person = await require_person(uow, telegram_user_id)
    if not may_invite(person.role):
        raise Refusal("supervisors_only")
    team = await uow.teams.get(person.team_id)
    assert team is not None
    return await _issue(uow, clock, team, role, person.member_id, invite_ttl_days)


async def preview_invite(
    uow: UnitOfWork, clock: Clock, *, token: str, telegram_user_id: int
) -> InvitePreview:
    """Which team and role an invite is for; refused when unknown, used or expired."""
    if await find_person(uow, telegram_user_id) is not None:
        raise Refusal("already_member")
    invite, team = await _valid_invite(uow, clock, token)
    return InvitePreview(team_name=team.name, role=Role(invite.role))


async def join_team(
    uow: UnitOfWork,
    clock: Clock,
    *,
    token: str,
    telegram_user_id: int,
    display_name: str,
    username: str | None = None,
) -> Person:
    """Use an invite: the person becomes a member of its team in its role (their Telegram
    ``username``, if they have one, is kept so a caseload file can name them by it)."""
    existing = await uow.members.by_telegram_id(telegram_user_id)
    if existing is not None and existing.active:
        used = await uow.invites.by_hash(invites.hash_token(token))
        # A second press of the same Join button: it already worked.
        raise Refusal(
            "already_done" if used and used.used_by_id == existing.id else "already_member"
        )
    invite, team = await _valid_invite(uow, clock, token)
    now = clock.now()
    if not await uow.invites.claim(invite.id, now):
        raise Refusal("invite_used")  # someone else redeemed it at the same moment
    if existing is not None:
        await uow.audit.record(
            at=now,
            action="member.rejoined",
            subject=f"member:{existing.id}",
            team_id=existing.team_id,
            detail={"to_team": team.id, "to_role": invite.role, "invite": invite.id},
        )  # no actor: the old membership is closed by the join itself
    member = await new_membership(
        uow,
        now,
        former=existing,
        team_id=team.id,
        role=invite.role,
        telegram_user_id=telegram_user_id,
        display_name=display_name,
        username=username,
    )
    invite.used_by_id, invite.used_at = member.id, now
    await uow.audit.record(
        at=now,
        action="member.joined",
        subject=f"member:{member.id}",
        team_id=team.id,
        actor_id=member.id,
        detail={"role": invite.role, "invite": invite.id},
    )
    person = await find_person(uow, telegram_user_id)
    assert person is not None
    return person


async def new_membership(
    uow: UnitOfWork,
    now: datetime,
    *,
    former: Member | None,
    team_id: int,
    role: str,
    telegram_user_id: int,
    display_name: str,
    username: str | None,
) -> Member:
    """A fresh membership of a team (checked by the caller: an invite, or the operator).

    Someone who was a member before (``former``, taken off a team) starts afresh, so
    nothing of their old team follows them: the old row stays with the old team's records,
    without its link to Telegram, and what was theirs alone is deleted (as erasure would),
    since they could no longer reach it.
    """
    if former is not None:
        await uow.erasure.delete_own_rows(former)
        former.telegram_user_id, former.telegram_username = None, None
        await uow.flush()
    return await uow.members.add(
        Member(
            team_id=team_id,
            telegram_user_id=telegram_user_id,
            role=role,
            display_name=display_name[:64],
            telegram_username=username,
            active=True,
            joined_at=now,
        )
    )


async def link_group(uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, chat_id: int) -> str:
    """Make a group the team's chat; only a supervisor may. Returns the team's name."""
    person = await require_person(uow, telegram_user_id)
    if not may_link_group(person.role):
        raise Refusal("supervisors_only")
    other = await uow.teams.by_group_chat(chat_id)
    if other is not None and other.id != person.team_id:
        raise Refusal("group_taken")
    team = await uow.teams.get(person.team_id)
    assert team is not None
    team.group_chat_id = chat_id
    await uow.audit.record(
        at=clock.now(),
        action="team.group_linked",
        subject=f"team:{team.id}",
        team_id=team.id,
        actor_id=person.member_id,
    )
    return team.name


async def _issue(
    uow: UnitOfWork, clock: Clock, team: Team, role: Role, by: int | None, ttl_days: int
) -> IssuedInvite:
    token = invites.new_invite_token()
    now = clock.now()
    invite = await uow.invites.add(
        Invite(
            team_id=team.id,
            role=role.value,
            token_hash=invites.hash_token(token),
            created_by_id=by,
            created_at=now,
            expires_at=now + timedelta(days=ttl_days),
        )
    )
    await uow.audit.record(
        at=now,
        action="invite.created",
        subject=f"invite:{invite.id}",
        team_id=team.id,
        actor_id=by,
        detail={"role": role.value},
    )
    return IssuedInvite(team_name=team.name, role=role, token=token, expires_in_days=ttl_days)


async def _valid_invite(uow: UnitOfWork, clock: Clock, token: str) -> tuple[Invite, Team]:
    if not invites.looks_like_token(token):
        raise Refusal("invite_unknown")
    invite = await uow.invites.by_hash(invites.hash_token(token))
    if invite is None or not invites.token_matches(token, invite.token_hash):
        raise Refusal("invite_unknown")
    state = invites.invite_state(invite.expires_at, invite.used_at, clock.now())
    if state is not invites.InviteState.VALID:
        raise Refusal(f"invite_{state.value}")
    team = await uow.teams.get(invite.team_id)
    assert team is not None
    return invite, team
