"""The ``bearings`` command line: run, sandbox, migrate, team create, invite, rotate-key,
audit, purge, export, backup, restore, import cases."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.app import StartupError, build
from bot.cli_data import (
    audit_command,
    backup_command,
    export_command,
    import_cases_command,
    purge_command,
    restore_command,
    rotate_key_command,
)
from bot.cli_support import (
    NO_KEYS,
    iso_date,
    plain_text,
    positive_number,
    with_database,
)
from bot.cli_team import (
    invite_command,
    member_move_command,
    member_remove_command,
    member_role_command,
    report_command,
    team_create_command,
    team_set_command,
    team_show_command,
)
from bot.config import ConfigError, Settings, load_settings
from bot.domain.errors import Refusal
from bot.domain.roles import Role
from bot.heap import return_large_buffers
from bot.logs import configure_logging
from prompts import render
from storage.crypto import DataKeyError
from storage.db import Database
from storage.rotation import DEFAULT_BATCH_SIZE
from storage.schema import upgrade_to_head

NO_TOKEN = """\
TELEGRAM_BOT_TOKEN is not set, so there is no Telegram bot to run.

To get a token: open Telegram, talk to @BotFather, send /newbot and follow
the steps; put the token it gives you in .env as TELEGRAM_BOT_TOKEN=...

