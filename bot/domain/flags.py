"""Flag rules: urgencies, states, what each supervisor action does, and when to chase.

Pure functions. A flag is raised ``open``; a supervisor acknowledges it, says
they will call, or puts it on the supervision agenda (each "picks it up"), and
finally resolves it with a one-line outcome. Not picked up in time, the
supervisors are reminded; after twice the time it is escalated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.schedule import WorkingHours, add_working_time
from bot.domain.team_settings import TeamSettings


class Urgency(StrEnum):
    """How soon a supervisor needs to look."""

    TODAY = "today"
    WEEK = "week"
    SUPERVISION = "supervision"


class FlagState(StrEnum):
    """Where a flag is."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CALLING = "calling"
    AGENDA = "agenda"
    RESOLVED = "resolved"


class FlagAction(StrEnum):
    """What a supervisor can do to a flag from its message."""

    ACKNOWLEDGE = "ack"
    CALL = "call"
    AGENDA = "agenda"
    RESOLVE = "resolve"


STATE_AFTER = {
    FlagAction.ACKNOWLEDGE: FlagState.ACKNOWLEDGED,
    FlagAction.CALL: FlagState.CALLING,
    FlagAction.AGENDA: FlagState.AGENDA,
    FlagAction.RESOLVE: FlagState.RESOLVED,
}


def allowed(state: FlagState, action: FlagAction) -> bool:
    """Whether the action still means something in this state (repeats do not)."""
    if state is FlagState.RESOLVED:
        return False
    return STATE_AFTER[action] is not state


def actions_in(state: FlagState) -> list[FlagAction]:
    """What still means something in this state."""
    return [action for action in FlagAction if allowed(state, action)]


SAFEGUARDING = "safeguarding"
"""A flag's source when someone may be at immediate risk of harm."""


def may_wait_for_supervision(urgency: Urgency, source: str) -> bool:
    """Whether a flag may be parked on the supervision agenda: never an urgent one, nor one
    about someone at risk (CONTENT: they are chased until resolved)."""
    return urgency is not Urgency.TODAY and source != SAFEGUARDING


def offered(state: FlagState, urgency: Urgency, source: str) -> list[FlagAction]:
    """The buttons a flag's message offers: "Add to agenda" only for a flag that may wait."""
    return [
        action
        for action in actions_in(state)
        if action is not FlagAction.AGENDA or may_wait_for_supervision(urgency, source)
    ]


@dataclass(frozen=True)
class Deadlines:
    """When to remind the supervisors and when to escalate; None when never."""

    remind_at: datetime | None
    escalate_at: datetime | None


def deadlines(
    urgency: Urgency, raised_at: datetime, settings: TeamSettings, hours: WorkingHours
) -> Deadlines:
    """Urgent flags run on the clock; "this week" ones on working time; "next supervision"
    flags wait for the supervision itself."""
    if urgency is Urgency.TODAY:
        limit = timedelta(minutes=settings.ack_minutes_today)
        return Deadlines(raised_at + limit, raised_at + 2 * limit)
    if urgency is Urgency.WEEK:
        limit = timedelta(minutes=settings.ack_working_minutes_week)
        return Deadlines(
            add_working_time(raised_at, limit, hours),
            add_working_time(raised_at, 2 * limit, hours),
        )
    return Deadlines(None, None)


def follow_up_deadlines(
    urgency: Urgency,
    picked_up_at: datetime,
    settings: TeamSettings,
    hours: WorkingHours,
    next_supervision: datetime | None = None,
) -> Deadlines:
    """A flag picked up but not resolved is finished only when resolved: whoever took it is
    asked for an update, then every supervisor is told it has stalled (CONTENT: chased until
    resolved). Urgent ones on the clock, "this week" ones in working days, "next supervision"
    ones when the worker's next supervision is over (``next_supervision``: the start of the
    day after it), else after the team's days, and escalated the same days later."""
    if urgency is Urgency.TODAY:
        update = timedelta(hours=settings.update_hours_today)
        return Deadlines(picked_up_at + update, picked_up_at + 2 * update)
    if urgency is Urgency.WEEK:
        update = settings.update_working_days_week * timedelta(
            minutes=settings.ack_working_minutes_week
        )
        return Deadlines(
            add_working_time(picked_up_at, update, hours),
            add_working_time(picked_up_at, 2 * update, hours),
        )
    update = timedelta(days=settings.update_days_supervision)
    if next_supervision is not None and next_supervision > picked_up_at:
        return Deadlines(next_supervision, next_supervision + update)
    return Deadlines(picked_up_at + update, picked_up_at + 2 * update)


def chase_due(
    now: datetime,
    due: Deadlines,
    *,
    reminded: bool,
    escalated: bool,
) -> tuple[bool, bool]:
    """(remind now, escalate now): each happens once, escalation implies a reminder was due."""
    remind = due.remind_at is not None and now >= due.remind_at and not reminded
    escalate = due.escalate_at is not None and now >= due.escalate_at and not escalated
    return remind, escalate


@dataclass(frozen=True)
class FlagFigures:
    """How a team's flags went over a period."""

    raised: int
    acknowledged: int
    median_to_ack: timedelta | None
    p90_to_ack: timedelta | None
    escalated: int


def flag_figures(flags: list[tuple[datetime, datetime | None, bool]]) -> FlagFigures:
    """From (raised at, first picked up at, escalated) per flag: counts, and the median and
    90th percentile time to pick-up (nearest-rank) over the flags that were picked up."""
    waits = sorted(handled - raised for raised, handled, _ in flags if handled is not None)
    return FlagFigures(
        raised=len(flags),
        acknowledged=len(waits),
        median_to_ack=_rank(waits, 0.5),
        p90_to_ack=_rank(waits, 0.9),
        escalated=sum(1 for _, _, escalated in flags if escalated),
    )


def _rank(values: list[timedelta], share: float) -> timedelta | None:
    """The nearest-rank percentile of sorted values (None for none)."""
    if not values:
        return None
    index = max(0, math.ceil(share * len(values)) - 1)
    return values[min(index, len(values) - 1)]
