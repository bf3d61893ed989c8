"""The command line's care of the data: export, import cases, purge, audit, backup, restore and
rotate-key."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli_support import (
    cases_word,
    plain_text,
    print_table,
    with_database,
)
from bot.clock import SystemClock
from bot.config import Settings
from bot.domain.caseload_import import MAX_FILE_BYTES
from bot.services import caseload_import
from bot.services.audit import AuditLog, read_audit_log
from bot.services.export import Exported, export_case_for_operator, export_member_for_operator
from bot.services.retention import PurgeReport, purge_due
from prompts import render
from storage.backup import BackupError, backup_sqlite, postgres_advice, restore_sqlite
from storage.crypto import install_keys
from storage.db import Database, DatabaseInUse
from storage.private_files import write_private
from storage.rotation import RotationReport, TableProgress, rotate_keys


def rotate_key_command(settings: Settings, args: argparse.Namespace) -> int:
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
    report = with_database(settings, rotate)
    print(
        f"Done: {report.values_rotated} value(s) re-encrypted, "
        f"{report.values_current} already under the first key."
    )
    if keys > 1:
        print("Everything is under the first key now: the other keys can be removed.")
    return 0


def audit_command(settings: Settings, args: argparse.Namespace) -> int:
    async def read(database: Database) -> AuditLog:
        async with database.unit_of_work() as uow:
            return await read_audit_log(uow, SystemClock(), team_name=args.team, since=args.since)

    log = with_database(settings, read)
    print(f"Audit log of {log.team_name} since {log.since:%Y-%m-%d} ({log.timezone} time):")
    if not log.lines:
        print("  nothing recorded")
    for line in log.lines:
        print(
            f"{line.at:%Y-%m-%d %H:%M}  {line.actor}  {line.action}  {line.subject}  "
            f"{line.detail_text}".rstrip()
        )
    return 0


def purge_command(settings: Settings, args: argparse.Namespace) -> int:
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

    report = with_database(settings, purge)
    print_purge(report, settings.retention_days)
    return 0


def export_command(settings: Settings, args: argparse.Namespace) -> int:
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
    exported = with_database(settings, make)
    for file in exported.files:
        path = out / file.name if out.is_dir() else out
        # Readable by the operator only (whatever the umask): the file holds personal data.
        write_private(path, file.content)
        print(f"Wrote {path} ({len(file.content):,} bytes)")
    print("The export holds personal data: keep it safe, and delete it once it is filed.")
    return 0


def import_cases_command(settings: Settings, args: argparse.Namespace) -> int:
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

    outcome = with_database(settings, work)
    if isinstance(outcome, caseload_import.Imported):
        kept = f" ({len(outcome.unchanged)} already there, left as they were)"
        print(
            f"Imported {cases_word(len(outcome.created))} into {outcome.team_name}"
            f"{kept if outcome.unchanged else ''}."
        )
        return 0
    if outcome.problems:
        count = len(outcome.problems)
        print(f"{path}: {count} problem(s); nothing was imported.", file=sys.stderr)
        for problem in outcome.problems:
            line = render("import_problem", problem=problem, limits=caseload_import.LIMITS)
            print(f"  {plain_text(line)}", file=sys.stderr)
        return 1
    kept = f" ({len(outcome.unchanged)} already there, left as they are)"
    print(
        f"{path} would add {cases_word(len(outcome.new))} to {outcome.team_name}"
        f"{kept if outcome.unchanged else ''}{':' if outcome.new else '.'}"
    )
    if outcome.new:
        print_table(
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


def print_purge(report: PurgeReport, default_days: int) -> None:
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
    print_table(header, rows)
    print(f"{len(report.cases)} closed case(s) {verb}, with the rows counted above.")
    if report.dry_run:
        print("Nothing was changed (dry run). Run `bearings purge` to purge them.")


def backup_command(settings: Settings, args: argparse.Namespace) -> int:
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


def restore_command(settings: Settings, args: argparse.Namespace) -> int:
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
