"""Team administration: show a team, change a setting (the command line, or a supervisor's
/teamsettings)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from bot.clock import Clock
from bot.domain.errors import Refusal
from bot.domain.roles import Role
from bot.domain.team_settings import TEAM_COLUMNS, parse_setting, team_settings
from bot.domain.timezones import check_timezone
from bot.services.access import Person
from bot.services.flows.replies import Said
from bot.services.membership import owe_news
from storage.models import Team
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class MemberLine:
    """A member as `bearings team show` lists them."""

    name: str
    role: str
    active: bool
    away_until: date | None
    unreachable: bool


@dataclass(frozen=True)
class TeamDetails:
    """A team's settings, members, and what an operator should know."""

    name: str
    settings: dict[str, Any]
    members: list[MemberLine]
    warnings: list[str]


async def team_details(uow: UnitOfWork, clock: Clock, *, name: str) -> TeamDetails:
    """Everything about a team an operator needs; warns when no supervisor can be reached."""
    team = await _team(uow, name)
    members = await uow.members.of_team(team.id, active_only=False)
    today = clock.now().date()
    lines = [
        MemberLine(
            m.display_name,
            m.role,
            m.active,
            m.away_until if m.away_until and m.away_until >= today else None,
            m.unreachable_at is not None,
        )
        for m in members
    ]
    reachable = [
        line
        for line in lines
        if line.role == Role.SUPERVISOR.value
        and line.active
        and line.away_until is None
        and not line.unreachable
    ]
    warnings = [] if reachable else ["no_supervisor"]
    settings = {column: getattr(team, column) for column in TEAM_COLUMNS}
    settings |= asdict(team_settings(team.settings))
    return TeamDetails(team.name, settings, lines, warnings)


async def set_team_setting(
    uow: UnitOfWork, clock: Clock, *, name: str, key: str, value: str
) -> Any:
    """Change one team setting after checking it; audited. Returns the value stored."""
    return await _apply(uow, clock, await _team(uow, name), key, value, actor_id=None)


SETTING_KEYS = {
    "nudge_hour": ("nudge_hour",),
    "quiet": ("quiet_start", "quiet_end"),
    "working_days": ("working_days",),
    "ack": ("ack_minutes_today",),
    "review_interval": ("review_nudge_days",),
    "retention_days": ("retention_days",),
    "safeguarding_instruction": ("safeguarding_instruction",),
    "first_contact": ("first_contact_alert_days", "assessment_due_days"),
    "plan_review_weeks": ("plan_review_weeks",),
    "engagement_weekday": ("engagement_weekday",),
    "evaluation_counts": ("evaluation_counts",),
}
"""What /teamsettings offers, and the team settings each choice sets (from the answers of
the same names; ``ack`` and ``review_interval`` from their own steps)."""
_ANSWER_OF = {"ack_minutes_today": "ack", "review_nudge_days": "review_interval"}


async def change_team_setting(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of /teamsettings (supervisors): the setting changed, audited, and the team's
    other supervisors told."""
    if not person.is_supervisor:
        raise Refusal("supervisors_only")
    team = await uow.teams.get(person.team_id)
    assert team is not None  # a foreign key guarantees it
    chosen = str(answers["what"])
    for key in SETTING_KEYS[chosen]:
        answer = answers[_ANSWER_OF.get(key, key)]
        value = "; ".join(answer) if isinstance(answer, list) else str(answer)  # a lines step
        await _apply(uow, clock, team, key, value, actor_id=person.member_id)
    now = clock.now()
    for supervisor in await uow.members.of_team(team.id, role=Role.SUPERVISOR.value):
        if supervisor.id != person.member_id:
            news = {"event": "setting", "setting": chosen}
            await owe_news(uow, supervisor, news, person.member_id, now)
    return [Said("team_setting_saved", {"setting": chosen, "team_name": team.name})]


async def _apply(
    uow: UnitOfWork, clock: Clock, team: Team, key: str, value: str, *, actor_id: int | None
) -> Any:
    try:
        parsed = parse_setting(key, value)
        if key == "timezone":
            parsed = check_timezone(parsed)
    except ValueError as error:
        raise Refusal("setting_invalid", reason=str(error)) from None
    if key in TEAM_COLUMNS:
        setattr(team, key, parsed)
    else:
        team.settings = {**(team.settings or {}), key: parsed}
    await uow.audit.record(
        at=clock.now(),
        action="team.setting_changed",
        subject=f"team:{team.id}",
        team_id=team.id,
        actor_id=actor_id,
        detail={"setting": key},
    )
    return parsed


async def _team(uow: UnitOfWork, name: str) -> Team:
    team = await uow.teams.by_name(name)
    if team is None:
        raise Refusal("team_unknown", name=name)
    return team
