"""Which database errors are retried as a whole unit of work (``storage.db.is_transient``)."""

from __future__ import annotations

from asyncpg.exceptions import CannotConnectNowError, UniqueViolationError

from storage.db import is_transient


def test_a_server_still_starting_up_after_a_restart_is_waited_for() -> None:
    """asyncpg raises this one unwrapped while connecting (a full run met it once, right
    after the battery restarted PostgreSQL, and answered "something went wrong")."""
    assert is_transient(CannotConnectNowError("the database system is starting up"))


def test_a_real_mistake_is_not_retried() -> None:
    assert not is_transient(UniqueViolationError("duplicate key value violates unique constraint"))
    assert not is_transient(ValueError("the database system is starting up"))
