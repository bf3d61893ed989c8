"""Reading the audit log (services layer): who did what to which thing, and when.

Entries hold ids and event names by construction (``AuditRepository.record``);
this view adds only the actor's name and role, so printing it never shows
note text, answers or summaries. Reading the log is itself recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain.errors import Refusal
from bot.services.access import member_name
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class AuditLine:
    """One audit entry as an operator reads it; ``at`` is in the team's time zone."""

    at: datetime
    actor_name: str | None
    actor_role: str | None
    action: str
    subject: str
    detail: dict[str, Any]

    @property
    def actor(self) -> str:
        """The actor as printed: "Sam Supervisor (supervisor)", or "system" for the bot itself."""
        if self.actor_name is None:
            return "system"
        return f"{self.actor_name} ({self.actor_role})"

    @property
    def detail_text(self) -> str:
        """The detail as ``key=value`` pairs, in a stable order."""
        return " ".join(f"{key}={self.detail[key]}" for key in sorted(self.detail))


@dataclass(frozen=True)
class AuditLog:
    """A team's audit log since a local date."""

    team_name: str
    timezone: str
    since: date
    lines: list[AuditLine]


async def read_audit_log(uow: UnitOfWork, clock: Clock, *, team_name: str, since: date) -> AuditLog:
    """The team's entries from the start of ``since`` (the team's local midnight), oldest first."""
    team = await uow.teams.by_name(team_name)
    if team is None:
        raise Refusal("team_unknown", name=team_name)
    zone = ZoneInfo(team.timezone)
    start = datetime.combine(since, time.min, tzinfo=zone)
    rows = await uow.audit.for_team_with_actors(team.id, start)
    lines = [
        AuditLine(
            at=entry.at.astimezone(zone),
            actor_name=member_name(actor) if actor is not None else None,
            actor_role=actor.role if actor is not None else None,
            action=entry.action,
            subject=entry.subject,
            detail=dict(entry.detail or {}),
        )
        for entry, actor in rows
    ]
    await uow.audit.record(
        at=clock.now(),
        action="audit.read",
        subject=f"team:{team.id}",
        team_id=team.id,
        detail={"since": since.isoformat()},
    )
    return AuditLog(team.name, team.timezone, since, lines)
