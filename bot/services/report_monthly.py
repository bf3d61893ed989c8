"""The month's report, sent by itself to each team's supervisors on the first working day of
the month (service layer): planned from the data on every tick, composed at send time.

On the first working day of a month, from the team's nudge hour, each active supervisor
of the team is owed two outbox rows, the summary picture then the PDF, covering the
month before (keys ``report:<team>:<month>:<member>:picture|pdf``, so a second tick or a
restart owes nothing twice). A supervisor in quiet hours gets them at their next allowed
moment. The rows are planned for three days after the first working day, so a bot that
was stopped that day still sends them. At send time the person must still be a
supervisor of that team, or nothing is sent.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain.nudges import Recipient, send_time
from bot.domain.roles import Role
from bot.domain.schedule import first_working_day_of_month, next_allowed
from bot.services.nudges.planning import outbox_row, working_hours_for
from bot.services.outgoing import Composed, Outgoing
from bot.services.reports import audit_report, month_before, pdf_of, picture_of, team_figures
from bot.services.timing import TeamSettingsById, rules_of
from storage.models import OutboxMessage
from storage.uow import UnitOfWork

PICTURE, PDF = "report_picture", "report_pdf"
LATE_DAYS = 3
"""How many days after the first working day the month's report is still planned."""


async def plan_monthly_reports(uow: UnitOfWork, clock: Clock, *, teams: TeamSettingsById) -> int:
    """Owe this month's report to the supervisors of every team whose first working day of
    the month has reached its nudge hour; returns how many rows are new."""
    now = clock.now()
    early = [
        team_id
        for team_id, (zone, _) in teams.items()
        if now.astimezone(ZoneInfo(zone)).day <= 7 + LATE_DAYS
    ]
    if not early:
        return 0
    rows: list[dict[str, Any]] = []
    for team in await uow.teams.many(early):
        rule = rules_of(team)
        today = now.astimezone(ZoneInfo(team.timezone)).date()
        first = first_working_day_of_month(today, rule.hours.working_days)
        if not first <= today <= first + timedelta(days=LATE_DAYS):
            continue
        hour = time.fromisoformat(rule.settings.nudge_hour)
        if send_time(first, Recipient(0, rule.hours, hour)) > now:
            continue
        month = f"{today:%Y-%m}"
        if await uow.outbox.with_key_prefix(f"report:{team.id}:{month}:"):
            continue
        for member in await uow.members.of_team(team.id, role=Role.SUPERVISOR.value):
            if member.unreachable_at is not None or member.telegram_user_id is None:
                continue
            due = next_allowed(now, working_hours_for(member, rule.hours))
            for kind in (PICTURE, PDF):
                key = f"report:{team.id}:{month}:{member.id}:{kind}"
                row = outbox_row(key, kind, team.id, member, {"month": month}, now)
                rows.append({**row, "due_at": due})
    return await uow.outbox.enqueue(rows)


async def compose_report(uow: UnitOfWork, clock: Clock, row: OutboxMessage) -> Composed:
    """The month's summary picture or its PDF, from the data now; nothing when the person is
    no longer a supervisor of the team (the report's figures are worked out again for each
    row, so the two always agree)."""
    member = await uow.members.get(row.member_id or 0)
    team = await uow.teams.get(row.team_id or 0)
    if (
        member is None
        or team is None
        or not member.active
        or member.team_id != team.id
        or member.role != Role.SUPERVISOR.value
    ):
        return None
    period = month_before(date.fromisoformat(f"{row.ref['month']}-01"))
    today = clock.now().astimezone(ZoneInfo(team.timezone)).date()
    figures = await team_figures(uow, team, period, today)
    if row.kind == PICTURE:
        await audit_report(
            uow, clock, team, period, actor_id=None, via="monthly", member_id=member.id
        )
        return Outgoing(
            "report_picture", {"report": figures, "monthly": True}, photo=await picture_of(figures)
        )
    return Outgoing("report_file", {"report": figures}, document=await pdf_of(figures, clock.now()))
