"""Composing what the outbox owes someone, at send time, from current data (service layer).

The outbox holds ids and keys, never message text. When a row is delivered, the
composer registered for its ``kind`` (see ``bot/services/endings.py``) reads the
current state (a flag that was acknowledged a second ago shows as acknowledged)
and returns what to say, None when there is nothing to send any more, or
``Later`` when it is still owed but not now (a nudge delivered late that would
land in the person's quiet hours): delivery then only moves the row's time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.clock import Clock
from bot.domain.buttons import Offers
from bot.services.registry import Registry
from storage.models import OutboxMessage
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Outgoing:
    """A message to send (or, with ``edit_message_id``, an earlier one to update)."""

    template: str
    values: dict[str, Any] = field(default_factory=dict)
    buttons: Offers | None = None
    edit_message_id: int | None = None
    photo: bytes | None = None
    """A PNG to send, the template its caption."""
    document: tuple[str, bytes] | None = None
    """A file to send (its name and bytes), the template its caption."""


@dataclass(frozen=True)
class Later:
    """Still owed, but not now: send it at ``at`` (and compose it again then)."""

    at: datetime
    why: str = "quiet_hours"


Composed = Outgoing | Later | None
Composer = Callable[[UnitOfWork, Clock, OutboxMessage], Awaitable[Composed]]
COMPOSERS: Registry[Composer] = Registry("outbox composers")
"""The function that composes outbox rows of each kind (filled by ``register_endings``)."""


async def compose(uow: UnitOfWork, clock: Clock, row: OutboxMessage) -> Composed:
    """What to send for this row now; None to drop it (nothing left to say); ``Later`` to
    send it at another time.

    A kind nobody registered raises LookupError: delivery marks the row failed.
    """
    if row.kind not in COMPOSERS:
        raise LookupError(f"no composer for outbox kind {row.kind!r}")
    return await COMPOSERS[row.kind](uow, clock, row)
