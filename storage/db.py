"""The database: one engine per process, a unit of work per update or job.

A SQLite database file and the files beside it are readable by the bot's user only
(``storage.private_files``). SQLite runs in WAL mode with foreign keys on, and every
transaction starts with ``BEGIN IMMEDIATE`` behind one in-process write lock: SQLite has
a single writer, and taking the lock up front avoids both busy-waiting and the
"database is locked" error of a read transaction upgraded to a write. That lock
only works inside one process, so a running bot also holds an exclusive lock
file next to a SQLite database (``claim_sole_use``); a second one is refused.

``run`` is the one place a unit of work is retried: when the database had a
passing fault (SQLite busy past its timeout, a PostgreSQL connection cut or a
server restarting), the whole transaction is rolled back and run again from the
start, so nothing is ever half-written.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import IO, Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, PendingRollbackError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

from storage.private_files import make_sqlite_private, open_private
from storage.sqlite_one_hop import one_hop
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 15_000
READ_ONLY = "bearings_read_only"
"""Execution option of a connection that only reads (see ``Database.reading``)."""
# Six tries over about three seconds: long enough for a cut connection to be replaced or a
# lock to clear, short enough that the person hears "please send it again" promptly.
RUN_ATTEMPTS = 6
FIRST_RETRY_DELAY = 0.1


class DatabaseInUse(Exception):
    """Another process already runs on this SQLite database."""


class Database:
    """Engine, session factory and (on SQLite) the write lock."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {}
        if not self.is_sqlite:
            kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine, self.sqlite_path())
        self._sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, sync_session_class=HoldingSession
        )
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        self._sole_use: IO[str] | None = None

    def claim_sole_use(self) -> None:
        """On a SQLite file, take the exclusive lock that says one process runs on it.

        Raises ``DatabaseInUse`` (naming the lock file and the holder's process id) when
        another process holds it. Released by ``dispose`` or when the process ends, however
        it ends. PostgreSQL needs no such lock: several processes share it safely.
        """
        path = self.sqlite_path()
        if path is None or self._sole_use is not None:
            return
        lock_path = path.with_name(path.name + ".lock")
        handle = os.fdopen(open_private(lock_path), "a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise DatabaseInUse(
                f"{path} is already in use by another Bearings process (pid {holder}; lock "
                f"file {lock_path}). SQLite allows one running bot per database file: stop "
                "the other one first, or use PostgreSQL to run several processes."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._sole_use = handle

    def sqlite_path(self) -> Path | None:
        """The SQLite database file (None for PostgreSQL or an in-memory database)."""
        if not self.is_sqlite:
            return None
        database = make_url(self.url).database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return Path(database).resolve()

    @contextlib.asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        async with contextlib.AsyncExitStack() as stack:
            if self._write_lock is not None:
                await stack.enter_async_context(self._write_lock)
            session = await stack.enter_async_context(self._sessions())
            await stack.enter_async_context(session.begin())
            yield UnitOfWork(session)

    @contextlib.asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that only reads: on SQLite a plain (deferred) BEGIN, which takes no
        write lock and, in WAL mode, reads beside a writer."""
        async with self.engine.connect() as connection:
            await connection.execution_options(**{READ_ONLY: True})
            async with connection.begin():
                yield connection

    @contextlib.asynccontextmanager
    async def read_only(self) -> AsyncIterator[UnitOfWork]:
        """Repositories over a transaction that only reads (see :meth:`reading`), rolled back
        at the end: for the health check and metrics, which must never wait for a writer."""
        async with self.reading() as connection:
            session = self._sessions(bind=connection)
            try:
                yield UnitOfWork(session)
            finally:
                await session.close()

    async def run(
        self,
        work: Callable[[UnitOfWork], Awaitable[T]],
        *,
        attempts: int = RUN_ATTEMPTS,
        within: Callable[[], AbstractAsyncContextManager[UnitOfWork]] | None = None,
    ) -> T:
        """Run ``work`` in a unit of work; on a transient database fault, roll it all back
        and run it again (with backoff), up to ``attempts`` times. Other errors, and the
        last transient one, are raised. ``within`` makes the unit of work instead of
        :meth:`unit_of_work` (one that does more in the same transaction)."""
        for attempt in range(1, attempts + 1):
            try:
                async with (within or self.unit_of_work)() as uow:
                    return await work(uow)
            except Exception as error:
                if attempt == attempts or not is_transient(error):
                    raise
                log.info(
                    "database.retry", extra={"attempt": attempt, "error": type(error).__name__}
                )
                await asyncio.sleep(FIRST_RETRY_DELAY * 2 ** (attempt - 1))
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def dispose(self) -> None:
        """Close every pooled connection (and let go of the SQLite lock, if held)."""
        await self.engine.dispose()
        if self._sole_use is not None:
            fcntl.flock(self._sole_use.fileno(), fcntl.LOCK_UN)
            self._sole_use.close()
            self._sole_use = None


class HoldingSession(Session):
    """A session that holds on to every object it loads until it closes.

    SQLAlchemy's identity map only refers to objects weakly: once a service drops
    the member or team it loaded, the next ``get`` of the same row in the same
    unit of work queries the database again. One update handled loaded the same
    team four times that way (bench/chat.py counts statements per update); a unit
    of work lives for one update or job, so holding them costs little.
    """


@event.listens_for(HoldingSession, "loaded_as_persistent")
def _hold(session: Session, instance: object) -> None:
    session.info.setdefault("held", []).append(instance)


def _configure_sqlite(engine: AsyncEngine, path: Path | None) -> None:
    if path is not None:

        @event.listens_for(engine.sync_engine, "do_connect")
        def _before_connect(*_: Any) -> None:
            # Before SQLite opens (or creates) the file: it and its -wal, -shm are 0600.
            make_sqlite_private(path)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        one_hop(dbapi_connection)
        # Take transaction control away from the driver so BEGIN IMMEDIATE is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


_TRANSIENT_MARKERS = (
    "database is locked",
    "database is busy",
    "could not serialize access",
    "deadlock detected",
    "connection was closed",
    "connection is closed",
    "cannot perform operation: another operation is in progress",
    "another operation (2) is in progress",  # asyncpg, on a connection cut mid-statement
    "terminating connection",
    "connection refused",
    "the database system is starting up",
    "the database system is shutting down",
)


def is_transient(error: BaseException) -> bool:
    """Whether a database error is worth retrying the whole unit of work for."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, PendingRollbackError) and "reconnect" in str(error):
        # The connection was cut inside this transaction; a fresh one will do.
        return True
    # asyncpg raises some errors unwrapped while a new connection is made (the server still
    # starting up after a restart: CannotConnectNowError), so its own errors count too.
    driver = type(error).__module__.startswith("asyncpg")
    if driver or isinstance(error, OperationalError | DBAPIError | OSError | ConnectionError):
        text = str(error).lower()
        return any(marker in text for marker in _TRANSIENT_MARKERS) or isinstance(
            error, OSError | ConnectionError
        )
    return False
