"""``bearings team create|show|set``, ``bearings member remove|role|move``, ``bearings invite``
and ``bearings report``: running a team from the command line."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from typing import Any

from bot.cli_support import (
    print_invite,
    span_words,
    with_database,
)
from bot.clock import SystemClock
from bot.config import Settings
from bot.domain.report_figures import Caseload, OnTime, ReportFigures, Spread
from bot.domain.report_privacy import Figure
from bot.domain.roles import Role
from bot.services import member_admin, onboarding, reports, team_admin
from bot.services.handover import Removed
from storage.db import Database


def team_create_command(settings: Settings, args: argparse.Namespace) -> int:
    async def create(database: Database) -> onboarding.IssuedInvite:
        async with database.unit_of_work() as uow:
            return await onboarding.create_team(
                uow,
                SystemClock(),
                name=args.name,
                timezone=args.timezone,
                invite_ttl_days=settings.invite_ttl_days,
            )

    issued = with_database(settings, create)
    print(f"Created team {issued.team_name!r} ({args.timezone}).")
    print_invite(settings, issued)
    return 0


def team_show_command(settings: Settings, args: argparse.Namespace) -> int:
    async def read(database: Database) -> team_admin.TeamDetails:
        async with database.unit_of_work() as uow:
            return await team_admin.team_details(uow, SystemClock(), name=args.name)

    details = with_database(settings, read)
    print(f"Team {details.name}")
    if "no_supervisor" in details.warnings:
        print(
            "WARNING: no supervisor can be reached (none active, or all away without cover, "
            "or unreachable): flags will reach nobody. Invite one with "
            f'`bearings invite --team "{details.name}" --role supervisor`.'
        )
    print("Settings:")
    for key, value in details.settings.items():
        shown = ",".join(str(v) for v in value) if isinstance(value, list | tuple) else value
        print(f"  {key} = {shown}")
    print("Members:")
    for member in details.members:
        state = "active" if member.active else "left"
        if member.away_until:
            state += f", away until {member.away_until:%Y-%m-%d}"
        if member.unreachable:
            state += ", unreachable (blocked the bot)"
        print(f"  {member.name} ({member.role}) {state}")
    return 0


def team_set_command(settings: Settings, args: argparse.Namespace) -> int:
    async def change(database: Database) -> object:
        async with database.unit_of_work() as uow:
            return await team_admin.set_team_setting(
                uow, SystemClock(), name=args.name, key=args.key, value=args.value
            )

    value = with_database(settings, change)
    print(f"{args.name}: {args.key} = {value}")
    return 0


def report_command(settings: Settings, args: argparse.Namespace) -> int:
    async def read(database: Database) -> ReportFigures:
        async with database.unit_of_work() as uow:
            return await reports.operator_figures(
                uow, SystemClock(), team_name=args.team, start=args.start, end=args.end
            )

    figures = with_database(settings, read)
    for line in report_lines(figures):
        print(line)
    if args.pdf is not None:
        drawn = asyncio.run(reports.drawn(figures, SystemClock().now()))
        args.pdf.write_bytes(drawn.pdf)
        print(f"Wrote {args.pdf}.")
    return 0


def report_lines(figures: ReportFigures) -> list[str]:
    """The report as plain lines for the terminal."""

    def shown(figure: Figure[Any], text: Callable[[Any], str]) -> str:
        if figure.withheld:
            return "not shown (privacy rule)"
        if figure.not_recorded:
            return "not recorded yet"
        return text(figure.value) if figure.value is not None else "none"

    teams = f", {figures.teams} teams" if figures.teams > 1 else ""
    lines = [f"Report for {figures.scope}, {figures.period.start} to {figures.period.end}{teams}"]
    caseload = figures.caseload
    lines.append("  open cases    " + shown(caseload, lambda c: _caseload_words(c)))
    lines.append("  visits        " + shown(figures.visits, _on_time))
    lines.append("  plan reviews  " + shown(figures.reviews, _on_time))
    lines.append("  flag pick-up  " + shown(figures.pick_up, _spread))
    lines.append("  flag resolved " + shown(figures.resolution, _spread))
    lines.append(
        "  engagement    "
        + shown(
            figures.engagement,
            lambda e: (
                f"{e.checks} checks: engaged {e.engaged}, partly {e.partly}, "
                f"not {e.not_engaged}; incidents {e.incidents}"
            ),
        )
    )
    lines.append(
        "  aims          "
        + shown(
            figures.aims,
            lambda a: (
                f"{a.cases} cases closed, {a.aims} aims: {a.mean_start} -> {a.mean_end} "
                f"({a.mean_change:+.1f})"
            ),
        )
    )
    lines.append(
        "  bearings      "
        + shown(figures.bearings, lambda b: f"{b.checks} checks, {b.people} people")
    )
    for key, figure in figures.counts:
        lines.append(f"  {key.replace('_', ' '):<22}" + shown(figure, str))
    return lines


def _caseload_words(caseload: Caseload) -> str:
    latest = caseload.counts[-1]
    parts = [
        f"{stage} {count}" for stage, count in zip(caseload.stages, latest, strict=True) if count
    ]
    return f"{caseload.total(-1)} ({', '.join(parts)})"


def _on_time(value: OnTime) -> str:
    return f"{value.percent}% on time ({value.on_time} of {value.due})"


def _spread(value: Spread) -> str:
    return f"median {span_words(value.median)}, 90th pct {span_words(value.p90)} ({value.count})"


def invite_command(settings: Settings, args: argparse.Namespace) -> int:
    async def create(database: Database) -> onboarding.IssuedInvite:
        async with database.unit_of_work() as uow:
            return await onboarding.create_invite_for_team(
                uow,
                SystemClock(),
                team_name=args.team,
                role=Role(args.role),
                invite_ttl_days=settings.invite_ttl_days,
            )

    print_invite(settings, with_database(settings, create))
    return 0


def member_remove_command(settings: Settings, args: argparse.Namespace) -> int:
    async def remove(database: Database) -> Removed:
        async with database.unit_of_work() as uow:
            return await member_admin.remove_named(
                uow, SystemClock(), team=args.team, name=args.name, hand_to=args.to
            )

    removed = with_database(settings, remove)
    print(
        f"{removed.name} is off {args.team}; {removed.receiver} now holds {removed.cases} "
        f"case(s), {removed.actions} action(s) and {removed.flags} flag(s). Both are told."
    )
    return 0


def member_role_command(settings: Settings, args: argparse.Namespace) -> int:
    async def change(database: Database) -> str:
        async with database.unit_of_work() as uow:
            return await member_admin.set_role_named(
                uow, SystemClock(), team=args.team, name=args.name, role=Role(args.role)
            )

    print(f"{with_database(settings, change)} is now a {args.role} in {args.team}.")
    return 0


def member_move_command(settings: Settings, args: argparse.Namespace) -> int:
    async def move(database: Database) -> Removed:
        async with database.unit_of_work() as uow:
            return await member_admin.move_named(
                uow,
                SystemClock(),
                team=args.team,
                name=args.name,
                to_team=args.to_team,
                role=Role(args.role),
                hand_to=args.hand_to,
            )

    removed = with_database(settings, move)
    print(
        f"{removed.name} moved from {args.team} to {args.to_team} as a {args.role}; "
        f"{removed.receiver} now holds what was theirs in {args.team}."
    )
    return 0
