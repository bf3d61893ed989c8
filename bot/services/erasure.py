"""Erasure (``/forget_me``): a member erases their own account data, after their open
cases pass to a supervisor of their team.

What goes: their name and username, their Telegram link, their personal and
away settings, their bearings checks, every conversation of theirs (open, draft
or finished), their supervision agenda, the general supervision notes about them
(with no case) and the actions they own that are about no case, every message
owed to them, and a caseload file of theirs waiting for Import. What stays,
because it belongs to the team's case records: visits, case supervision notes,
stuck walk-throughs and flags they wrote or raised, shown from then on as by
"a former worker". Their open cases and open case
actions pass to a supervisor (``bot.domain.erasure.receiving_supervisor``), who
is told at the next working moment. The member row stays, emptied, so that those
records keep an author; joining again takes a new invite and makes a new member.

The audit log gets one ``member.erased`` entry: how many cases and actions
passed to whom, and how many rows of each kind were deleted; never content.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain.erasure import Supervisor, receiving_supervisor
from bot.domain.errors import Refusal
from bot.domain.roles import Role
from bot.domain.schedule import next_allowed
from bot.services.access import member_name
from bot.services.outgoing import Outgoing
from bot.services.timing import team_rules
from prompts import label
from storage.models import Member, OutboxMessage
from storage.uow import UnitOfWork

CASES_PASSED = "cases_passed"


@dataclass(frozen=True)
class ErasurePlan:
    """What erasing would do, shown before the person confirms."""

    supervisor_id: int
    supervisor_name: str
    references: list[str]
    """The open cases that pass to the supervisor."""
    open_actions: int
    """Their open actions about a case, which pass to the supervisor too."""
    open_flags: int
    """Open flags the person raised: they stay with the team."""
    former_name: str
    """How their notes will be attributed ("a former worker")."""


@dataclass(frozen=True)
class Erased:
    """What erasing did."""

    supervisor_name: str
    references: list[str]


async def plan_erasure(uow: UnitOfWork, clock: Clock, *, telegram_user_id: int) -> ErasurePlan:
    """What ``/forget_me`` would do for this person; refused for someone with nothing
    stored, or when nobody else supervises their team."""
    member = await uow.members.by_telegram_id(telegram_user_id)
    if member is None:
        raise Refusal("nothing_to_erase")
    return await _plan(uow, clock, member)


async def erase_member(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, supervisor_id: int
) -> Erased | ErasurePlan:
    """Erase the person's account data, as confirmed. ``supervisor_id`` is who the
    confirmed plan passed the cases to; if that has changed since (they left, or went
    away), nothing is erased and the new plan is returned, to confirm again. A second
    press, after the erasure, finds nobody and is answered "already done"."""
    member = await uow.members.by_telegram_id(telegram_user_id)
    if member is None:
        raise Refusal("already_done")
    plan = await _plan(uow, clock, member)
    if plan.supervisor_id != supervisor_id:
        return plan
    now = clock.now()
    cases = await uow.cases.open_for_worker(member.id)
    for case in cases:
        case.worker_id = supervisor_id
    actions = await uow.erasure.pass_open_case_actions(member.id, supervisor_id)
    deleted = await uow.erasure.delete_own_rows(member)
    await uow.erasure.drop_as_cover(member.id)
    if cases:
        await uow.outbox.enqueue(
            [
                {
                    "key": f"{CASES_PASSED}:{member.id}",
                    "kind": CASES_PASSED,
                    "team_id": member.team_id,
                    "member_id": supervisor_id,
                    "chat_id": await _chat_of(uow, supervisor_id),
                    "ref": {"cases": [case.id for case in cases]},
                    "due_at": next_allowed(now, (await team_rules(uow, member.team_id)).hours),
                    "created_at": now,
                }
            ]
        )
    await uow.audit.record(
        at=now,
        action="member.erased",
        subject=f"member:{member.id}",
        team_id=member.team_id,
        actor_id=member.id,
        detail={
            "cases": len(cases),
            "actions": actions,
            "to": supervisor_id,
            "deleted": {table: count for table, count in deleted.items() if count},
        },
    )
    await uow.erasure.empty_member(member, now)
    return Erased(plan.supervisor_name, plan.references)


async def compose_cases_passed(
    uow: UnitOfWork, clock: Clock, row: OutboxMessage
) -> Outgoing | None:
    """The supervisor told which cases are now theirs, because their worker left Bearings."""
    references = []
    for case_id in row.ref.get("cases", []):
        case = await uow.cases.get(int(case_id))
        if case is not None and case.closed_at is None and case.worker_id == row.member_id:
            references.append(case.reference)
    if not references:
        return None
    return Outgoing(CASES_PASSED, {"references": references})


async def _plan(uow: UnitOfWork, clock: Clock, member: Member) -> ErasurePlan:
    team = await uow.teams.get(member.team_id)
    assert team is not None  # a foreign key guarantees it
    today = clock.now().astimezone(ZoneInfo(team.timezone)).date()
    supervisors = await uow.members.of_team(member.team_id, role=Role.SUPERVISOR.value)
    chosen = receiving_supervisor(
        member.id,
        [Supervisor(s.id, s.away_until is not None and s.away_until >= today) for s in supervisors],
    )
    if chosen is None:
        raise Refusal(
            "erasure_no_supervisor",
            team_name=team.name,
            is_supervisor=member.role == Role.SUPERVISOR.value,
        )
    cases = await uow.cases.open_for_worker(member.id)
    actions = [a for a in await uow.actions.open_for_owner(member.id) if a.case_id is not None]
    return ErasurePlan(
        supervisor_id=chosen,
        supervisor_name=member_name(await uow.members.get(chosen)),
        references=[case.reference for case in cases],
        open_actions=len(actions),
        open_flags=len(await uow.flags.open_for_worker(member.id)),
        former_name=label(f"former_{member.role}"),
    )


async def _chat_of(uow: UnitOfWork, member_id: int) -> int | None:
    member = await uow.members.get(member_id)
    return member.telegram_user_id if member else None
