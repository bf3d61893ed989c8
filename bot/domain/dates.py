"""Dates as tired key workers type them on a phone, and as the bot shows them back.

British conventions throughout: numeric dates are day before month ("3/12" is 3 December).
Nothing here reads the clock; ``today`` is always passed in.

How ``parse_date`` leans when a form does not say which way it points:

* Past-facing when only the past is allowed (``allow_future=False``, e.g. "when was the visit?");
  future-facing otherwise, including when both directions are allowed.
* A bare weekday ("fri"): future-facing means the first Friday strictly after today (1 to 7 days
  ahead, so "fri" typed on a Friday is next week's Friday); past-facing means the most recent
  Friday on or before today (0 to 6 days back, so "fri" typed on a Friday is today).
* "this fri": as a bare weekday, except that future-facing it may also be today (0 to 6 ahead).
* "next fri": the first Friday strictly after today (1 to 7 days ahead), whatever the lean.
  "last fri": the most recent Friday strictly before today (1 to 7 days back).
* "next week" / "last week": today plus / minus 7 days.
* An amount: "in 3 days", "3 days time" and "3 days from now" are ahead, "3 days ago" is back,
  and a bare "3 days" follows the lean. Units are days, weeks and fortnights.
* A day and month with no year ("3/12", "3 Dec") takes the year (last, this or next) that puts it
  nearest to today in the allowed direction: on or after today when only the future is allowed,
  on or before today when only the past is, and simply nearest (ties go ahead) when both are.
  So "29/2" is read only when a 29 February falls within a year of today.
* Two-digit years are 20xx. A leading weekday on a full date ("Fri 5 Dec") must match it.

Whatever the form, the answer is None when it lands in a direction that is not allowed; today
itself is always allowed.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Literal

_Lean = Literal["future", "past", "nearest"]

_MAX_LENGTH = 60

_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_WEEKDAYS: dict[str, int] = {
    **dict.fromkeys(("mon", "monday"), 0),
    **dict.fromkeys(("tue", "tues", "tuesday"), 1),
    **dict.fromkeys(("wed", "weds", "wednesday", "wensday", "wednsday"), 2),
    **dict.fromkeys(("thu", "thur", "thurs", "thursday"), 3),
    **dict.fromkeys(("fri", "friday"), 4),
    **dict.fromkeys(("sat", "saturday"), 5),
    **dict.fromkeys(("sun", "sunday"), 6),
}

_MONTHS: dict[str, int] = {
    **{name.lower(): number for number, name in enumerate(_MONTH_NAMES, start=1)},
    **{name.lower()[:3]: number for number, name in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
    "febuary": 2,
}

# Whole inputs (after tidying) that name a day relative to today.
_RELATIVE: dict[str, int] = {
    **dict.fromkeys(("today", "tdy", "tday", "2day", "now", "tonight", "tonite"), 0),
    **dict.fromkeys(("this morning", "this afternoon", "this evening"), 0),
    **dict.fromkeys(
        (
            "tomorrow",
            "tmrw",
            "tmr",
            "tmw",
            "tomo",
            "tomoz",
            "2moro",
            "2morrow",
            "tomorow",
            "tommorow",
            "tommorrow",
        ),
        1,
    ),
    **dict.fromkeys(("yesterday", "yday", "yest", "ystday", "yesturday", "last night"), -1),
    "day after tomorrow": 2,
    "day before yesterday": -2,
    "next week": 7,
    "last week": -7,
}

NUMBER_WORDS: dict[str, int] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}

_UNIT_DAYS: dict[str, int] = {
    **dict.fromkeys(("d", "day", "days"), 1),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), 7),
    **dict.fromkeys(("fortnight", "fortnights"), 14),
}

_FILLERS = frozenset({"on", "the", "of"})
_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
_TIMES_OF_DAY = frozenset({"morning", "afternoon", "evening", "night", "lunchtime"})

_JOIN_SEPARATOR = re.compile(r"(?<=[0-9])\s*([/.\-])\s*(?=[0-9])")
_TOKEN = re.compile(r"[0-9]+(?:[/.\-][0-9]+)+|[a-z0-9]+")
_RUN = re.compile(r"[0-9]+|[a-z]+")
_SEPARATOR = re.compile(r"[/.\-]")


def parse_date(
    text: str, today: date, *, allow_past: bool = True, allow_future: bool = True
) -> date | None:
    """Read a date as typed on a phone (British, day first); None if unreadable or not allowed."""
    tokens = _tokens(text)
    if not tokens:
        return None
    lean: _Lean = "nearest"
    if allow_past and not allow_future:
        lean = "past"
    elif allow_future and not allow_past:
        lean = "future"
    try:
        found = _read(tokens, today, lean)
    except OverflowError:
        return None
    if found is None:
        return None
    if (found < today and not allow_past) or (found > today and not allow_future):
        return None
    return found


def upcoming_days(today: date, count: int = 6) -> list[date]:
    """Today and the days after it, ``count`` days in all, oldest first (for date buttons)."""
    return [today + timedelta(days=offset) for offset in range(count)]


def recent_days(today: date, count: int = 6) -> list[date]:
    """Today and the days before it, ``count`` days in all, newest first (for date buttons)."""
    return [today - timedelta(days=offset) for offset in range(count)]


def day_label(day: date, today: date) -> str:
    """Short button text: "Today", "Tomorrow", "Yesterday", or like "Fri 5 Dec"."""
    offset = (day - today).days
    if offset == 0:
        return "Today"
    if offset == 1:
        return "Tomorrow"
    if offset == -1:
        return "Yesterday"
    return short_day(day)


def short_day(day: date) -> str:
    """A date in brief, like "Fri 5 Dec"."""
    return f"{_WEEKDAY_NAMES[day.weekday()][:3]} {day.day} {_MONTH_NAMES[day.month - 1][:3]}"


def format_day(day: date) -> str:
    """A date in full for a message, like "Friday 5 December 2026"."""
    return f"{_WEEKDAY_NAMES[day.weekday()]} {day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"


def _tokens(text: str) -> list[str]:
    """Tidy the text into lower-case words, numbers and numeric dates; empty if unreadable."""
    if len(text) > 4 * _MAX_LENGTH:
        return []
    cleaned = unicodedata.normalize("NFKC", text).casefold().strip()
    if not cleaned or len(cleaned) > _MAX_LENGTH:
        return []
    if any(char.isalnum() and not char.isascii() for char in cleaned):
        return []  # a word or number in another script: not something we can read
    cleaned = _JOIN_SEPARATOR.sub(r"\1", cleaned)
    pieces: list[str] = []
    for raw in _TOKEN.findall(cleaned):
        if raw in _RELATIVE or raw.isdigit() or raw.isalpha() or _SEPARATOR.search(raw):
            pieces.append(raw)
        else:
            pieces.extend(_RUN.findall(raw))  # "3rd" -> "3", "rd"; "3days" -> "3", "days"
    tokens: list[str] = []
    for piece in pieces:
        if piece in _FILLERS:
            continue
        if piece in _ORDINAL_SUFFIXES and tokens and tokens[-1].isdigit():
            continue
        tokens.append(piece)
    return tokens


def _read(tokens: list[str], today: date, lean: _Lean) -> date | None:
    """Try each form in turn; the first that reads the tokens wins."""
    offset = _RELATIVE.get(" ".join(tokens))
    if offset is not None:
        return today + timedelta(days=offset)
    if len(tokens) > 1 and tokens[-1] in _TIMES_OF_DAY:
        return _read(tokens[:-1], today, lean)  # "tomorrow morning", "fri night"
    for reader in (_read_weekday, _read_amount, _read_calendar):
        found = reader(tokens, today, lean)
        if found is not None:
            return found
    return None


def _read_weekday(tokens: list[str], today: date, lean: _Lean) -> date | None:
    """A weekday, bare or after "this", "next" or "last" (rules in the module docstring)."""
    if len(tokens) == 1:
        qualifier, word = "", tokens[0]
    elif len(tokens) == 2 and tokens[0] in ("this", "next", "last"):
        qualifier, word = tokens
    else:
        return None
    weekday = _WEEKDAYS.get(word)
    if weekday is None:
        return None
    ahead = (weekday - today.weekday()) % 7
    behind = (today.weekday() - weekday) % 7
    if qualifier == "next" or (qualifier == "" and lean != "past"):
        return today + timedelta(days=ahead or 7)
    if qualifier == "last":
        return today - timedelta(days=behind or 7)
    if lean == "past":
        return today - timedelta(days=behind)
    return today + timedelta(days=ahead)


def _read_amount(tokens: list[str], today: date, lean: _Lean) -> date | None:
    """An amount of days, weeks or fortnights: "in 3 days", "2 weeks ago", "3 days"."""
    sign = -1 if lean == "past" else 1
    match tokens:
        case ["in", amount, unit] | ["in", amount, unit, "time"]:
            sign = 1
        case [amount, unit, "time"] | [amount, unit, "from", "now" | "today"]:
            sign = 1
        case [amount, unit, "ago"]:
            sign = -1
        case [amount, unit]:
            pass
        case _:
            return None
    count = _amount(amount)
    unit_days = _UNIT_DAYS.get(unit)
    if count is None or unit_days is None:
        return None
    return today + timedelta(days=sign * count * unit_days)


def _amount(text: str) -> int | None:
    """A count as digits or a small number word."""
    if text.isdigit():
        return int(text) if len(text) <= 4 else None
    return NUMBER_WORDS.get(text)


def _read_calendar(tokens: list[str], today: date, lean: _Lean) -> date | None:
    """A calendar date, optionally after a weekday that must agree with it."""
    if not tokens:
        return None
    weekday = _WEEKDAYS.get(tokens[0])
    if weekday is not None:
        tokens = tokens[1:]
    found = _calendar_date(tokens, today, lean)
    if found is None or (weekday is not None and found.weekday() != weekday):
        return None
    return found


def _calendar_date(tokens: list[str], today: date, lean: _Lean) -> date | None:
    """A numeric date ("3/12", "2026-12-03") or one with a month name ("3rd Dec", "Dec 3 2026")."""
    if len(tokens) == 1:
        return _numeric_date(tokens[0], today, lean)
    if len(tokens) not in (2, 3):
        return None
    first, second, *rest = tokens
    if first in _MONTHS:
        month, day_text = _MONTHS[first], second
    elif second in _MONTHS:
        day_text, month = first, _MONTHS[second]
    else:
        return None
    return _build(day_text, month, rest[0] if rest else None, today, lean)


def _numeric_date(token: str, today: date, lean: _Lean) -> date | None:
    """Day/month[/year] with "/", "-" or "." between, or ISO year-month-day."""
    parts = _SEPARATOR.split(token)
    if len(parts) == 3 and len(parts[0]) == 4:
        if len(parts[1]) > 2:
            return None
        return _build(parts[2], int(parts[1]), parts[0], today, lean)
    if len(parts) not in (2, 3) or len(parts[1]) > 2:
        return None
    return _build(parts[0], int(parts[1]), parts[2] if len(parts) == 3 else None, today, lean)


def _build(
    day_text: str, month: int, year_text: str | None, today: date, lean: _Lean
) -> date | None:
    """Make the date, choosing the year when none was given; None if there is no such day."""
    if not (day_text.isdigit() and len(day_text) <= 2):
        return None
    day = int(day_text)
    if year_text is None:
        return _nearest_year(day, month, today, lean)
    if not year_text.isdigit() or len(year_text) not in (2, 4):
        return None
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _nearest_year(day: int, month: int, today: date, lean: _Lean) -> date | None:
    """The day and month in last, this or next year, nearest today in the allowed direction."""
    candidates: list[date] = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if lean == "future":
        return min((found for found in candidates if found >= today), default=None)
    if lean == "past":
        return max((found for found in candidates if found <= today), default=None)
    return min(
        candidates, key=lambda found: (abs((found - today).days), found < today), default=None
    )
