"""An INSERT that ignores rows whose key already exists, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignoring_duplicates(
    session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> list[Any]:
    """Insert rows, skipping those whose ``keys`` exist; returns the new rows' first key."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    model_table = model.__table__
    # One statement executed for many rows ("insertmanyvalues"): compiled once and cached,
    # where a multi-row VALUES clause would be built and compiled anew for every call.
    statement = (
        module.insert(model_table)
        .on_conflict_do_nothing(index_elements=list(keys))
        .returning(model_table.c[keys[0]])
    )
    return list((await session.execute(statement, list(rows))).scalars().all())
