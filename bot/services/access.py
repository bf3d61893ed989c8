"""Who is asking: every permission starts from the database, never from the message."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.errors import Refusal
from bot.domain.roles import Role
from prompts import label
from storage.models import Member
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Person:
    """A member as the rest of the app sees them."""

    member_id: int
    team_id: int
    team_name: str
    role: Role
    display_name: str

    @property
    def is_supervisor(self) -> bool:
        """Whether they supervise their team."""
        return self.role is Role.SUPERVISOR


async def find_person(uow: UnitOfWork, telegram_user_id: int) -> Person | None:
    """The active member with this Telegram id, or None for a stranger or a former member."""
    member = await uow.members.by_telegram_id(telegram_user_id)
    if member is None or not member.active:
        return None
    return await _person(uow, member)


async def find_person_by_member(uow: UnitOfWork, member_id: int) -> Person | None:
    """The active member with this id, or None."""
    member = await uow.members.get(member_id)
    if member is None or not member.active:
        return None
    return await _person(uow, member)


async def require_person(uow: UnitOfWork, telegram_user_id: int) -> Person:
    """The active member with this Telegram id; a stranger is refused with how to join."""
    person = await find_person(uow, telegram_user_id)
    if person is None:
        raise Refusal("not_a_member")
    return person


async def require_supervisor(uow: UnitOfWork, telegram_user_id: int) -> Person:
    """An active supervisor; anyone else is refused."""
    person = await require_person(uow, telegram_user_id)
    if not person.is_supervisor:
        raise Refusal("supervisors_only")
    return person


def member_name(member: Member | None, *, first: bool = False) -> str:
    """How a member is named to others (their first name only with ``first``); someone
    who erased their account is "a former worker" (or supervisor) wherever they appear."""
    if member is None:
        return ""
    if member.erased_at is not None:
        return label(f"former_{member.role}")
    return member.display_name.split()[0] if first and member.display_name else member.display_name


async def _person(uow: UnitOfWork, member: Member) -> Person:
    team = await uow.teams.get(member.team_id)
    assert team is not None  # a foreign key guarantees it
    return Person(
        member_id=member.id,
        team_id=team.id,
        team_name=team.name,
        role=Role(member.role),
        display_name=member.display_name,
    )
