"""What a nudge says (service layer): composed at send time from current data.

Each outbox kind of nudge has its composer here (registered in
``bot/services/endings.py``). A nudge composed later checks it is still
relevant (the visit not yet logged, the action not yet done, the date it was
about unchanged) and is dropped otherwise. Nudges that ask for something carry
Done, Snooze 1 day and Reschedule (acted on in ``nudges.actions``). The team's
Monday digest is composed here too, for its group and for /digest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.domain import nudges as rules
from bot.domain.buttons import NudgeChoice, Offer, Offers
from bot.domain.errors import Refusal
from bot.domain.nudges import CASE_KINDS
from bot.services.access import require_person
from bot.services.local_time import member_zone, team_zone
from bot.services.outgoing import Outgoing
from storage.models import Case, OutboxMessage
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


def _dropped(row: OutboxMessage, why: str) -> Outgoing | None:
    """A nudge no longer true at send time: nothing to send (why, at DEBUG; ids only)."""
    log.debug("nudge.dropped", extra={"row": row.id, "kind": row.kind, "why": why})
    return None


def asking_buttons(row_id: int) -> Offers:
    """Done, Snooze 1 day, Reschedule."""
    return [
        [
            Offer(NudgeChoice(row_id, "done"), "nudge_done"),
            Offer(NudgeChoice(row_id, "snooze"), "nudge_snooze"),
        ],
        [Offer(NudgeChoice(row_id, "move"), "nudge_reschedule")],
    ]


async def _case_if_date_stands(uow: UnitOfWork, row: OutboxMessage) -> Case | None:
    """The case a nudge is about, if the date it was about still stands."""
    case = await uow.cases.get(int(row.ref["case"]))
    if case is None or case.closed_at is not None:
        return None
    about = case.next_visit_due if row.kind.startswith("visit") else case.next_review_on
    return case if str(about) == row.ref.get("about") else None


VISIT_KINDS = ("visit_due", "visit_overdue")
"""Nudges that ask for a visit: a visit logged, or a visit note under way, withdraws them."""


async def visit_under_way(uow: UnitOfWork, row: OutboxMessage) -> bool:
    """Whether someone is writing the visit note this visit nudge asks for, right now."""
    return row.kind in VISIT_KINDS and await uow.flows.open_on_case(int(row.ref["case"]), "visit")


async def compose_case_nudge(uow: UnitOfWork, clock: Clock, row: OutboxMessage) -> Outgoing | None:
    """A visit or plan review nudge, while the date it was about still stands (a visit
    logged moves it) and nobody is logging that visit already."""
    case = await _case_if_date_stands(uow, row)
    if case is None:
        return _dropped(row, "date_moved_or_closed")  # a visit logged moves the date
    if await visit_under_way(uow, row):
        return _dropped(row, "visit_under_way")
    if row.kind == "visit_due" and await _recipients_today(uow, clock, row) != case.next_visit_due:
        return _dropped(row, "day_passed")  # "due today" is past: the overdue nudge says it now
    values = await case_nudge_values(uow, row, case)
    return Outgoing("nudge_case", values, asking_buttons(row.id))


async def case_nudge_values(uow: UnitOfWork, row: OutboxMessage, case: Case) -> dict[str, Any]:
    """What a case nudge shows: its kind, the case and the date it was about."""
    about = row.ref.get("about")
    return {
        "kind": row.kind,
        "case": case,
        "due": date.fromisoformat(str(about)) if about and about != "None" else None,
        "days": row.ref.get("days"),
        "acted": None,
        **await _covering(uow, row),
    }


VISIT_LOGGED = "visit_logged"
"""The outbox kind that edits a visit nudge already shown once the visit is logged."""


async def withdraw_visit_nudges(uow: UnitOfWork, case_id: int, now: datetime) -> int:
    """A visit was just logged: every visit nudge about the case already shown (a cover's
    and a snoozed one's too) is edited to say so; those not yet sent are dropped when their
    turn comes (the date they were about has moved). Returns how many edits are owed."""
    shown = [
        row
        for kind in VISIT_KINDS
        for row in await uow.outbox.with_key_prefix(f"{kind}:{case_id}:")
        if row.kind == kind and row.message_id is not None
    ]
    return await uow.outbox.enqueue(
        [
            {
                "key": f"{row.key}:logged",
                "kind": VISIT_LOGGED,
                "team_id": row.team_id,
                "member_id": row.member_id,
                "chat_id": row.chat_id,
                "ref": {"original": row.key},
                "due_at": now,
                "created_at": now,
            }
            for row in shown
        ]
    )


async def compose_visit_logged(
    uow: UnitOfWork, clock: Clock, row: OutboxMessage
) -> Outgoing | None:
    """A visit nudge already shown, edited to say the visit is logged (and its buttons gone);
    nothing when it was never shown."""
    original = await uow.outbox.by_key(str(row.ref["original"]))
    if original is None or original.message_id is None:
        return None
    case = await uow.cases.get(int(original.ref["case"]))
    if case is None:
        return None
    values = {**await case_nudge_values(uow, original, case), "acted": "visit_logged"}
    return Outgoing("nudge_case", values, edit_message_id=original.message_id)


async def compose_supervisor_visit(
    uow: UnitOfWork, clock: Clock, row: OutboxMessage
) -> Outgoing | None:
    """A supervisor told that a visit is a week overdue."""
    case = await _case_if_date_stands(uow, row)
    if case is None:
        return _dropped(row, "date_moved_or_closed")
    worker = await uow.members.get(case.worker_id)
    return Outgoing(
        "nudge_visit_overdue_supervisor",
        {"case": case, "worker": worker.display_name if worker else ""},
    )


async def compose_action_nudge(
    uow: UnitOfWork, clock: Clock, row: OutboxMessage
) -> Outgoing | None:
    """An action due or overdue, while it is open."""
    action = await uow.actions.get(int(row.ref["action"]))
    if action is None or action.status != "open":
        return _dropped(row, "action_closed")
    if row.kind == "action_due" and await _recipients_today(uow, clock, row) != action.due_on:
        return _dropped(row, "day_passed")
    case = await uow.cases.get(action.case_id) if action.case_id else None
    values = {
        "kind": row.kind,
        "action": action,
        "reference": case.reference if case else None,
        "acted": None,
        **await _covering(uow, row),
    }
    return Outgoing("nudge_action", values, asking_buttons(row.id))


async def compose_weekly_summary(
    uow: UnitOfWork, clock: Clock, row: OutboxMessage
) -> Outgoing | None:
    """Monday: this week's visits and reviews, and open actions."""
    if row.member_id is None:
        return None
    week = date.fromisoformat(row.key.rsplit(":", 1)[1])
    end = week + timedelta(days=6)
    cases = await uow.cases.open_for_worker(row.member_id)
    visits = [
        (c.reference, c.next_visit_due)
        for c in cases
        if c.next_visit_due and c.next_visit_due <= end
    ]
    reviews = [
        (c.reference, c.next_review_on)
        for c in cases
        if c.next_review_on and week <= c.next_review_on <= end
    ]
    actions = await uow.actions.open_for_owner(row.member_id)
    return Outgoing(
        "nudge_weekly_summary",
        {
            "week": week,
            "visits": sorted(visits, key=lambda v: v[1]),
            "reviews": sorted(reviews, key=lambda r: r[1]),
            "actions": actions,
        },
    )


async def compose_bearings_prompt(
    uow: UnitOfWork, clock: Clock, row: OutboxMessage
) -> Outgoing | None:
    """The weekly invitation to keep one's bearings."""
    return Outgoing("nudge_bearings", {})


async def compose_unattended(uow: UnitOfWork, clock: Clock, row: OutboxMessage) -> Outgoing | None:
    """A supervisor told whose cases have no cover while they are away."""
    member = await uow.members.get(int(row.ref["member"]))
    if member is None or member.away_until is None or str(member.away_until) != row.ref["until"]:
        return _dropped(row, "back_or_away_changed")
    cases = await uow.cases.open_for_worker(member.id)
    return Outgoing(
        "nudge_unattended",
        {
            "name": member.display_name,
            "until": member.away_until,
            "references": [c.reference for c in cases],
        },
    )


async def compose_digest(uow: UnitOfWork, clock: Clock, row: OutboxMessage) -> Outgoing | None:
    """The team's Monday digest in its group: reviews this week, visits overdue; references
    and first names only."""
    digest = await team_digest(uow, int(row.ref["team"]), date.fromisoformat(row.ref["week"]))
    return Outgoing("digest", {"digest": digest})


@dataclass(frozen=True)
class Digest:
    """What the team's group sees on Monday."""

    team_name: str
    week: date
    reviews: list[tuple[str, str, date]]
    overdue: list[tuple[str, str, date]]
    shown: int = 20
    """At most this many of each list; the rest is counted ("and 12 more – see /cases"), so
    a big team's digest stays one readable message."""


async def team_digest(uow: UnitOfWork, team_id: int, week: date) -> Digest:
    """Reviews due this week and visits overdue, by case reference and worker first name."""
    team = await uow.teams.get(team_id)
    end = week + timedelta(days=6)
    reviews, overdue = [], []
    for case in await uow.cases.open_for_team(team_id):
        worker = await uow.members.get(case.worker_id)
        first = worker.display_name.split()[0] if worker and worker.display_name else ""
        if case.next_review_on and week <= case.next_review_on <= end:
            reviews.append((case.reference, first, case.next_review_on))
        if case.next_visit_due and case.next_visit_due < week:
            overdue.append((case.reference, first, case.next_visit_due))
    return Digest(
        team.name if team else "",
        week,
        sorted(reviews, key=lambda r: r[2]),
        sorted(overdue, key=lambda r: r[2]),
    )


async def digest_preview(uow: UnitOfWork, clock: Clock, *, telegram_user_id: int) -> Digest:
    """/digest: a supervisor sees this week's digest in private."""
    person = await require_person(uow, telegram_user_id)
    if not person.is_supervisor:
        raise Refusal("supervisors_only")
    today = clock.now().astimezone(await team_zone(uow, person.team_id)).date()
    return await team_digest(uow, person.team_id, rules.monday_of(today))


async def _covering(uow: UnitOfWork, row: OutboxMessage) -> dict[str, Any]:
    """For a nudge sent to a cover: whose case it is."""
    if "for" not in row.ref:
        return {"covering": None}
    member = await uow.members.get(int(row.ref["for"]))
    return {"covering": member.display_name if member else None}


async def compose_again(uow: UnitOfWork, clock: Clock, row: OutboxMessage) -> Outgoing | None:
    """The nudge as it would be composed now (None when it no longer applies)."""
    if row.kind in CASE_KINDS:
        return await compose_case_nudge(uow, clock, row)
    return await compose_action_nudge(uow, clock, row)


async def _recipients_today(uow: UnitOfWork, clock: Clock, row: OutboxMessage) -> date:
    """Today where the nudge's recipient is."""
    member = await uow.members.get(row.member_id or 0)
    assert member is not None  # a nudge that asks is owed to a member
    return clock.now().astimezone(await member_zone(uow, member)).date()
