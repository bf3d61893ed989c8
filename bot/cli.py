"""The ``bearings`` command line: run, sandbox, migrate, team create, invite, rotate-key,
audit, purge, export, backup, restore, import cases."""

from __future__ import annotations

import argparse
import asyncio
import html
import re
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

from bot.app import StartupError, build, ensure_schema
from bot.clock import SystemClock
from bot.config import ConfigError, Settings, load_settings
from bot.domain.caseload_import import MAX_FILE_BYTES
from bot.domain.errors import Refusal
from bot.domain.flags import FlagFigures
from bot.domain.roles import Role
from bot.heap import return_large_buffers
from bot.logs import configure_logging
from bot.services import caseload_import, onboarding, team_admin
from bot.services.audit import AuditLog, read_audit_log
from bot.services.export import Exported, export_case_for_operator, export_member_for_operator
from bot.services.retention import PurgeReport, purge_due
from bot.telegram.links import invite_link
from prompts import render
from storage.backup import BackupError, backup_sqlite, postgres_advice, restore_sqlite
from storage.crypto import DataKeyError, install_keys
from storage.db import Database, DatabaseInUse
from storage.rotation import DEFAULT_BATCH_SIZE, RotationReport, TableProgress, rotate_keys
from storage.schema import upgrade_to_head

T = TypeVar("T")

NO_TOKEN = """\
TELEGRAM_BOT_TOKEN is not set, so there is no Telegram bot to run.

To get a token: open Telegram, talk to @BotFather, send /newbot and follow
the steps; put the token it gives you in .env as TELEGRAM_BOT_TOKEN=...

To try Bearings without Telegram, run:  bearings sandbox"""

NO_KEYS = """\
BEARINGS_DATA_KEYS is not set: Bearings encrypts notes at rest and needs a key.
Generate one and put it in .env as BEARINGS_DATA_KEYS=...:
  python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())\""""


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
        print(_plain(render(f"refusal_{refusal.code}", **refusal.details)), file=sys.stderr)
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
    create.set_defaults(action=_team_create)
    show = team.add_parser("show", help="a team's settings and members, with warnings")
    show.add_argument("name", help="the team's name")
    show.set_defaults(action=_team_show)
    change = team.add_parser(
        "set",
        help="change a team setting (e.g. safeguarding_instruction, nudge_hour, quiet_start)",
    )
    change.add_argument("name", help="the team's name")
    change.add_argument("key", help="the setting (see `bearings team show`)")
    change.add_argument("value", help="its new value")
    change.set_defaults(action=_team_set)

    report = commands.add_parser(
        "report", help="a team's flags over the last four weeks: raised, time to pick-up"
    )
    report.add_argument("--team", required=True, help="the team's name")
    report.set_defaults(action=_report)

    invite = commands.add_parser("invite", help="print a one-time invite link for a team")
    invite.add_argument("--team", required=True, help="the team's name")
    invite.add_argument("--role", required=True, choices=[r.value for r in Role])
    invite.set_defaults(action=_invite)

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
        type=_positive,
        default=DEFAULT_BATCH_SIZE,
        help=f"rows per transaction (default {DEFAULT_BATCH_SIZE})",
    )
    rotate.set_defaults(action=_rotate_key)

    audit = commands.add_parser(
        "audit",
        help="print a team's audit log: who read, exported, changed or purged what, and when",
    )
    audit.add_argument("--team", required=True, help="the team's name")
    audit.add_argument(
        "--since",
        required=True,
        type=_date,
        help="first day to show, YYYY-MM-DD (in the team's time zone)",
    )
    audit.set_defaults(action=_audit)

    purge = commands.add_parser(
        "purge",
        help="purge closed cases past their team's retention period (RETENTION_DAYS)",
    )
    purge.add_argument(
        "--dry-run", action="store_true", help="show what would be purged; change nothing"
    )
    purge.set_defaults(action=_purge)

    backup = commands.add_parser(
        "backup",
        help="copy the SQLite database to PATH while the bot runs (PostgreSQL: explains pg_dump)",
    )
    backup.add_argument("path", type=Path, help="the new backup file (never overwritten)")
    backup.set_defaults(action=_backup)

    restore = commands.add_parser(
        "restore",
        help="put a backup in place of the SQLite database (stop the bot first)",
    )
    restore.add_argument("path", type=Path, help="a file made by `bearings backup`")
    restore.set_defaults(action=_restore)
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
        "--member", metavar="TELEGRAM_ID", type=_positive, help="the person's Telegram user id"
    )
    export.add_argument("--team", required=True, help="the team's name")
    export.add_argument(
        "--out",
        metavar="PATH",
        type=Path,
        help="a folder to write into (default: the current one), or for --case a file name",
    )
    export.set_defaults(action=_export)

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
    cases.set_defaults(action=_import_cases)
    return parser


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {value!r}")
    return number


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date like 2026-11-23, not {value!r}") from None


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

    _with_database(settings, migrate)
    print("The database is up to date.")
    return 0


