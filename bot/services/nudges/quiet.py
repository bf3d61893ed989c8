"""Quiet hours kept at delivery (service layer): a nudge whose row is delivered late (Telegram
was down, the bot was stopped) and would now land in the recipient's quiet hours or on a day
they do not work is held until their next allowed moment, never dropped for it.

The nudge composers are wrapped with ``held_in_quiet_hours`` where they are registered
(``bot/services/endings.py``): the nudge is composed first (a nudge no longer true is
dropped as ever), then, if it is quiet for the person now, ``Later`` says when to send it.
Delivery only moves the row's time. Other messages nobody asked for at that moment (a flag's
copy or news, a membership change, a draft kept) are held the same way, urgent flags aside.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import wraps

from bot.clock import Clock
from bot.domain.schedule import WorkingHours, next_allowed
from bot.services.nudges.planning import working_hours_for
from bot.services.outgoing import Composed, Composer, Later
from bot.services.timing import team_rules
from storage.models import OutboxMessage
from storage.uow import UnitOfWork


async def recipients_hours(uow: UnitOfWork, row: OutboxMessage) -> WorkingHours | None:
    """The working hours of whoever the row is owed to: a member's own (or their team's), a
    team group's the team's; None when there is nobody to ask about."""
    if row.member_id is not None:
        member = await uow.members.get(row.member_id)
        if member is None:
            return None
        return working_hours_for(member, (await team_rules(uow, member.team_id)).hours)
    if row.team_id is None:
        return None
    return (await team_rules(uow, row.team_id)).hours


async def quiet_until(uow: UnitOfWork, clock: Clock, row: OutboxMessage) -> datetime | None:
    """When the recipient may next be sent something unasked for, if not now."""
    hours = await recipients_hours(uow, row)
    if hours is None:
        return None
    now = clock.now()
    allowed = next_allowed(now, hours)
    return allowed if allowed > now else None


Urgent = Callable[[UnitOfWork, OutboxMessage], Awaitable[bool]]
"""Whether a row is urgent enough to go in quiet hours all the same (an urgent flag)."""


def held_in_quiet_hours(composer: Composer, *, unless: Urgent | None = None) -> Composer:
    """The composer, with what it composes held back while it is quiet for the recipient
    (``unless`` the row is urgent)."""

    @wraps(composer)
    async def composing(uow: UnitOfWork, clock: Clock, row: OutboxMessage) -> Composed:
        composed = await composer(uow, clock, row)
        if composed is None or isinstance(composed, Later):
            return composed
        if unless is not None and await unless(uow, row):
            return composed
        at = await quiet_until(uow, clock, row)
        return composed if at is None else Later(at)

    return composing
