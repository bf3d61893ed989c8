"""``bearings team create|show|set``, ``bearings member remove|role|move``, ``bearings invite``
and ``bearings report``: running a team from the command line."""

from __future__ import annotations

import argparse

from bot.cli_support import (
    print_invite,
    span_words,
    with_database,
)
from bot.clock import SystemClock
from bot.config import Settings
from bot.domain.flags import FlagFigures
from bot.domain.roles import Role
from bot.services import member_admin, onboarding, team_admin
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
    async def read(database: Database) -> tuple[str, FlagFigures]:
        async with database.unit_of_work() as uow:
            return await team_admin.team_report(uow, SystemClock(), name=args.team)

    name, figures = with_database(settings, read)
    print(f"Flags of {name}, last 4 weeks")
    print(f"  raised        {figures.raised}")
    print(f"  picked up     {figures.acknowledged}")
    print(f"  escalated     {figures.escalated}")
    print(f"  median wait   {span_words(figures.median_to_ack)}")
    print(f"  90th pct wait {span_words(figures.p90_to_ack)}")
    return 0


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
