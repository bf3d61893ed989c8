"""Periodic jobs shared by every process on the database: each runs once per period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import JobRun
from storage.repositories._insert import insert_ignoring_duplicates

_NEVER = datetime(2000, 1, 1, tzinfo=UTC)


class JobRunRepository:
    """Decide which process runs a periodic job this time round."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def start_if_due(self, name: str, now: datetime, period: timedelta) -> bool:
        """Whether this process should run the job now; if so, record that it started.

        The job's row stays locked until the transaction ends (on PostgreSQL), so a
        second process asking meanwhile waits, then sees the fresh start and skips.
        """
        await insert_ignoring_duplicates(
            self._session, JobRun, [{"name": name, "started_at": _NEVER}], ["name"]
        )
        query = select(JobRun).where(JobRun.name == name)
        if self._session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        row = await self._session.scalar(query)
        assert row is not None  # inserted just above, or already there
        if row.started_at > now - period:
            return False
        row.started_at, row.finished_at = now, None
        return True

    async def finish(self, name: str, now: datetime) -> None:
        """Record that the job finished (in the transaction that did its work)."""
        row = await self._session.get(JobRun, name)
        if row is not None:
            row.finished_at = now

    async def last(self, name: str) -> JobRun | None:
        """When the job last started and finished, by whichever process."""
        return await self._session.get(JobRun, name)
