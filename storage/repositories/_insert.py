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
    key_column = getattr(model, keys[0])
    statement = (
        module.insert(model)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=list(keys))
        .returning(key_column)
    )
    return list((await session.execute(statement)).scalars().all())
