"""Idle flows become drafts (service layer): the planner's part for flows, and the outbox
message that tells their people.

A flow left unanswered longer than ``FLOW_IDLE_HOURS`` becomes a draft on the planner's
tick; its person is owed a "your answers are kept" message at their next working moment,
composed at send time (and dropped if the draft was dealt with meanwhile).
"""

from __future__ import annotations

from datetime import timedelta

from bot.clock import Clock
from bot.domain.schedule import next_allowed
from bot.services.access import find_person_by_member
from bot.services.flows.sessions import expiry_notice
from bot.services.local_time import local_day, person_zone
from bot.services.outgoing import Outgoing
from bot.services.timing import team_rules
from storage.models import OutboxMessage
from storage.repositories.flows import DRAFT
from storage.uow import UnitOfWork

FLOW_EXPIRED = "flow_expired"
"""The outbox kind of the "your answers are kept as a draft" message."""


async def expire_idle_flows(uow: UnitOfWork, clock: Clock, idle: timedelta) -> int:
    """The planner's part for flows: idle ones become drafts, and their people are told
    (at the next working moment), with buttons to carry on or throw the draft away."""
    now = clock.now()
    expired = 0
    for session in await uow.flows.idle_open(now - idle):
        member = await uow.members.get(session.member_id)
        session.status = DRAFT
        session.version += 1
        expired += 1
        if member is None or not member.active:
            continue
        rules = await team_rules(uow, member.team_id)
        await uow.outbox.enqueue(
            [
                {
                    "key": f"{FLOW_EXPIRED}:{session.id}",
                    "kind": FLOW_EXPIRED,
                    "team_id": member.team_id,
                    "member_id": member.id,
                    "chat_id": member.telegram_user_id,
                    "ref": {"session": session.id},
                    "due_at": next_allowed(now, rules.hours),
                    "created_at": now,
                }
            ]
        )
    return expired


async def compose_flow_expired(
    uow: UnitOfWork, clock: Clock, row: OutboxMessage
) -> Outgoing | None:
    """The "your answers are kept as a draft" message, unless the draft was dealt with."""
    session = await uow.flows.get(int(row.ref["session"]))
    if session is None or session.status != DRAFT or row.member_id is None:
        return None
    person = await find_person_by_member(uow, row.member_id)
    if person is None:
        return None
    started = local_day(session.started_at, await person_zone(uow, person))
    said = expiry_notice(session, started, typed=False)
    return Outgoing(said.template, said.values, said.buttons)