To try Bearings without Telegram, run:  bearings sandbox"""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``bearings`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "action"):
        parser.print_help()
        return 2
    try:
        settings = load_settings()
        configure_logging(settings.log_level)
        result: int = args.action(settings, args)
        return result
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    except StartupError as error:
        print(f"Bearings cannot start: {error}", file=sys.stderr)
        return 1
    except Refusal as refusal:
        print(plain_text(render(f"refusal_{refusal.code}", **refusal.details)), file=sys.stderr)
        return 1
    except DataKeyError as error:
        print(f"Bearings cannot read its data: {error}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bearings", description="Bearings: a Telegram assistant for key workers."
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser(
        "run", help="run the bot (long polling, or a webhook if WEBHOOK_URL is set)"
    )
    run.set_defaults(action=_run)

    sandbox = commands.add_parser(
        "sandbox",
        help="try Bearings with no token: local Bot API emulator, the bot, a terminal chat",
    )
    sandbox.add_argument(
        "--port", type=int, default=0, help="emulator port (default: any free port)"
    )
    sandbox.set_defaults(action=_sandbox)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(action=_migrate)

    team = commands.add_parser("team", help="manage teams").add_subparsers(
        title="team commands", metavar="COMMAND"
    )
    create = team.add_parser("create", help="create a team and print its first supervisor's invite")
    create.add_argument("name", help='the team\'s name, e.g. "North Team"')
    create.add_argument("--timezone", required=True, help="IANA time zone, e.g. Europe/London")
    create.set_defaults(action=team_create_command)
    show = team.add_parser("show", help="a team's settings and members, with warnings")
    show.add_argument("name", help="the team's name")
    show.set_defaults(action=team_show_command)
    change = team.add_parser(
        "set",
        help="change a team setting (e.g. safeguarding_instruction, nudge_hour, quiet_start)",
    )
    change.add_argument("name", help="the team's name")
    change.add_argument("key", help="the setting (see `bearings team show`)")
    change.add_argument("value", help="its new value")
    change.set_defaults(action=team_set_command)

    member = commands.add_parser("member", help="a team's people").add_subparsers(
        title="member commands", metavar="COMMAND"
    )
    remove = member.add_parser(
        "remove", help="take someone off a team; everything they hold goes to a colleague"
    )
    remove.add_argument("name", help="their name, as they joined")
    remove.add_argument("--team", required=True, help="the team's name")
    remove.add_argument("--to", required=True, help="the colleague who takes over")
    remove.set_defaults(action=member_remove_command)
    role = member.add_parser("role", help="make someone a supervisor or a key worker")
    role.add_argument("name", help="their name, as they joined")
    role.add_argument("role", choices=[r.value for r in Role])
    role.add_argument("--team", required=True, help="the team's name")
    role.set_defaults(action=member_role_command)
    move = member.add_parser(
        "move", help="move someone to another team (a fresh membership; nothing follows)"
    )
    move.add_argument("name", help="their name, as they joined")
    move.add_argument("--team", required=True, help="the team they leave")
    move.add_argument("--to-team", required=True, help="the team they join")
    move.add_argument("--role", required=True, choices=[r.value for r in Role])
    move.add_argument("--hand-to", required=True, help="who takes over in the team they leave")
    move.set_defaults(action=member_move_command)

    report = commands.add_parser(
        "report",
        help="a team's report (--org: every team's): caseload, visits and reviews on time, flags, "
        "engagement, counts; the last four weeks unless --from/--to",
    )
    scope = report.add_mutually_exclusive_group(required=True)
    scope.add_argument("--team", help="the team's name")
    scope.add_argument("--org", action="store_true", help="every team, summed")
    report.add_argument("--from", dest="start", type=iso_date, help="first day, YYYY-MM-DD")
    report.add_argument("--to", dest="end", type=iso_date, help="last day, YYYY-MM-DD")
    report.add_argument("--pdf", type=Path, help="also write the report as a PDF to this file")
    report.set_defaults(action=report_command)

    invite = commands.add_parser("invite", help="print a one-time invite link for a team")
    invite.add_argument("--team", required=True, help="the team's name")
    invite.add_argument("--role", required=True, choices=[r.value for r in Role])
    invite.set_defaults(action=invite_command)

    rotate = commands.add_parser(
        "rotate-key",
        help="re-encrypt all stored data under the first key of BEARINGS_DATA_KEYS",
        description=(
            "Put a new key first in BEARINGS_DATA_KEYS (new,old), restart the bot, then run "
            "this. It re-encrypts every stored value under the first key, in batches; it is "
            "safe to stop and run again. When it reports nothing left, remove the old key."
        ),
    )
    rotate.add_argument(
        "--batch-size",
        type=positive_number,
        default=DEFAULT_BATCH_SIZE,
        help=f"rows per transaction (default {DEFAULT_BATCH_SIZE})",
    )
    rotate.set_defaults(action=rotate_key_command)

    audit = commands.add_parser(
        "audit",
        help="print a team's audit log: who read, exported, changed or purged what, and when",
    )
    audit.add_argument("--team", required=True, help="the team's name")
    audit.add_argument(
        "--since",
        required=True,
        type=iso_date,
        help="first day to show, YYYY-MM-DD (in the team's time zone)",
    )
    audit.set_defaults(action=audit_command)

    purge = commands.add_parser(
        "purge",
        help="purge closed cases past their team's retention period (RETENTION_DAYS)",
    )
    purge.add_argument(
        "--dry-run", action="store_true", help="show what would be purged; change nothing"
    )
    purge.set_defaults(action=purge_command)

    backup = commands.add_parser(
        "backup",
        help="copy the SQLite database to PATH while the bot runs (PostgreSQL: explains pg_dump)",
    )
    backup.add_argument("path", type=Path, help="the new backup file (never overwritten)")
    backup.set_defaults(action=backup_command)

    restore = commands.add_parser(
        "restore",
        help="put a backup in place of the SQLite database (stop the bot first)",
    )
    restore.add_argument("path", type=Path, help="a file made by `bearings backup`")
    restore.set_defaults(action=restore_command)
    export = commands.add_parser(
        "export",
        help="export a case as a PDF, or a person's data as JSON and PDF (audited)",
        description=(
            "--case writes one case as a PDF for copying into the case record; --member "
            "writes everything Bearings holds about a person (a subject access request), "
            "as a JSON file and a PDF. The files hold personal data: keep them safe."
        ),
    )
    which = export.add_mutually_exclusive_group(required=True)
    which.add_argument("--case", metavar="REF", help="the case's reference, e.g. FAM-0142")
    which.add_argument(
        "--member",
        metavar="TELEGRAM_ID",
        type=positive_number,
        help="the person's Telegram user id",
    )
    export.add_argument("--team", required=True, help="the team's name")
    export.add_argument(
        "--out",
        metavar="PATH",
        type=Path,
        help="a folder to write into (default: the current one), or for --case a file name",
    )
    export.set_defaults(action=export_command)

    importing = commands.add_parser("import", help="import data into a team").add_subparsers(
        title="import commands", metavar="WHAT"
    )
    cases = importing.add_parser(
        "cases",
        help="import an existing caseload from a CSV file (every row checked first)",
        description=(
            "Columns (a header row; names matched loosely): reference, key worker (their "
            "Telegram username or the name they joined with), stage, and optionally visit "
            "cadence (7, weekly, fortnightly, every 3 weeks; default 7), next visit due and "
            "next plan review (dates day first: 5/12/2026, 5 Dec 2026, 2026-12-05). Every row "
            "is checked first and nothing is imported unless all are clean. A case already in "
            "the team with the same details is left alone, so importing a file twice changes "
            "nothing; one with different details is a problem to resolve."
        ),
    )
    cases.add_argument("file", type=Path, help="the CSV file (UTF-8, with or without a BOM)")
    cases.add_argument("--team", required=True, help="the team's name")
    cases.add_argument(
        "--dry-run", action="store_true", help="check the file and show what it would add"
    )
    cases.set_defaults(action=import_cases_command)
    return parser


def _run(settings: Settings, args: argparse.Namespace) -> int:
    if settings.token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    if not settings.data_keys:
        print(NO_KEYS, file=sys.stderr)
        return 2
    return_large_buffers()
    return asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> int:
    # Listen for SIGTERM/SIGINT before starting, so a stop asked for during start-up is a
    # graceful one too: everything in flight is finished or put back, then exit code 0.
    stop = _stop_signal()
    bearings = build(settings)
    try:
        await bearings.start()
        await stop.wait()
    finally:
        await bearings.stop()
    return 0


def _stop_signal() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


def _sandbox(settings: Settings, args: argparse.Namespace) -> int:
    from bot.sandbox.runner import run_sandbox

    return_large_buffers()
    return asyncio.run(run_sandbox(port=args.port))


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    async def migrate(database: Database) -> None:
        await upgrade_to_head(database.engine)

    with_database(settings, migrate)
    print("The database is up to date.")
    return 0
