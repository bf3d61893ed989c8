"""Humane timing: working days, quiet hours, and time that only counts while at work.

Pure functions over instants (UTC) and a team's or person's local rules. A
working window is the part of a working day outside quiet hours (by default
Monday to Friday, 08:00 to 20:00 local time). Daylight-saving changes are
handled by doing every step in local wall-clock time through ``zoneinfo``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS_AHEAD = 14


@dataclass(frozen=True)
class WorkingHours:
    """Where and when a person may be nudged."""

    zone: str = "Europe/London"
    quiet_start: time = time(20, 0)
    quiet_end: time = time(8, 0)
    working_days: frozenset[int] = frozenset(range(5))  # Monday = 0

    @classmethod
    def from_settings(
        cls, zone: str, quiet_start: str, quiet_end: str, working_days: str
    ) -> WorkingHours:
        """From stored text: "20:00", "08:00", and working days as digits "12345" (Monday = 1)."""
        return cls(
            zone=zone,
            quiet_start=time.fromisoformat(quiet_start),
            quiet_end=time.fromisoformat(quiet_end),
            working_days=frozenset(int(day) - 1 for day in working_days if day.isdigit()),
        )

    def windows(self, start: datetime) -> list[tuple[datetime, datetime]]:
        """Working windows (UTC) from the day of ``start`` for the next fortnight, in order."""
        return list(self.iter_windows(start))

    def iter_windows(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The same windows, worked out one at a time (the first is often all that is needed:
        the planner asks for it once per nudge)."""
        zone = ZoneInfo(self.zone)
        first = start.astimezone(zone).date()
        for offset in range(MAX_DAYS_AHEAD + 1):
            day = first + timedelta(days=offset)
            if day.weekday() not in self.working_days:
                continue
            for begin, end in self._day_parts():
                opens = datetime.combine(day, begin, zone).astimezone(UTC)
                closes = (
                    datetime.combine(day + timedelta(days=1), time(0), zone)
                    if end == time(0)
                    else datetime.combine(day, end, zone)
                ).astimezone(UTC)
                if closes > start:
                    yield (max(opens, start), closes)

    def _day_parts(self) -> list[tuple[time, time]]:
        """The allowed parts of a day: [quiet_end, quiet_start), or around midnight-free quiet."""
        if self.quiet_start == self.quiet_end:
            return [(time(0), time(0))]
        if self.quiet_end < self.quiet_start:
            return [(self.quiet_end, self.quiet_start)]
        return [(time(0), self.quiet_start), (self.quiet_end, time(0))]


def next_allowed(instant: datetime, hours: WorkingHours) -> datetime:
    """The first moment at or after ``instant`` inside a working window."""
    first = next(hours.iter_windows(instant), None)
    return first[0] if first else instant


def add_working_time(start: datetime, amount: timedelta, hours: WorkingHours) -> datetime:
    """The instant when ``amount`` of working time has passed since ``start``."""
    left = amount
    for opens, closes in hours.iter_windows(start):
        if closes - opens >= left:
            return opens + left
        left -= closes - opens
    return start + amount


EVERY_DAY = frozenset(range(7))
SHORT_OFFSET = 7
"""Date offers less than a week ahead count working days; a week or more keeps its weekday."""


def is_working_day(day: date, working_days: frozenset[int]) -> bool:
    """Whether people work on this local date (any day, for a team with no working days set)."""
    return not working_days or day.weekday() in working_days


def next_working_day(after: date, working_days: frozenset[int]) -> date:
    """The first working day after ``after`` (the next day, when no days are set)."""
    day = after + timedelta(days=1)
    for _ in range(7):
        if is_working_day(day, working_days):
            return day
        day += timedelta(days=1)
    return after + timedelta(days=1)


def working_day_on_or_after(day: date, working_days: frozenset[int]) -> date:
    """The day itself if it is a working day, else the next one."""
    return day if is_working_day(day, working_days) else next_working_day(day, working_days)


def first_working_day_of_month(day: date, working_days: frozenset[int]) -> date:
    """The first working day of ``day``'s month (1 Jan 2028, a Saturday: Monday the 3rd)."""
    return working_day_on_or_after(day.replace(day=1), working_days)


def working_days_ahead(start: date, count: int, working_days: frozenset[int]) -> list[date]:
    """The first ``count`` working days from ``start`` (included), oldest first."""
    found: list[date] = []
    day = working_day_on_or_after(start, working_days)
    while len(found) < count:
        found.append(day)
        day = next_working_day(day, working_days)
    return found


def working_day_offers(
    today: date, offsets: tuple[int, ...] | list[int], working_days: frozenset[int]
) -> list[date]:
    """Days to offer for "in N days" on working days only: under a week ahead, the Nth
    working day after today (1 is the next working day, never a Sunday first); a week or
    more, that date moved on to a working day. Each day once, in the order given."""
    offered: list[date] = []
    for offset in offsets:
        if offset <= 0:
            day = today
        elif offset < SHORT_OFFSET:
            day = today
            for _ in range(offset):
                day = next_working_day(day, working_days)
        else:
            day = working_day_on_or_after(today + timedelta(days=offset), working_days)
        if day not in offered:
            offered.append(day)
    return offered
