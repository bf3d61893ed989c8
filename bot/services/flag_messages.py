"""A flag's messages (service layer): how a flag is shown, and composing its outbox rows —
the copy each supervisor gets, the edit that brings a delivered copy up to date (or, for
someone who has lost the right to act on it, a neutral line), and the worker's news.

Composed at send time from the flag as it stands then; the flags' use cases
(``bot.services.flags``) decide what is owed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.domain.buttons import FlagResponse, Offer, Offers
from bot.domain.flags import FlagState, Urgency, offered
from bot.services.access import member_name
from bot.services.local_time import team_zone
from bot.services.outgoing import Outgoing
from storage.models import Flag, OutboxMessage
from storage.uow import UnitOfWork

FLAG, FLAG_EDIT, FLAG_NEWS = "flag", "flag_edit", "flag_news"
REMINDER, ESCALATION = "reminder", "escalation"
"""Copies of a flag nobody has picked up: the supervisors reminded, then escalated."""
FOLLOW_UP, STALLED = "followup", "stalled"
"""Copies of a flag picked up but not resolved: whoever took it asked for an update, then
every supervisor told it has stalled."""
NEUTRAL = {"neutral": True}
"""An edit that leaves a copy saying only that the team's supervisors handle it now."""


@dataclass(frozen=True)
class FlagView:
    """A flag as its messages and lists show it."""

    id: int
    reference: str | None
    worker_name: str
    urgency: str
    summary: str
    source: str
    raised_at: datetime
    state: str
    handled_by: str | None
    handled_at: datetime | None
    resolved_by: str | None
    resolved_at: datetime | None
    outcome: str | None
    escalated: bool
    age: timedelta


async def flag_view(uow: UnitOfWork, clock: Clock, flag: Flag) -> FlagView:
    """The flag as people see it (its summary decrypted here, never logged)."""
    case = await uow.cases.get(flag.case_id) if flag.case_id else None
    return FlagView(
        id=flag.id,
        reference=case.reference if case else None,
        worker_name=await _name(uow, flag.worker_id),
        urgency=flag.urgency,
        summary=flag.summary,
        source=flag.source,
        raised_at=await _local(uow, flag.team_id, flag.raised_at),
        state=flag.state,
        handled_by=await _name(uow, flag.handled_by_id) if flag.handled_by_id else None,
        handled_at=await _local(uow, flag.team_id, flag.handled_at) if flag.handled_at else None,
        resolved_by=await _name(uow, flag.resolved_by_id) if flag.resolved_by_id else None,
        resolved_at=await _local(uow, flag.team_id, flag.resolved_at) if flag.resolved_at else None,
        outcome=flag.outcome,
        escalated=flag.escalated_at is not None,
        age=clock.now() - flag.raised_at,
    )


def flag_buttons(view: FlagView) -> Offers:
    """A flag message's buttons for its state (none once resolved)."""
    buttons = [
        Offer(FlagResponse(action, view.id), f"flag_{action.value}")
        for action in offered(FlagState(view.state), Urgency(view.urgency), view.source)
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


async def compose_flag(uow: UnitOfWork, clock: Clock, row: OutboxMessage) -> Outgoing | None:
    """A flag's message to a supervisor, as the flag stands now."""
    flag = await uow.flags.get(int(row.ref["flag"]))
    if flag is None:
        return None
    stage = row.ref.get("stage")
    if stage in (REMINDER, ESCALATION) and flag.state != FlagState.OPEN:
        return None  # picked up since the reminder was planned: nothing to chase
    if stage in (FOLLOW_UP, STALLED) and flag.state in (FlagState.OPEN, FlagState.RESOLVED):
        return None  # resolved since (or, oddly, open again): nothing to follow up
    view = await flag_view(uow, clock, flag)
    return Outgoing("flag_message", {"flag": view, "stage": stage}, flag_buttons(view))


async def compose_flag_edit(uow: UnitOfWork, clock: Clock, row: OutboxMessage) -> Outgoing | None:
    """An update in place of a copy already delivered (none needed if it was not sent yet)."""
    original = await uow.outbox.by_key(str(row.ref["original"]))
    flag = await uow.flags.get(int(row.ref["flag"]))
    if original is None or original.message_id is None or flag is None:
        return None
    if row.ref.get("neutral"):
        team = await uow.teams.get(flag.team_id)
        return Outgoing(
            "flag_handled_elsewhere",
            {"team_name": team.name if team else ""},
            edit_message_id=original.message_id,
        )
    view = await flag_view(uow, clock, flag)
    if original.kind == FLAG_NEWS:  # the worker's "being chased", now out of date
        news = {"flag": view, "news": original.ref["news"], "by": None}
        return Outgoing("flag_news", news, edit_message_id=original.message_id)
    return Outgoing(
        "flag_message",
        {"flag": view, "stage": original.ref.get("stage")},
        flag_buttons(view),
        edit_message_id=original.message_id,
    )


async def compose_flag_news(uow: UnitOfWork, clock: Clock, row: OutboxMessage) -> Outgoing | None:
    """Telling the worker what a supervisor did (or that their flag is being chased)."""
    flag = await uow.flags.get(int(row.ref["flag"]))
    if flag is None:
        return None
    if row.ref["news"] == "chased" and flag.state != FlagState.OPEN:
        return None  # picked up before the worker was told it was being chased
    by = row.ref.get("by")
    view = await flag_view(uow, clock, flag)
    values = {"flag": view, "news": row.ref["news"], "by": await _name(uow, by) if by else None}
    return Outgoing("flag_news", values)


async def _name(uow: UnitOfWork, member_id: int) -> str:
    return member_name(await uow.members.get(member_id))


async def _local(uow: UnitOfWork, team_id: int, instant: datetime) -> datetime:
    return instant.astimezone(await team_zone(uow, team_id))


async def is_urgent(uow: UnitOfWork, row: OutboxMessage) -> bool:
    """Whether the row is about an urgent ("today") flag: it goes even in quiet hours."""
    flag = await uow.flags.get(int(row.ref["flag"]))
    return flag is not None and flag.urgency == Urgency.TODAY.value