def _team_create(settings: Settings, args: argparse.Namespace) -> int:
    async def create(database: Database) -> onboarding.IssuedInvite:
        async with database.unit_of_work() as uow:
            return await onboarding.create_team(
                uow,
                SystemClock(),
                name=args.name,
                timezone=args.timezone,
                invite_ttl_days=settings.invite_ttl_days,
            )

    issued = _with_database(settings, create)
    print(f"Created team {issued.team_name!r} ({args.timezone}).")
    _print_invite(settings, issued)
    return 0


def _team_show(settings: Settings, args: argparse.Namespace) -> int:
    async def read(database: Database) -> team_admin.TeamDetails:
        async with database.unit_of_work() as uow:
            return await team_admin.team_details(uow, SystemClock(), name=args.name)

    details = _with_database(settings, read)
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


def _team_set(settings: Settings, args: argparse.Namespace) -> int:
    async def change(database: Database) -> object:
        async with database.unit_of_work() as uow:
            return await team_admin.set_team_setting(
                uow, SystemClock(), name=args.name, key=args.key, value=args.value
            )

    value = _with_database(settings, change)
    print(f"{args.name}: {args.key} = {value}")
    return 0


def _report(settings: Settings, args: argparse.Namespace) -> int:
    async def read(database: Database) -> tuple[str, FlagFigures]:
        async with database.unit_of_work() as uow:
            return await team_admin.team_report(uow, SystemClock(), name=args.team)

    name, figures = _with_database(settings, read)
    print(f"Flags of {name}, last 4 weeks")
    print(f"  raised        {figures.raised}")
    print(f"  picked up     {figures.acknowledged}")
    print(f"  escalated     {figures.escalated}")
    print(f"  median wait   {_span(figures.median_to_ack)}")
    print(f"  90th pct wait {_span(figures.p90_to_ack)}")
    return 0


def _span(delta: timedelta | None) -> str:
    if delta is None:
        return "-"
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _invite(settings: Settings, args: argparse.Namespace) -> int:
    async def create(database: Database) -> onboarding.IssuedInvite:
        async with database.unit_of_work() as uow:
            return await onboarding.create_invite_for_team(
                uow,
                SystemClock(),
                team_name=args.team,
                role=Role(args.role),
                invite_ttl_days=settings.invite_ttl_days,
            )

    _print_invite(settings, _with_database(settings, create))
    return 0


def _rotate_key(settings: Settings, args: argparse.Namespace) -> int:
    def show(progress: TableProgress) -> None:
        print(
            f"  {progress.table}: {progress.rows_done}/{progress.rows_total} rows, "
            f"{progress.values_rotated} re-encrypted",
            flush=True,
        )

    async def rotate(database: Database) -> RotationReport:
        ring = install_keys(settings.data_keys)
        return await rotate_keys(database, ring, batch_size=args.batch_size, progress=show)

    keys = len(settings.data_keys)
    print(f"Re-encrypting stored data under the first of {keys} key(s) in BEARINGS_DATA_KEYS.")
    report = _with_database(settings, rotate)
    print(
        f"Done: {report.values_rotated} value(s) re-encrypted, "
        f"{report.values_current} already under the first key."
    )
    if keys > 1:
        print("Everything is under the first key now: the other keys can be removed.")
    return 0


