"""Acting on a nudge (service layer): its Done, Snooze 1 day and Reschedule buttons.

Done does the thing the nudge asked for (a visit opens the visit note, a review
asks for the next date, an action is ticked off); Snooze owes the same nudge
again tomorrow at the person's nudge hour; Reschedule offers the next days and
moves the date. Only the person the nudge was sent to may act on it, only while
it still applies, and only while they may still change what it is about (the case
not reassigned since, their cover not over): that is decided again at every press.
A date is taken only if the nudge offered it; a move is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from bot.clock import Clock
from bot.domain import dates
from bot.domain import nudges as rules
from bot.domain.buttons import NudgeChoice, Offer, Offers
from bot.domain.errors import Refusal
from bot.domain.nudges import ASKING_KINDS, CASE_KINDS
from bot.domain.permissions import may_change
from bot.domain.schedule import next_working_day, working_days_ahead
from bot.services.access import Person, require_person
from bot.services.cases import actor
from bot.services.flows import start_flow
from bot.services.flows.replies import FlowReply
from bot.services.local_time import local_today
from bot.services.nudges.messages import case_nudge_values, compose_again, visit_under_way
from bot.services.nudges.planning import outbox_row, working_hours_for
from bot.services.timing import team_rules
from storage.models import Member, OutboxMessage
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class NudgeOutcome:
    """What pressing a nudge's button did: the nudge's new words, buttons, and any flow."""

    template: str
    values: dict[str, Any]
    buttons: Offers | None
    flow: FlowReply | None = None


async def act_on_nudge(
    uow: UnitOfWork,
    clock: Clock,
    *,
    telegram_user_id: int,
    row_id: int,
    op: str,
    idle: timedelta,
) -> NudgeOutcome:
    """Done, Snooze 1 day, Reschedule (then a date) on a nudge the person was sent."""
    person = await require_person(uow, telegram_user_id)
    row = await uow.outbox.get(row_id)
    if row is None or row.member_id != person.member_id or row.kind not in ASKING_KINDS:
        raise Refusal("already_done")
    if await visit_under_way(uow, row):  # the visit note is being written: nothing to do
        case = await uow.cases.get(int(row.ref["case"]))
        assert case is not None
        values = {**await case_nudge_values(uow, row, case), "acted": "logging"}
        return NudgeOutcome("nudge_case", values, None)
    outgoing = await compose_again(uow, clock, row)
    if outgoing is None:
        raise Refusal("already_done")  # done (a visit logged), moved or closed since
    values = {**outgoing.values, "acted": None}
    today = await local_today(uow, clock, person)
    await _still_theirs(uow, person, row, today)
    if op == "done":
        return await _do_what_was_asked(uow, clock, row, values, telegram_user_id, idle)
    if op == "snooze":
        recipient = await _recipient(uow, row)
        later = next_working_day(today, recipient.hours.working_days)
        await uow.outbox.enqueue(
            [
                {
                    **outbox_row(
                        f"{row.key}:snooze:{later}",
                        row.kind,
                        row.team_id or person.team_id,
                        await _recipient_member(uow, row),
                        row.ref,
                        clock.now(),
                    ),
                    "due_at": rules.send_time(later, recipient),
                }
            ]
        )
        skipped = later != today + timedelta(days=1)  # "your next working day", said plainly
        snoozed = {**values, "acted": "snoozed", "until": later, "next_working": skipped}
        return NudgeOutcome(outgoing.template, snoozed, None)
    if op == "move":
        days = await _offered_days(uow, row, today)
        buttons = [
            [
                Offer.worded(dates.day_label(day, today), NudgeChoice.moving_to(row.id, day))
                for day in days[i : i + 3]
            ]
            for i in (0, 3)
        ]
        return NudgeOutcome(outgoing.template, {**values, "acted": "choosing"}, buttons)
    if op.startswith("d"):
        day = date.fromisoformat(op[1:])
        if day not in await _offered_days(uow, row, today):
            raise Refusal("already_done")  # only a day the nudge offered (a forged one is not)
        await _reschedule(uow, clock, person, row, day)
        return NudgeOutcome(outgoing.template, {**values, "acted": "moved", "until": day}, None)
    raise Refusal("already_done")


_FLOW_FOR_DONE = {
    "visit_due": ("visit", "logging"),
    "visit_overdue": ("visit", "logging"),
    "review_coming": ("plan_review", "reviewing"),
    "review_overdue": ("plan_review", "reviewing"),
}
"""Done on a case nudge opens the flow that does it (and how the nudge then reads)."""


async def _do_what_was_asked(
    uow: UnitOfWork,
    clock: Clock,
    row: OutboxMessage,
    values: dict[str, Any],
    telegram_user_id: int,
    idle: timedelta,
) -> NudgeOutcome:
    """Done: a visit opens the visit note; a review opens the review meeting's record (which
    ends with the next date); an action closes."""
    template = "nudge_case" if row.kind in CASE_KINDS else "nudge_action"
    if row.kind in _FLOW_FOR_DONE:
        flow_name, acted = _FLOW_FOR_DONE[row.kind]
        flow = await start_flow(
            uow,
            clock,
            telegram_user_id=telegram_user_id,
            flow_name=flow_name,
            prefill={"case": int(row.ref["case"])},
            idle=idle,
        )
        return NudgeOutcome(template, {**values, "acted": acted}, None, flow)
    action = await uow.actions.get(int(row.ref["action"]))
    assert action is not None
    action.status, action.done_at = "done", clock.now()
    return NudgeOutcome(template, {**values, "acted": "done"}, None)


async def _offered_days(uow: UnitOfWork, row: OutboxMessage, today: date) -> list[date]:
    """The days Reschedule offers: the recipient's next six working days."""
    working = (await _recipient(uow, row)).hours.working_days
    return working_days_ahead(today + timedelta(days=1), 6, working)


