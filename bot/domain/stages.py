"""The key-worker process's stages as reminders (CONTENT.md §D): which stage reminder is due,
from a case's dates alone. Pure rules, like ``bot.domain.nudges``, whose ``Nudge`` they make.

- Engagement, no first contact yet: the worker is prompted the day after the case opens and
  every two days after; the supervisors are told once when a week has gone by with none.
- The assessment is due two weeks after the first contact (while the case is not past it).
- Family meeting: "book it" two days into the stage and weekly until a date is set; "record
  the plan" the day after the meeting.
- Evaluation and closing: a prompt a week into the stage, and weekly, until it is closed.
- The Friday engagement check: each worker, once a week, on the team's day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.cases import Stage
from bot.domain.nudges import Nudge, monday_of

FIRST_CONTACT_EVERY = 2
"""Days between prompts while a case waits for its first contact."""
MEETING_EVERY = 7
CLOSING_EVERY = 7
BEFORE_ASSESSMENT = (Stage.ENGAGEMENT, Stage.AGREEMENT, Stage.ASSESSMENT)
STAGE_KINDS = (
    "first_contact",
    "first_contact_alert",
    "assessment_due",
    "meeting_to_book",
    "plan_to_record",
    "closing_prompt",
)
NEXT_STAGE = dict(zip(list(Stage)[:-1], list(Stage)[1:], strict=True))
"""The stage after each (the last has none: the case is closed from it)."""


@dataclass(frozen=True)
class StageCase:
    """What a case's stage reminders are worked out from."""

    id: int
    worker_id: int
    stage: str
    opened_on: date
    stage_since: date | None
    first_contact_on: date | None
    meeting_on: date | None


@dataclass(frozen=True)
class StageTimings:
    """The team's settings for the stage reminders."""

    first_contact_alert_days: int = 7
    assessment_due_days: int = 14


def _repeating(start: date, every: int, today: date) -> date | None:
    """The latest occasion of something due on ``start`` and every ``every`` days after."""
    if today < start:
        return None
    return start + timedelta(days=((today - start).days // every) * every)


def stage_nudges(
    case: StageCase, today: date, supervisors: list[int], timings: StageTimings
) -> list[Nudge]:
    """The stage reminders of one case whose occasion has come (only the current one of each)."""
    ref: dict[str, int | str] = {"case": case.id}
    since = case.stage_since or case.opened_on
    found: list[Nudge] = []
    if case.stage == Stage.ENGAGEMENT and case.first_contact_on is None:
        occasion = _repeating(case.opened_on + timedelta(days=1), FIRST_CONTACT_EVERY, today)
        if occasion is not None:
            key = f"first_contact:{case.id}:{occasion}"
            found.append(Nudge(key, "first_contact", case.worker_id, occasion, ref))
        alert = case.opened_on + timedelta(days=timings.first_contact_alert_days)
        if today >= alert:
            found += [
                Nudge(f"first_contact_alert:{case.id}:{s}", "first_contact_alert", s, alert, ref)
                for s in supervisors
            ]
    if case.first_contact_on is not None and case.stage in BEFORE_ASSESSMENT:
        due = case.first_contact_on + timedelta(days=timings.assessment_due_days)
        if today >= due:
            found.append(
                Nudge(f"assessment_due:{case.id}:{due}", "assessment_due", case.worker_id, due, ref)
            )
    if case.stage == Stage.FAMILY_MEETING and case.meeting_on is None:
        occasion = _repeating(since + timedelta(days=2), MEETING_EVERY, today)
        if occasion is not None:
            key = f"meeting_to_book:{case.id}:{occasion}"
            found.append(Nudge(key, "meeting_to_book", case.worker_id, occasion, ref))
    if case.stage == Stage.FAMILY_MEETING and case.meeting_on is not None:
        after = case.meeting_on + timedelta(days=1)
        if today >= after:
            key = f"plan_to_record:{case.id}:{case.meeting_on}"
            found.append(Nudge(key, "plan_to_record", case.worker_id, after, ref))
    if case.stage == Stage.CLOSING:
        occasion = _repeating(since + timedelta(days=CLOSING_EVERY), CLOSING_EVERY, today)
        if occasion is not None:
            key = f"closing_prompt:{case.id}:{occasion}"
            found.append(Nudge(key, "closing_prompt", case.worker_id, occasion, ref))
    return found


def engagement_check(member: int, today: date, weekday: int) -> Nudge | None:
    """The weekly engagement check (default Friday), from its day to the week's end."""
    week = monday_of(today)
    day = week + timedelta(days=weekday)
    if today < day:
        return None
    return Nudge(f"engagement_check:{member}:{week}", "engagement_check", member, day, {})


def still_due(kind: str, case: StageCase) -> bool:
    """Whether a stage reminder planned earlier still holds when it is sent (the case may
    have moved on, had its first contact or its meeting booked since)."""
    if kind in ("first_contact", "first_contact_alert"):
        return case.stage == Stage.ENGAGEMENT and case.first_contact_on is None
    if kind == "assessment_due":
        return case.stage in BEFORE_ASSESSMENT
    if kind == "meeting_to_book":
        return case.stage == Stage.FAMILY_MEETING and case.meeting_on is None
    if kind == "plan_to_record":
        return case.stage == Stage.FAMILY_MEETING
    return case.stage == Stage.CLOSING
