"""Which nudges are due, worked out from the data (PRODUCT.md "Nudges"). Pure rules.

Every nudge has an *occasion* (a local date) and a unique key built from what
it is about and that occasion, so planning the same thing twice is harmless.
Only the current occasion of each thing is planned: after a pause, a visit
that became overdue gets its overdue nudge, not a stale "due today". The time
to send is the occasion's date at the person's nudge hour, moved on past
non-working days and out of quiet hours.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.domain.schedule import WorkingHours, next_allowed

OVERDUE_REPEAT_DAYS = 3
SUPERVISOR_AFTER_DAYS = 7

CASE_KINDS = ("visit_due", "visit_overdue", "review_coming", "review_overdue")
ACTION_KINDS = ("action_due", "action_overdue")
ASKING_KINDS = (*CASE_KINDS, *ACTION_KINDS)
"""Nudges that ask for something, and so carry Done / Snooze / Reschedule."""


@dataclass(frozen=True)
class Recipient:
    """Who gets a nudge, with their rules for time."""

    member_id: int
    hours: WorkingHours
    nudge_hour: time = time(9, 0)


@dataclass(frozen=True)
class Nudge:
    """One nudge to owe: its key, kind, recipient, occasion and what it is about."""

    key: str
    kind: str
    member_id: int
    on: date
    ref: dict[str, int | str]


def send_time(on: date, recipient: Recipient) -> datetime:
    """When a nudge for this local date goes: the nudge hour on the date, or the next working
    day's, then out of quiet hours."""
    return _send_time(on, recipient.hours, recipient.nudge_hour)


@lru_cache(maxsize=4096)
def _send_time(on: date, hours: WorkingHours, nudge_hour: time) -> datetime:
    """``send_time`` for everyone with the same rules at once: a team's people mostly share
    them, so a planning tick works each out once, not once per nudge."""
    zone = ZoneInfo(hours.zone)
    day = on
    for _ in range(14):
        if day.weekday() in hours.working_days:
            break
        day += timedelta(days=1)
    at = datetime.combine(day, nudge_hour, zone)
    return next_allowed(at, hours)


def visit_nudges(
    case_id: int, due: date | None, today: date, worker: int, supervisors: list[int]
) -> list[Nudge]:
    """Visit due (on the day), overdue (the day after, then every 3 days), and the
    supervisors told once it is a week overdue."""
    if due is None or today < due:
        return []
    if today == due:
        return [Nudge(f"visit_due:{case_id}:{due}", "visit_due", worker, due, {"case": case_id})]
    late = (today - due).days
    occasion = due + timedelta(days=1 + ((late - 1) // OVERDUE_REPEAT_DAYS) * OVERDUE_REPEAT_DAYS)
    found = [
        Nudge(
            f"visit_overdue:{case_id}:{due}:{occasion}",
            "visit_overdue",
            worker,
            occasion,
            {"case": case_id},
        )
    ]
    if late >= SUPERVISOR_AFTER_DAYS:
        tell = due + timedelta(days=SUPERVISOR_AFTER_DAYS)
        found += [
            Nudge(
                f"visit_overdue_sup:{case_id}:{due}:{member}",
                "visit_overdue_supervisor",
                member,
                tell,
                {"case": case_id},
            )
            for member in supervisors
        ]
    return found


def review_nudges(
    case_id: int,
    review: date | None,
    today: date,
    worker: int,
    supervisors: list[int],
    before_days: tuple[int, ...] = (7, 1),
) -> list[Nudge]:
    """Plan review coming (7 and 1 days before) and overdue (the day after, to the worker and
    the supervisors)."""
    if review is None:
        return []
    if today > review:
        overdue = review + timedelta(days=1)
        return [
            Nudge(
                f"review_overdue:{case_id}:{review}:{member}",
                "review_overdue",
                member,
                overdue,
                {"case": case_id},
            )
            for member in [worker, *supervisors]
        ]
    ahead = (review - today).days
    coming = [days for days in sorted(before_days, reverse=True) if days >= ahead]
    if not coming:
        return []
    days = min(coming)
    return [
        Nudge(
            f"review_coming:{case_id}:{review}:{days}",
            "review_coming",
            worker,
            review - timedelta(days=days),
            {"case": case_id, "days": days},
        )
    ]


def action_nudges(action_id: int, due: date, today: date, owner: int) -> list[Nudge]:
    """Action due (on the day) and overdue (the day after)."""
    if today < due:
        return []
    if today == due:
        return [
            Nudge(f"action_due:{action_id}:{due}", "action_due", owner, due, {"action": action_id})
        ]
    return [
        Nudge(
            f"action_overdue:{action_id}:{due}",
            "action_overdue",
            owner,
            due + timedelta(days=1),
            {"action": action_id},
        )
    ]


def monday_of(day: date) -> date:
    """The Monday of the week a day falls in."""
    return day - timedelta(days=day.weekday())


def weekly_summary(member: int, today: date) -> Nudge:
    """Each worker's Monday summary (sent on the week's first working day)."""
    week = monday_of(today)
    return Nudge(f"weekly_summary:{member}:{week}", "weekly_summary", member, week, {})


ON_ITS_DAY_ONLY = ("weekly_summary",)
"""Kinds sent on their day or not at all: a summary of the week is no catch-up."""


def missed_its_day(
    kind: str, send_at: datetime, now: datetime, zone: str, joined_at: datetime | None
) -> str | None:
    """Why a nudge whose time has come is not owed after all (None when it is): a weekly
    summary goes on its own day only ("missed_day"), and never to someone who joined after
    its time that week ("joined_after")."""
    if kind not in ON_ITS_DAY_ONLY:
        return None
    local = ZoneInfo(zone)
    if now.astimezone(local).date() != send_at.astimezone(local).date():
        return "missed_day"
    if joined_at is not None and joined_at > send_at:
        return "joined_after"
    return None


def bearings_prompt(
    member: int, today: date, weekday: int, last_check: date | None
) -> Nudge | None:
    """The weekly bearings prompt (default Friday) if no check was taken this week."""
    week = monday_of(today)
    if last_check is not None and last_check >= week:
        return None
    day = week + timedelta(days=weekday)
    if today < day:
        return None
    return Nudge(f"bearings_prompt:{member}:{week}", "bearings_prompt", member, day, {})


WEEKLY_KINDS = ("weekly_summary", "bearings_prompt", "engagement_check")


def weekly_planned(key: str) -> tuple[str, int, date] | None:
    """The kind, member and week of a weekly summary's or prompt's own key
    (``<kind>:<member>:<Monday>``); None for any other key, a cover's copy included."""
    kind, _, rest = key.partition(":")
    member, _, week = rest.partition(":")
    if kind not in WEEKLY_KINDS or not member.isdigit() or ":" in week:
        return None
    try:
        return kind, int(member), date.fromisoformat(week)
    except ValueError:
        return None


def redirect(nudge: Nudge, cover: int) -> Nudge:
    """The nudge for an away person's case, sent to their cover instead."""
    return replace(
        nudge,
        key=f"{nudge.key}:cover:{cover}",
        member_id=cover,
        ref={**nudge.ref, "for": nudge.member_id},
    )
