"""Where people are in time (service layer): the one place a member's time zone is worked out.

A member's own time zone when they chose one (/settings), else their team's. The
``DEFAULT_TIMEZONE`` setting stands in only for a member with no team to go by; the
composition root hands it over at start-up (``bot.services.startup.prepare_services``), and
until it has (a command-line command that never starts the bot) the setting's own default
holds. Configuration is never read here.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import Settings
from bot.domain import dates
from bot.domain.timezones import check_timezone
from bot.services.access import Person
from storage.models import Member
from storage.uow import UnitOfWork


class _DefaultZone:
    """The ``DEFAULT_TIMEZONE`` setting as handed over at start-up (None: not yet)."""

    name: str | None = None


def use_default_zone(name: str) -> None:
    """Take the ``DEFAULT_TIMEZONE`` setting (at start-up, from the composition root)."""
    _DefaultZone.name = check_timezone(name)


def default_zone() -> ZoneInfo:
    """The zone for someone with no team to go by: the setting handed over, else its default."""
    name = _DefaultZone.name or Settings.model_fields["default_timezone"].default
    return ZoneInfo(name)


async def member_zone(uow: UnitOfWork, member: Member | None) -> ZoneInfo:
    """A member's own time zone, else their team's, else the default setting."""
    if member is not None and member.timezone:
        return ZoneInfo(member.timezone)
    team = await uow.teams.get(member.team_id) if member is not None else None
    return ZoneInfo(team.timezone) if team is not None else default_zone()


async def team_zone(uow: UnitOfWork, team_id: int) -> ZoneInfo:
    """A team's time zone (the default setting should the team be gone)."""
    team = await uow.teams.get(team_id)
    return ZoneInfo(team.timezone) if team is not None else default_zone()


async def person_zone(uow: UnitOfWork, person: Person) -> ZoneInfo:
    """The time zone where the person works (theirs, else their team's)."""
    return await member_zone(uow, await uow.members.get(person.member_id))


async def local_today(uow: UnitOfWork, clock: Clock, person: Person) -> date:
    """Today's date where the person works (their time zone, else their team's)."""
    return clock.now().astimezone(await person_zone(uow, person)).date()


def local_day(instant: datetime, zone: ZoneInfo) -> str:
    """The day of an instant as a person there says it ("Friday 5 December 2026")."""
    return dates.format_day(instant.astimezone(zone).date())
