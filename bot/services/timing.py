"""A team's rules for time: its working hours, quiet hours and settings, from the database."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.schedule import WorkingHours
from bot.domain.team_settings import TeamSettings, team_settings
from storage.models import Team
from storage.uow import UnitOfWork


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
    hours = WorkingHours.from_settings(
        team.timezone, team.quiet_start, team.quiet_end, team.working_days
    )
    return TeamRules(team, hours, team_settings(team.settings))