def _audit(settings: Settings, args: argparse.Namespace) -> int:
    async def read(database: Database) -> AuditLog:
        async with database.unit_of_work() as uow:
            return await read_audit_log(uow, SystemClock(), team_name=args.team, since=args.since)

    log = _with_database(settings, read)
    print(f"Audit log of {log.team_name} since {log.since:%Y-%m-%d} ({log.timezone} time):")
    if not log.lines:
        print("  nothing recorded")
    for line in log.lines:
        print(
            f"{line.at:%Y-%m-%d %H:%M}  {line.actor}  {line.action}  {line.subject}  "
            f"{line.detail_text}".rstrip()
        )
    return 0


def _purge(settings: Settings, args: argparse.Namespace) -> int:
    async def purge(database: Database) -> PurgeReport:
        if args.dry_run:
            async with database.unit_of_work() as uow:
                return await purge_due(uow, SystemClock(), settings.retention_days, dry_run=True)
        # One transaction per case: an interruption keeps every case purged so far.
        done = PurgeReport(dry_run=False)
        while True:
            async with database.unit_of_work() as uow:
                one = await purge_due(uow, SystemClock(), settings.retention_days, limit=1)
            if not one.cases:
                return done
            done.cases.extend(one.cases)

    report = _with_database(settings, purge)
    _print_purge(report, settings.retention_days)
    return 0


def _export(settings: Settings, args: argparse.Namespace) -> int:
    async def make(database: Database) -> Exported:
        async with database.unit_of_work() as uow:
            if args.case is not None:
                return await export_case_for_operator(
                    uow, SystemClock(), team_name=args.team, reference=args.case
                )
            return await export_member_for_operator(
                uow, SystemClock(), team_name=args.team, subject_telegram_id=args.member
            )

    out: Path = args.out or Path.cwd()
    if not out.is_dir() and (args.member is not None or not out.parent.is_dir()):
        print(f"--out {out}: no such folder", file=sys.stderr)
        return 2
    exported = _with_database(settings, make)
    for file in exported.files:
        path = out / file.name if out.is_dir() else out
        # Readable by the operator only: the file holds personal data.
        path.touch(mode=0o600)
        path.write_bytes(file.content)
        print(f"Wrote {path} ({len(file.content):,} bytes)")
    print("The export holds personal data: keep it safe, and delete it once it is filed.")
    return 0


