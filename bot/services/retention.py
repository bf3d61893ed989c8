"""Retention (services layer): purging closed cases once their team's period has passed,
dropping the answers of drafts left as long, and the payloads of failed updates kept for
the deployment's period.

``purge_due`` is what the periodic planner calls and what ``bearings purge``
runs: every team's closed cases older than its retention period go, each with
its notes, answers, flags and actions, and each purge is audited as
``case.purged`` with the case's id only. Everything happens in the caller's
unit of work; ``limit`` keeps one transaction small (the rest goes next time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain import retention as rules
from bot.services.flows.sessions import close_session
from bot.services.timing import TeamSettingsById, every_team_settings
from storage.repositories.flows import DROPPED
from storage.repositories.retention import PURGED_TABLES, PurgeRepository
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class PurgedCase:
    """A case purged (or, in a dry run, that would be): no content, only what identifies it."""

    case_id: int
    team_name: str
    reference: str
    closed_on: date
    """The day it was closed, in the team's time zone."""
    retention_days: int
    rows: dict[str, int]
    """Rows deleted (or to delete) per table, besides the case itself."""


@dataclass(frozen=True)
class PurgeReport:
    """What a purge did, or would do in a dry run."""

    dry_run: bool
    cases: list[PurgedCase] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        """Rows per table over every case, ``cases`` first."""
        totals = {"cases": len(self.cases), **dict.fromkeys(PURGED_TABLES, 0)}
        for case in self.cases:
            for table, count in case.rows.items():
                totals[table] += count
        return totals


async def purge_due(
    uow: UnitOfWork,
    clock: Clock,
    retention_days: int,
    dry_run: bool = False,
    *,
    limit: int | None = None,
    teams: TeamSettingsById | None = None,
) -> PurgeReport:
    """Purge every closed case past its team's retention period (``retention_days`` is the
    deployment default, a team's ``retention_days`` setting overrides it); oldest first,
    at most ``limit`` cases. With each case go the flows whose answers name it, its flags or
    its notes, and a caseload file waiting for Import that names it. A dry run changes
    nothing and reports the same. ``teams``: every team's settings, when the caller has them
    already."""
    now = clock.now()
    repository = PurgeRepository(uow.session)
    days = await _days_by_team(uow, retention_days, teams)
    candidates = await repository.closed_before(rules.cutoffs(now, days))
    loaded = {team.id: team for team in await uow.teams.many({c[1] for c in candidates})}
    due: list[_Due] = []
    for case_id, team_id, reference, closed_at in candidates:
        team = loaded[team_id]
        closed = rules.ClosedCase(case_id, closed_at)
        if rules.is_due(closed, now, days[team_id]):
            due.append(
                _Due(closed, team_id, team.name, ZoneInfo(team.timezone), reference, days[team_id])
            )
    due.sort(key=lambda item: (item.case.closed_at or now, item.case.id))
    report = PurgeReport(dry_run=dry_run)
    kept_answers = await repository.answers_kept() if due else []
    for item in due[:limit]:
        flags, notes = await repository.pointed_at(item.case.id)
        purged = rules.PurgedCase(item.case.id, item.reference, frozenset(flags), frozenset(notes))
        flows = [i for i, answers in kept_answers if rules.flow_refers(answers, purged)]
        imports = [
            i
            for i, rows in await repository.imports_waiting(item.team_id)
            if rules.import_names(rows, purged)
        ]
        if dry_run:
            rows = await repository.count_case_rows(item.case.id, flows=flows, imports=imports)
        else:
            rows = await repository.delete_case(item.case.id, flows=flows, imports=imports)
            await uow.audit.record(
                at=now,
                action="case.purged",
                subject=f"case:{item.case.id}",
                team_id=item.team_id,
                detail={"retention_days": item.days, "rows": sum(rows.values()) + 1},
            )
        report.cases.append(
            PurgedCase(
                case_id=item.case.id,
                team_name=item.team_name,
                reference=item.reference,
                closed_on=(item.case.closed_at or now).astimezone(item.zone).date(),
                retention_days=item.days,
                rows=rows,
            )
        )
    return report


async def forget_kept_answers(
    uow: UnitOfWork,
    clock: Clock,
    retention_days: int,
    *,
    teams: TeamSettingsById | None = None,
) -> int:
    """Drafts left for their team's whole retention period (counted from their last answer)
    are dropped, their answers emptied; and a closed flow that still holds answers (closed
    before closing emptied them) is emptied. How many rows were emptied."""
    days = await _days_by_team(uow, retention_days, teams)
    emptied = await uow.flows.empty_closed()
    for draft in await uow.flows.drafts_before(rules.cutoffs(clock.now(), days)):
        await close_session(uow, draft, DROPPED, clock)
        emptied += 1
    return emptied


async def forget_failed_updates(uow: UnitOfWork, clock: Clock, retention_days: int) -> int:
    """Failed updates kept for the deployment's retention period (``RETENTION_DAYS``, counted
    from when they arrived) lose what the person sent: only their id and that they failed
    remain. An update belongs to a chat, not a team, so a team's own setting does not apply.
    How many were emptied."""
    return await uow.inbox.forget_failed_before(rules.purge_cutoff(clock.now(), retention_days))


async def _days_by_team(
    uow: UnitOfWork, retention_days: int, teams: TeamSettingsById | None
) -> dict[int, int]:
    """Each team's retention period: its own setting, else the deployment's."""
    settings = teams if teams is not None else await every_team_settings(uow)
    return {
        team_id: rules.retention_days(team_setting.retention_days, retention_days)
        for team_id, (_, team_setting) in settings.items()
    }


@dataclass(frozen=True)
class _Due:
    case: rules.ClosedCase
    team_id: int
    team_name: str
    zone: ZoneInfo
    reference: str
    days: int
