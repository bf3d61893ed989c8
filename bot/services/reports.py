"""Reports on a team or the whole organisation: figures over a period, a one-page summary
picture and a PDF (service layer).

A supervisor asks with ``/report`` (their own team only, decided here from the database at
the moment of asking, and audited); an operator with ``bearings report``; the month's
report goes to each team's supervisors by itself (``report_monthly``). What the figures
mean, and the privacy rule that withholds some, is in docs/reports.md.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import report_charts
from bot.clock import Clock
from bot.domain import report_figures as rules
from bot.domain.cases import STAGE_LABELS, Stage
from bot.domain.errors import Refusal
from bot.domain.report_facts import Period
from bot.domain.report_privacy import Figure
from bot.services.access import require_supervisor
from bot.services.report_facts import combined, team_facts
from prompts import label, render
from storage.models import Team
from storage.uow import UnitOfWork

DEFAULT_DAYS = 28
"""Without dates, a report covers the last four weeks up to today."""


@dataclass(frozen=True)
class Report:
    """A report's figures, its summary picture and its PDF."""

    figures: rules.ReportFigures
    picture: bytes
    pdf: bytes
    file_name: str


def last_four_weeks(today: date) -> Period:
    """The default period: 28 days up to and including today."""
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)


def month_before(day: date) -> Period:
    """The calendar month before the one ``day`` is in."""
    last = day.replace(day=1) - timedelta(days=1)
    return Period(last.replace(day=1), last)


async def report_for_supervisor(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, via: str = "chat"
) -> Report:
    """/report: the supervisor's own team over the last four weeks; audited."""
    person = await require_supervisor(uow, telegram_user_id)
    team = await uow.teams.get(person.team_id)
    assert team is not None  # a supervisor's team exists
    today = clock.now().astimezone(ZoneInfo(team.timezone)).date()
    period = last_four_weeks(today)
    await audit_report(uow, clock, team, period, actor_id=person.member_id, via=via)
    return await drawn(await team_figures(uow, team, period, today), clock.now())


async def team_figures(
    uow: UnitOfWork, team: Team, period: Period, today: date
) -> rules.ReportFigures:
    """One team's figures over a period."""
    return rules.figures(await team_facts(uow, team, period, today))


async def operator_figures(
    uow: UnitOfWork,
    clock: Clock,
    *,
    team_name: str | None,
    start: date | None = None,
    end: date | None = None,
) -> rules.ReportFigures:
    """``bearings report``: one team's figures (``team_name``), or, with None, every team's
    summed (``--org``); the last four weeks unless dates are given. Audited per team."""
    teams = [await _team(uow, team_name)] if team_name is not None else list(await uow.teams.all())
    today = clock.now().date()
    default = last_four_weeks(today if end is None else end)
    try:
        period = Period(start or default.start, end or default.end)
    except ValueError as error:
        raise Refusal("report_period_backwards") from error
    parts = []
    for team in teams:
        await audit_report(uow, clock, team, period, actor_id=None, via="command line")
        parts.append(await team_facts(uow, team, period, today))
    if team_name is not None:
        return rules.figures(parts[0])
    return rules.figures(combined(parts, label("report_every_team"), period, today))


async def drawn(figures: rules.ReportFigures, created: datetime) -> Report:
    """The summary picture and the PDF of these figures."""
    name, document = await pdf_of(figures, created)
    return Report(figures, await picture_of(figures), document, name)


async def picture_of(figures: rules.ReportFigures) -> bytes:
    """The one-page summary picture (drawn off the event loop)."""
    return await asyncio.to_thread(_picture, figures)


async def pdf_of(figures: rules.ReportFigures, created: datetime) -> tuple[str, bytes]:
    """The PDF's file name and bytes (laid out off the event loop)."""
    return await asyncio.to_thread(_pdf, figures, created)


def _picture(figures: rules.ReportFigures) -> bytes:
    return report_charts.summary_png(
        figures.scope,
        label("report_chart_period", period=figures.period),
        [report_charts.Tile(figure, text) for figure, text in words_for(figures)["tiles"]],
        _caseload_chart(figures),
    )


