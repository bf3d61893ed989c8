"""A team's rules for time: its working hours, quiet hours and settings, from the database."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.schedule import WorkingHours
from bot.domain.team_settings import TeamSettings, team_settings
from storage.models import Team
from storage.uow import UnitOfWork

TeamSettingsById = dict[int, tuple[str, TeamSettings]]
"""Every team's time zone and settings, by team id: what the planner's parts share."""


@dataclass(frozen=True)
class TeamRules:
    """What the planners need to know about a team."""

    team: Team
    hours: WorkingHours
    settings: TeamSettings


async def team_rules(uow: UnitOfWork, team_id: int) -> TeamRules:
    """The team's working hours (its zone, quiet hours, working days) and settings."""
    team = await uow.teams.get(team_id)
    assert team is not None  # callers hold rows that reference it
    return rules_of(team)


def rules_of(team: Team) -> TeamRules:
    """The rules of a team already loaded (the planner loads many teams in one query)."""
    hours = WorkingHours.from_settings(
        team.timezone, team.quiet_start, team.quiet_end, team.working_days
    )
    return TeamRules(team, hours, team_settings(team.settings))


async def every_team_settings(uow: UnitOfWork) -> TeamSettingsById:
    """Every team's time zone and settings, read once (plain columns, no ORM objects): the
    planner's tick hands them to each of its parts."""
    stored = await uow.teams.zones_and_settings()
    return {team_id: (zone, team_settings(values)) for team_id, (zone, values) in stored.items()}
