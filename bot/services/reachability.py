"""Who Bearings can reach (services): members who blocked the bot, groups that moved.

Delivery reports what Telegram said; these use cases record it. A member whose
chat refuses messages is marked unreachable and their supervisors are told
once (at the next working moment); the first thing that member sends again
makes them reachable. A group that became a supergroup keeps its place as the
team chat under its new id.
"""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.domain.roles import Role
from bot.domain.schedule import next_allowed
from bot.services.outgoing import Outgoing
from bot.services.timing import team_rules
from storage.models import OutboxMessage
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

MEMBER_UNREACHABLE = "member_unreachable"


async def mark_unreachable(uow: UnitOfWork, clock: Clock, *, telegram_user_id: int) -> bool:
    """Telegram refused a message to this person: mark them unreachable and owe each of
    their team's other supervisors one notice. Returns whether this started a new spell
    (already unreachable, unknown or inactive people change nothing)."""
    member = await uow.members.by_telegram_id(telegram_user_id)
    if member is None or not member.active or member.unreachable_at is not None:
        return False
    now = clock.now()
    member.unreachable_at = now
    rules = await team_rules(uow, member.team_id)
    due = next_allowed(now, rules.hours)
    spell = now.strftime("%Y%m%dT%H%M%S")
    supervisors = await uow.members.of_team(member.team_id, role=Role.SUPERVISOR.value)
    await uow.outbox.enqueue(
        [
            {
                "key": f"unreachable:{member.id}:{spell}:{supervisor.id}",
                "kind": MEMBER_UNREACHABLE,
                "team_id": member.team_id,
                "member_id": supervisor.id,
                "chat_id": supervisor.telegram_user_id,
                "ref": {"member": member.id},
                "due_at": due,
                "created_at": now,
            }
            for supervisor in supervisors
            if supervisor.id != member.id and supervisor.unreachable_at is None
        ]
    )
    await uow.audit.record(
        at=now,
        action="member.unreachable",
        subject=f"member:{member.id}",
        team_id=member.team_id,
    )
    log.info("member.unreachable", extra={"member": member.id})
    return True


async def heard_from(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, username: str | None = None
) -> bool:
    """This person wrote to the bot (or unblocked it): they can be reached again, and their
    Telegram ``username`` is noted if it changed (a caseload file may name them by it).
    Returns whether they had been marked unreachable."""
    member = await uow.members.by_telegram_id(telegram_user_id)
    if member is None:
        return False
    if member.active and member.telegram_username != username:
        member.telegram_username = username
    if member.unreachable_at is None:
        return False
    member.unreachable_at = None
    await uow.audit.record(
        at=clock.now(),
        action="member.reachable",
        subject=f"member:{member.id}",
        team_id=member.team_id,
    )
    return True


async def move_group_chat(
    uow: UnitOfWork, clock: Clock, *, old_chat_id: int, new_chat_id: int
) -> bool:
    """A group became a supergroup with a new id: the team chat follows it, and so does
    everything still owed to it. Returns whether a team's chat moved."""
    await uow.outbox.move_chat(old_chat_id, new_chat_id)
    team = await uow.teams.by_group_chat(old_chat_id)
    if team is None:
        return False
    team.group_chat_id = new_chat_id
    await uow.audit.record(
        at=clock.now(), action="team.group_moved", subject=f"team:{team.id}", team_id=team.id
    )
    return True


async def compose_member_unreachable(
    uow: UnitOfWork, clock: Clock, row: OutboxMessage
) -> Outgoing | None:
    """Telling a supervisor that Bearings cannot reach one of their team (unless the
    person has been back in touch since)."""
    member = await uow.members.get(int(row.ref["member"]))
    if member is None or not member.active or member.unreachable_at is None:
        return None
    return Outgoing("member_unreachable", {"name": member.display_name})
