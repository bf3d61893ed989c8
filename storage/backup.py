"""Backing up and restoring a SQLite database file.

A backup is taken with SQLite's online backup API while the bot keeps running:
the copy is one consistent snapshot (the read transaction holds it steady while
the bot's writes go on in the write-ahead log), checked with ``integrity_check``,
turned into a single self-contained file, and only then moved into place, so a
half-written backup never has the final name. Backups, like the database, are readable
by the bot's user only (0600).

Restoring refuses while a bot holds the database (its lock file), checks the
backup the same way, and keeps the file it replaces beside it rather than
deleting it. The data inside stays encrypted under ``BEARINGS_DATA_KEYS``: a
backup is useless without the keys, so keep them apart.

PostgreSQL has its own tools (pg_dump, pg_restore); ``postgres_advice`` explains them.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from storage.private_files import make_private

_POSTGRES_ADVICE = """\
This database is PostgreSQL: back it up with PostgreSQL's own tools, which take a
consistent copy while the bot runs.
  pg_dump --format=custom --file=bearings-$(date +%F).dump "{url}"
Restore into an empty database with the bot stopped:
  pg_restore --clean --if-exists --no-owner --dbname="{url}" bearings-YYYY-MM-DD.dump
Then run `bearings migrate` if the backup is older than this version of Bearings.
Notes stay encrypted in the dump: keep BEARINGS_DATA_KEYS safe, and apart from it."""


def postgres_advice(url: str) -> str:
    """How to back up and restore a PostgreSQL database (its URL shown without the password)."""
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=True)
    return _POSTGRES_ADVICE.format(url=plain)


class BackupError(Exception):
    """The backup or restore could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size_bytes: int
    tables: int


def backup_sqlite(source: Path, target: Path) -> BackupReport:
    """Copy the live database at ``source`` to a new file ``target``, consistently."""
    if not source.exists():
        raise BackupError(f"There is no database at {source}.")
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new name (backups never overwrite).")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        make_private(partial)  # the copy is as private as the database: 0600 from the start
        with _connect(source, read_only=True) as live, _connect(partial) as copy:
            live.backup(copy)  # every page in one step: one snapshot of the whole database
            copy.execute("PRAGMA journal_mode=DELETE")  # a single file, no -wal beside it
        tables = check_sqlite_file(partial)
        _sync(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupReport(path=target, size_bytes=target.stat().st_size, tables=tables)


def restore_sqlite(backup: Path, target: Path, *, now: datetime) -> Path | None:
    """Put ``backup`` in place of the database at ``target``; return where the old one went.

    The caller must hold the database's sole-use lock, so no bot is running on it.
    """
    if not backup.exists():
        raise BackupError(f"There is no backup at {backup}.")
    check_sqlite_file(backup)
    incoming = target.with_name(f".{target.name}.restoring")
    incoming.unlink(missing_ok=True)
    try:
        make_private(incoming)
        with _connect(backup, read_only=True) as source, _connect(incoming) as copy:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
        _sync(incoming)
        kept = None
        if target.exists():
            kept = target.with_name(f"{target.name}.before-restore-{now:%Y%m%d-%H%M%S}")
            with _connect(target) as old:
                old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            os.replace(target, kept)
            make_private(kept)
        for suffix in ("-wal", "-shm"):
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        os.replace(incoming, target)
    finally:
        incoming.unlink(missing_ok=True)
    return kept


def check_sqlite_file(path: Path) -> int:
    """Check a database file is sound and is a Bearings database; return its table count."""
    try:
        with _connect(path, read_only=True) as connection:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            names = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database ({error}).") from None
    if verdict != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {verdict}")
    if "alembic_version" not in names:
        raise BackupError(f"{path} is not a Bearings database (it has no migration record).")
    return len(names)


@contextmanager
def _connect(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection that is closed afterwards (sqlite3's own context manager only commits)."""
    if read_only:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    else:
        connection = sqlite3.connect(path)
    try:
        yield connection
    finally:
        connection.close()


def _sync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
