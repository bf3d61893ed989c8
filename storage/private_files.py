"""Files that hold people's data are readable by the bot's own user only, whatever the umask.

SQLite creates a new database file as 0644 less the umask, and gives its ``-wal``,
``-shm`` and ``-journal`` files the database file's own permissions. So the database
file is made 0600 before SQLite first opens it (and an existing one narrowed to 0600),
and everything SQLite puts beside it follows. Backups, restores and exports are created
0600 the same way, by creating the file before anything writes to it.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_FILE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def make_private(path: Path) -> None:
    """Create ``path`` empty if it does not exist, and make it 0600 either way."""
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE_FILE)
    try:
        _narrow(descriptor, path)
    finally:
        os.close(descriptor)


def write_private(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` (replacing what was there), readable by this user only."""
    descriptor = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(descriptor, "wb") as handle:
        _narrow(handle.fileno(), path)
        handle.write(content)


def open_private(path: Path) -> int:
    """Open (creating it if need be) ``path`` for reading and appending, 0600; a descriptor."""
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR | os.O_APPEND, PRIVATE_FILE)
    _narrow(descriptor, path)
    return descriptor


def make_sqlite_private(database: Path) -> None:
    """Make a SQLite database file (created if new) and the files beside it 0600."""
    make_private(database)
    for suffix in SQLITE_COMPANIONS:
        companion = database.with_name(database.name + suffix)
        with contextlib.suppress(FileNotFoundError):
            descriptor = os.open(companion, os.O_RDONLY)
            try:
                _narrow(descriptor, companion)
            finally:
                os.close(descriptor)


def _narrow(descriptor: int, path: Path) -> None:
    try:
        if os.fstat(descriptor).st_mode & 0o777 != PRIVATE_FILE:
            os.fchmod(descriptor, PRIVATE_FILE)
    except PermissionError:  # not ours to change (another user's file): say so, go on
        log.warning("file.not_private", extra={"file": path.name})