def _import_cases(settings: Settings, args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        print(f"{path}: no such file", file=sys.stderr)
        return 2
    with path.open("rb") as file:
        content = file.read(MAX_FILE_BYTES + 1)  # one byte over is enough to say it is too big

    async def work(database: Database) -> caseload_import.ImportCheck | caseload_import.Imported:
        async with database.unit_of_work() as uow:
            if args.dry_run:
                return await caseload_import.check_file_for_team(
                    uow, SystemClock(), team_name=args.team, content=content
                )
            return await caseload_import.import_file_for_team(
                uow, SystemClock(), team_name=args.team, content=content
            )

    outcome = _with_database(settings, work)
    if isinstance(outcome, caseload_import.Imported):
        kept = f" ({len(outcome.unchanged)} already there, left as they were)"
        print(
            f"Imported {_cases(len(outcome.created))} into {outcome.team_name}"
            f"{kept if outcome.unchanged else ''}."
        )
        return 0
    if outcome.problems:
        count = len(outcome.problems)
        print(f"{path}: {count} problem(s); nothing was imported.", file=sys.stderr)
        for problem in outcome.problems:
            line = render("import_problem", problem=problem, limits=caseload_import.LIMITS)
            print(f"  {_plain(line)}", file=sys.stderr)
        return 1
    kept = f" ({len(outcome.unchanged)} already there, left as they are)"
    print(
        f"{path} would add {_cases(len(outcome.new))} to {outcome.team_name}"
        f"{kept if outcome.unchanged else ''}{':' if outcome.new else '.'}"
    )
    if outcome.new:
        _print_table(
            ["row", "reference", "key worker", "stage", "every", "next visit", "next review"],
            [
                [
                    str(case.row),
                    case.reference,
                    case.worker_name,
                    case.stage_label,
                    f"{case.cadence_days} days",
                    f"{case.next_visit_due:%Y-%m-%d}" if case.next_visit_due else "-",
                    f"{case.next_review_on:%Y-%m-%d}" if case.next_review_on else "-",
                ]
                for case in outcome.new
            ],
        )
    print("Nothing was changed (dry run).")
    return 0


def _cases(count: int) -> str:
    return f"{count} case{'s' if count != 1 else ''}"


def _print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def _print_purge(report: PurgeReport, default_days: int) -> None:
    verb = "would be purged" if report.dry_run else "purged"
    if not report.cases:
        print(f"No closed case is past its retention period (default {default_days} days).")
        return
    tables = [name for name, count in report.totals.items() if count and name != "cases"]
    header = ["case id", "team", "reference", "closed", "kept (days)", *tables]
    rows = [
        [
            str(case.case_id),
            case.team_name,
            case.reference,
            f"{case.closed_on:%Y-%m-%d}",
            str(case.retention_days),
            *(str(case.rows.get(name, 0)) for name in tables),
        ]
        for case in report.cases
    ]
    totals = report.totals
    rows.append(
        ["total", "", f"{len(report.cases)} case(s)", "", "", *(str(totals[n]) for n in tables)]
    )
    _print_table(header, rows)
    print(f"{len(report.cases)} closed case(s) {verb}, with the rows counted above.")
    if report.dry_run:
        print("Nothing was changed (dry run). Run `bearings purge` to purge them.")


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    source = Database(settings.database_url).sqlite_path()
    if source is None:
        print(postgres_advice(settings.database_url))
        return 2
    try:
        report = backup_sqlite(source, args.path.resolve())
    except BackupError as error:
        print(f"No backup made: {error}", file=sys.stderr)
        return 1
    print(f"Backed up {source} to {report.path} ({report.size_bytes:,} bytes, checked).")
    print("Its notes are encrypted: keep BEARINGS_DATA_KEYS safe, and stored apart from it.")
    return 0


def _restore(settings: Settings, args: argparse.Namespace) -> int:
    database = Database(settings.database_url)
    target = database.sqlite_path()
    if target is None:
        print(postgres_advice(settings.database_url))
        return 2
    try:
        database.claim_sole_use()  # held until the end: no bot can start on it meanwhile
        kept = restore_sqlite(args.path.resolve(), target, now=SystemClock().now())
    except (DatabaseInUse, BackupError) as error:
        print(f"Not restored: {error}", file=sys.stderr)
        return 1
    finally:
        asyncio.run(database.dispose())
    print(f"Restored {target} from {args.path}.")
    if kept is not None:
        print(f"The database it replaced is kept as {kept}; delete it when you are sure.")
    print("Start the bot as usual; it brings an older backup up to date by itself.")
    return 0


def _print_invite(settings: Settings, issued: onboarding.IssuedInvite) -> None:
    username = asyncio.run(_bot_username(settings))
    print(f"One-time invite for a {issued.role.value} (expires in {issued.expires_in_days} days):")
    print(f"  {invite_link(username, issued.token)}")
    print(f"  token: {issued.token}")
    print("Send it privately; it works once. In Telegram, tapping the link sends /start <token>.")


async def _bot_username(settings: Settings) -> str:
    """The bot's username from BOT_USERNAME, else from Telegram's getMe, else a placeholder."""
    if settings.bot_username:
        return settings.bot_username
    if settings.token is None:
        return "<your_bot_username>"
    from telegram import Bot

    try:
        async with Bot(settings.token, base_url=settings.telegram_api_base_url) as bot:
            return bot.username
    except Exception:
        return "<your_bot_username>"


def _with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    if not settings.data_keys:
        print(NO_KEYS, file=sys.stderr)
        raise SystemExit(2)
    install_keys(settings.data_keys)

    async def session() -> T:
        database = Database(settings.database_url)
        try:
            if work.__name__ != "migrate":
                await ensure_schema(database, auto_migrate=settings.is_sqlite)
            return await work(database)
        finally:
            await database.dispose()

    return asyncio.run(session())


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))
