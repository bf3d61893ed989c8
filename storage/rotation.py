"""Key rotation: re-encrypt every stored value under the first data key (storage layer).

Operators put a new key first in ``BEARINGS_DATA_KEYS`` (``new,old``), restart,
and run ``bearings rotate-key``. This walks every column of type
``EncryptedText``/``EncryptedJSON`` (found by scanning the models, so a new
encrypted column is covered without touching this module), table by table, in
batches by primary key. Each batch is read without a lock and re-encrypted,
then written in one short transaction, each value only where it is still the
one read (a value the running bot rewrote meanwhile is under the first key
already): so the bot keeps answering during a rotation, even on SQLite, where
it waits behind every write. A value already under the first key is left
alone, so the rotation can be stopped at any point and run again; once a run
reports nothing left, the old keys can be removed.

It reads and writes the stored tokens as they are (lightweight ``table()``
constructs with plain ``Text`` columns), so values are never decrypted into
Python objects, only token to token.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import InvalidToken
from sqlalchemy import (
    ColumnClause,
    TableClause,
    Text,
    bindparam,
    column,
    func,
    select,
    table,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.crypto import DataKeyError, EncryptedJSON, EncryptedText, KeyRing
from storage.db import Database
from storage.models import Base

DEFAULT_BATCH_SIZE = 500


@dataclass(frozen=True)
class EncryptedTable:
    """A table with encrypted columns, and the integer primary key to walk it by."""

    name: str
    primary_key: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class TableProgress:
    """How far the rotation of one table has gone."""

    table: str
    rows_total: int
    rows_done: int
    values_rotated: int
    values_current: int
    batches: int

    @property
    def finished(self) -> bool:
        """Whether every row of the table has been looked at."""
        return self.rows_done >= self.rows_total


@dataclass(frozen=True)
class RotationReport:
    """What a rotation run did, table by table."""

    tables: list[TableProgress]

    @property
    def values_rotated(self) -> int:
        """Values re-encrypted in this run (0 when everything was already current)."""
        return sum(t.values_rotated for t in self.tables)

    @property
    def values_current(self) -> int:
        """Values found already under the first key."""
        return sum(t.values_current for t in self.tables)


Progress = Callable[[TableProgress], None]


def encrypted_tables(metadata: Any = Base.metadata) -> list[EncryptedTable]:
    """Every table with an ``EncryptedText``/``EncryptedJSON`` column, in dependency order."""
    found: list[EncryptedTable] = []
    for model_table in metadata.sorted_tables:
        columns = tuple(
            c.name for c in model_table.columns if isinstance(c.type, EncryptedText | EncryptedJSON)
        )
        if not columns:
            continue
        keys = list(model_table.primary_key.columns)
        if len(keys) != 1:
            raise ValueError(f"{model_table.name}: rotation needs a single-column primary key")
        found.append(EncryptedTable(model_table.name, keys[0].name, columns))
    return found


async def rotate_keys(
    database: Database,
    ring: KeyRing,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    tables: Sequence[EncryptedTable] | None = None,
) -> RotationReport:
    """Re-encrypt every stored value not yet under the ring's first key.

    ``progress`` is called after each batch is committed (and once for an empty
    table); if it raises, the run stops there with every committed batch kept.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report: list[TableProgress] = []
    for spec in tables if tables is not None else encrypted_tables():
        report.append(await _rotate_table(database, ring, spec, batch_size, progress))
    return RotationReport(report)


async def _rotate_table(
    database: Database,
    ring: KeyRing,
    spec: EncryptedTable,
    batch_size: int,
    progress: Progress | None,
) -> TableProgress:
    raw = _raw_table(spec)
    key = raw.c[spec.primary_key]
    async with database.reading() as connection:
        total = int(await connection.scalar(select(func.count()).select_from(raw)) or 0)
    state = TableProgress(spec.name, total, 0, 0, 0, 0)
    last: Any = None
    while True:
        # Read and re-encrypt outside any write transaction, then write in a short one: on
        # SQLite the running bot waits behind every write transaction, so the slow part
        # (the cryptography) must not hold the lock.
        async with database.reading() as connection:
            rows = await _next_batch(connection, raw, key, last, batch_size)
        rotated = current = 0
        by_column: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            row_key = row._mapping[spec.primary_key]
            for name in spec.columns:
                token = row._mapping[name]
                if token is None:
                    continue
                new = _rotate(ring, token, spec, name, row_key)
                if new is None:
                    current += 1
                    continue
                by_column[name].append({"row_key": row_key, "old": token, "new": new})
                rotated += 1
        if by_column:
            async with database.unit_of_work() as uow:
                for name, params in by_column.items():
                    # Only where the value is still the one read: a value the bot rewrote
                    # meanwhile is under the first key already and stays as it is.
                    statement = (
                        update(raw)
                        .where(key == bindparam("row_key"), raw.c[name] == bindparam("old"))
                        .values({name: bindparam("new")})
                    )
                    await uow.session.execute(statement, params)
        if rows:
            last = rows[-1]._mapping[spec.primary_key]
        state = TableProgress(
            spec.name,
            max(total, state.rows_done + len(rows)),
            state.rows_done + len(rows),
            state.values_rotated + rotated,
            state.values_current + current,
            state.batches + (1 if rows else 0),
        )
        if progress is not None and (rows or state.batches == 0):
            progress(state)
        if len(rows) < batch_size:
            return state


async def _next_batch(
    connection: AsyncConnection,
    raw: TableClause,
    key: ColumnClause[Any],
    last: Any,
    size: int,
) -> Sequence[Any]:
    query = select(raw).order_by(key).limit(size)
    if last is not None:
        query = query.where(key > last)
    return (await connection.execute(query)).all()


def _rotate(
    ring: KeyRing, token: str, spec: EncryptedTable, name: str, pk_value: Any
) -> str | None:
    """The value under the first key, or None when it is under it already."""
    try:
        return ring.rotated(token)
    except (InvalidToken, ValueError, TypeError):
        # Not a token of any key (or not a token at all). Name the place, never the value.
        raise DataKeyError(
            f"{spec.name}.{name} of row {pk_value} cannot be decrypted with any key in "
            "BEARINGS_DATA_KEYS; put back the key it was written with and run again"
        ) from None


def _raw_table(spec: EncryptedTable) -> TableClause:
    """The table with its encrypted columns as plain text, so tokens pass through untouched."""
    return table(
        spec.name,
        column(spec.primary_key),
        *(column(name, Text) for name in spec.columns),
    )
