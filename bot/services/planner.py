"""The periodic planner: what the outbox owes, worked out from the data on every run."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import Clock
from bot.services.flags import chase_flags
from bot.services.flows import expire_idle_flows
from storage.uow import UnitOfWork


async def plan(uow: UnitOfWork, clock: Clock, *, flow_idle: timedelta) -> int:
    """Owe every reminder that has fallen due (each once, by its unique key), and turn
    idle conversations into drafts."""
    owed = await chase_flags(uow, clock)
    return owed + await expire_idle_flows(uow, clock, flow_idle)