def _pdf(figures: rules.ReportFigures, created: datetime) -> tuple[str, bytes]:
    # Imported here: fpdf2 and its fonts cost start-up the bot only pays when it reports.
    from bot import pdf

    charts = {"caseload": _data_uri(report_charts.caseload_png(_caseload_chart(figures)))}
    values: dict[str, Any] = {"report": figures, "words": words_for(figures), "charts": charts}
    document = pdf.document(
        render("pdf_report", **values),
        title=render("pdf_report_title", **values),
        footer=render("pdf_report_footer", **values),
        created=created,
        notice=render("pdf_report_notice"),
    )
    return f"bearings-report-{figures.period.start}-{figures.period.end}.pdf", document


def words_for(figures: rules.ReportFigures) -> dict[str, Any]:
    """The words of the picture: each headline figure and what it is."""

    def shown(figure: Figure[Any], value: str) -> str:
        if figure.withheld:
            return label("report_figure_withheld")
        if figure.not_recorded:
            return label("report_figure_not_recorded")
        return value if figure.shown else label("report_figure_none")

    caseload, visits, reviews = figures.caseload, figures.visits, figures.reviews
    pick_up, engagement, aims = figures.pick_up, figures.engagement, figures.aims
    tiles = [
        (
            shown(caseload, str(caseload.value.total(-1)) if caseload.value else ""),
            label("report_tile_cases"),
        ),
        (
            shown(visits, f"{visits.value.percent}%" if visits.value else ""),
            label("report_tile_visits"),
        ),
        (
            shown(reviews, f"{reviews.value.percent}%" if reviews.value else ""),
            label("report_tile_reviews"),
        ),
        (
            shown(pick_up, hours(pick_up.value.median) if pick_up.value else ""),
            label("report_tile_pick_up"),
        ),
        (
            shown(engagement, f"{engagement.value.percent_engaged}%" if engagement.value else ""),
            label("report_tile_engaged"),
        ),
        (
            shown(aims, f"{aims.value.mean_change:+.1f}" if aims.value else ""),
            label("report_tile_aims"),
        ),
    ]
    return {"tiles": tiles, "stages": stage_words()}


def hours(span: timedelta) -> str:
    """A time taken, in hours to one decimal ("3.5 h"), or days past two days."""
    if span >= timedelta(days=2):
        return label("report_days", days=f"{span / timedelta(days=1):.1f}")
    return label("report_hours", hours=f"{span / timedelta(hours=1):.1f}")


def stage_words() -> dict[str, str]:
    """Each stage's name as people read it."""
    return {stage.value: STAGE_LABELS[stage] for stage in Stage}


def _caseload_chart(figures: rules.ReportFigures) -> report_charts.StackedWeeks:
    value = figures.caseload.value
    names = stage_words()
    if value is None:
        return report_charts.StackedWeeks(label("report_chart_caseload"), (), (), ())
    return report_charts.StackedWeeks(
        label("report_chart_caseload"),
        tuple(day.strftime("%-d %b") for day in value.days),
        tuple(names.get(stage, stage.replace("_", " ").capitalize()) for stage in value.stages),
        value.counts,
    )


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


async def audit_report(
    uow: UnitOfWork,
    clock: Clock,
    team: Team,
    period: Period,
    *,
    actor_id: int | None,
    via: str,
    member_id: int | None = None,
) -> None:
    """Record that a report on the team was read (by ``actor_id``; the command line and the
    monthly report have none: the monthly one names whom it went to, ``member_id``)."""
    detail: dict[str, Any] = {"from": str(period.start), "to": str(period.end), "via": via}
    if member_id is not None:
        detail["member"] = member_id
    await uow.audit.record(
        at=clock.now(),
        action="report.read",
        subject=f"team:{team.id}",
        team_id=team.id,
        actor_id=actor_id,
        detail=detail,
    )


async def _team(uow: UnitOfWork, name: str) -> Team:
    team = await uow.teams.by_name(name)
    if team is None:
        raise Refusal("team_unknown", name=name)
    return team
