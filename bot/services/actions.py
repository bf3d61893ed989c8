"""Actions: adding one with an owner and a due date, the open list, marking one done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.clock import Clock
from bot.domain.errors import Refusal
from bot.domain.paging import Page, page_of
from bot.domain.permissions import may_change
from bot.services.access import Person, require_person
from bot.services.cases import actor, readable_case
from bot.services.local_time import local_today
from storage.models import Action
from storage.uow import UnitOfWork

OPEN, DONE = "open", "done"


@dataclass(frozen=True)
class ActionLine:
    """An action as a person sees it in a list."""

    id: int
    text: str
    owner_name: str
    due_on: date
    reference: str | None
    overdue: bool


@dataclass(frozen=True)
class ActionList:
    """A person's open actions, soonest due first, a page of them, and their today."""

    actions: list[ActionLine]
    today: date
    page: Page[ActionLine]


async def add_action(
    uow: UnitOfWork,
    clock: Clock,
    person: Person,
    *,
    text: str,
    owner_id: int,
    due_on: date,
    case_id: int | None,
    source: str,
) -> ActionLine:
    """A new open action, owned by an active member of the person's team, about a case (if
    any) the person may change."""
    owner = await uow.members.get(owner_id)
    if owner is None or owner.team_id != person.team_id or not owner.active:
        raise Refusal("case_not_yours")
    if case_id is not None:
        await readable_case(uow, person, case_id)
    action = await uow.actions.add(
        Action(
            team_id=person.team_id,
            case_id=case_id,
            owner_id=owner.id,
            text=text,
            due_on=due_on,
            status=OPEN,
            source=source,
            created_by_id=person.member_id,
            created_at=clock.now(),
        )
    )
    return await _line(uow, action, await local_today(uow, clock, person))


async def open_actions(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, page: int = 0, stamp: str | None = None
) -> ActionList:
    """/actions: the person's own open actions, a page at a time."""
    person = await require_person(uow, telegram_user_id)
    today = await local_today(uow, clock, person)
    lines = await open_action_lines(uow, person.member_id, today)
    return ActionList(lines, today, page_of(lines, page, keys=[a.id for a in lines], stamp=stamp))


async def open_action_lines(uow: UnitOfWork, owner_id: int, today: date) -> list[ActionLine]:
    """A member's open actions as lines, soonest due first."""
    return [
        await _line(uow, action, today) for action in await uow.actions.open_for_owner(owner_id)
    ]


async def complete_action(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, action_id: int, page: int = 0
) -> ActionList:
    """Done: the owner (or their supervisor) closes an action; a second press changes nothing.
    The list comes back at the page the action was on (or the last, if that one is gone)."""
    person = await require_person(uow, telegram_user_id)
    action = await uow.actions.get(action_id)
    if action is None or not may_change(
        actor(person), owner_id=action.owner_id, team_id=action.team_id
    ):
        raise Refusal("action_not_yours")
    if action.status != OPEN:
        raise Refusal("already_done")
    action.status, action.done_at = DONE, clock.now()
    return await open_actions(uow, clock, telegram_user_id=telegram_user_id, page=page)


async def _line(uow: UnitOfWork, action: Action, today: date) -> ActionLine:
    owner = await uow.members.get(action.owner_id)
    case = await uow.cases.get(action.case_id) if action.case_id else None
    return ActionLine(
        id=action.id,
        text=action.text,
        owner_name=owner.display_name if owner else "",
        due_on=action.due_on,
        reference=case.reference if case else None,
        overdue=action.due_on < today,
    )