async def _still_theirs(uow: UnitOfWork, person: Person, row: OutboxMessage, today: date) -> None:
    """The presser may still change what the nudge is about: the case is theirs (or their
    team's, for a supervisor), or they still cover for its worker."""
    if row.kind in CASE_KINDS:
        case = await uow.cases.get(int(row.ref["case"]))
        assert case is not None  # compose_again found it open
        owner, team_id, refusal = case.worker_id, case.team_id, "case_not_yours"
    else:
        action = await uow.actions.get(int(row.ref["action"]))
        assert action is not None
        owner, team_id, refusal = action.owner_id, action.team_id, "action_not_yours"
    if may_change(actor(person), owner_id=owner, team_id=team_id):
        return
    away = await uow.members.get(owner)
    covering = (
        away is not None
        and away.team_id == person.team_id
        and away.away_cover_id == person.member_id
        and away.away_until is not None
        and away.away_until >= today
    )
    if not covering:
        raise Refusal(refusal)


async def _reschedule(
    uow: UnitOfWork, clock: Clock, person: Person, row: OutboxMessage, day: date
) -> None:
    """Move the date the nudge was about (the visit, the review, the action's due date);
    audited."""
    if row.kind in CASE_KINDS:
        case = await uow.cases.get(int(row.ref["case"]))
        assert case is not None
        field = "next_visit_due" if row.kind.startswith("visit") else "next_review_on"
        before = getattr(case, field)
        setattr(case, field, day)
        subject, team_id, what = f"case:{case.id}", case.team_id, field
    else:
        action = await uow.actions.get(int(row.ref["action"]))
        assert action is not None
        before, action.due_on = action.due_on, day
        subject, team_id, what = f"action:{action.id}", action.team_id, "due_on"
    await uow.audit.record(
        at=clock.now(),
        action="nudge.rescheduled",
        subject=subject,
        team_id=team_id,
        actor_id=person.member_id,
        detail={"date": what, "from": str(before), "to": str(day)},
    )


async def _recipient_member(uow: UnitOfWork, row: OutboxMessage) -> Member:
    """The member the nudge was sent to."""
    member = await uow.members.get(row.member_id or 0)
    assert member is not None
    return member


async def _recipient(uow: UnitOfWork, row: OutboxMessage) -> rules.Recipient:
    """Who the nudge goes to, with their working hours and nudge hour."""
    member = await _recipient_member(uow, row)
    team_rule = await team_rules(uow, member.team_id)
    hour = time.fromisoformat(
        (member.settings or {}).get("nudge_hour") or team_rule.settings.nudge_hour
    )
    return rules.Recipient(member.id, working_hours_for(member, team_rule.hours), hour)
