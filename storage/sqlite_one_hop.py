"""One trip to aiosqlite's thread per SQLite statement, instead of four.

SQLAlchemy's aiosqlite adapter runs a statement as four calls into aiosqlite's
worker thread, each a queue put, a thread wake-up and a wake-up of the event
loop: open a cursor, execute, fetch every row, close the cursor. For the small
statements of an update those hops cost more CPU than SQLite itself (issue 24:
about sixty per update). Here the four run together in the thread, in one call;
what SQLAlchemy sees (description, rows, rowcount, lastrowid, errors) is the same.
Server-side cursors (streamed results) keep SQLAlchemy's own cursor.

``one_hop`` is applied to each new connection (``storage.db``'s connect hook).
"""

from __future__ import annotations

import sqlite3
from collections import deque
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)

_Result = tuple[Any, list[Any], Any, int]


def _run(connection: Any, operation: str, parameters: Any, many: bool) -> _Result:
    """In aiosqlite's thread: the statement, its rows and counts, the cursor closed."""
    raw: sqlite3.Connection = connection._conn
    cursor = raw.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        if cursor.description and not many:
            return cursor.description, cursor.fetchall(), -1, -1
        return None, [], cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's aiosqlite cursor, each statement one call into the thread."""

    __slots__ = ()

    def _one_hop(self, operation: str, parameters: Any, many: bool) -> None:
        try:
            description, rows, lastrowid, rowcount = self.await_(
                self._connection._execute(_run, self._connection, operation, parameters, many)
            )
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self.description = description
        self._rows = deque(rows)
        self.lastrowid = lastrowid
        self.rowcount = rowcount

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        self._one_hop(operation, parameters, False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        self._one_hop(operation, seq_of_parameters, True)


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection, its plain cursors ``OneHopCursor``."""

    __slots__ = ()

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        if server_side:
            return super().cursor(server_side=True)
        return OneHopCursor(self)


def one_hop(dbapi_connection: Any) -> None:
    """Make a new aiosqlite connection of SQLAlchemy's run each statement in one hop."""
    if type(dbapi_connection) is AsyncAdapt_aiosqlite_connection:
        dbapi_connection.__class__ = OneHopConnection
