"""The periodic planner: what the outbox owes, worked out from the data on every run."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import Clock
from bot.services.caseload_import import purge_expired_imports
from bot.services.flags import chase_flags
from bot.services.flows.expiry import expire_idle_flows
from bot.services.nudges import plan_nudges
from bot.services.report_monthly import plan_monthly_reports
from bot.services.retention import forget_failed_updates, forget_kept_answers, purge_due
from bot.services.timing import every_team_settings
from storage.uow import UnitOfWork

PURGE_PER_TICK = 50
"""Closed cases purged per tick at most, so each tick's transaction stays small."""


async def plan(
    uow: UnitOfWork,
    clock: Clock,
    *,
    flow_idle: timedelta,
    retention_days: int,
    nudges: bool = True,
) -> int:
    """Owe every flag reminder, nudge and monthly report that has fallen due (each once, by its
    unique key), turn idle conversations into drafts, drop drafts (and empty closed flows)
    kept past their team's retention, purge closed cases past it, empty failed updates kept
    past the deployment's, and drop caseload previews nobody confirmed in time."""
    teams = await every_team_settings(uow)
    owed = await chase_flags(uow, clock, teams=teams)
    if nudges:
        owed += await plan_nudges(uow, clock, teams=teams)
        owed += await plan_monthly_reports(uow, clock, teams=teams)
    owed += await expire_idle_flows(uow, clock, flow_idle)
    await forget_kept_answers(uow, clock, retention_days, teams=teams)
    await forget_failed_updates(uow, clock, retention_days)
    await purge_due(uow, clock, retention_days, limit=PURGE_PER_TICK, teams=teams)
    await purge_expired_imports(uow, clock)
    return owed
