"""The periodic planner: what the outbox owes, worked out from the data on every run."""

from __future__ import annotations

from bot.clock import Clock
from bot.services.flags import chase_flags
from storage.uow import UnitOfWork


async def plan(uow: UnitOfWork, clock: Clock) -> int:
    """Owe every reminder that has fallen due (each once, by its unique key)."""
    return await chase_flags(uow, clock)
