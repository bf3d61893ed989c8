"""Reading one cell of a caseload file: a stage, a visit cadence, a date as people write them
in the UK (day first, never relative), and header words tidied for matching."""

from __future__ import annotations

import re
from datetime import date

from bot.domain.caseload_problems import Problem
from bot.domain.cases import EARLIER_LABELS, STAGE_LABELS, Stage
from bot.domain.dates import NUMBER_WORDS

MAX_CADENCE_DAYS = 90
"""The longest gap between visits a row may give (about three months)."""

FIRST_YEAR, LAST_YEAR = 2000, 2099
"""Dates outside these years are typing mistakes, not visits."""


def words(text: str) -> str:
    """Text tidied for loose matching: lower case, "&" as "and", anything but letters and
    digits as single spaces ("Next_Visit-Due " -> "next visit due")."""
    lowered = text.casefold().replace("&", " and ")
    return " ".join(re.sub(r"[^\w]|_", " ", lowered).split())


def read_stage(text: str) -> Stage | None:
    """A stage from its value or its label, loosely ("family meeting", "Monitoring & review")."""
    wanted = words(text)
    for stage in Stage:
        if wanted in (words(stage.value), words(STAGE_LABELS[stage])):
            return stage
    earlier = {words(name): stage for name, stage in EARLIER_LABELS.items()}
    return earlier.get(wanted)


_CADENCE_WORDS = {"daily": 1, "weekly": 7, "fortnightly": 14}
_CADENCE_UNITS = {
    **dict.fromkeys(("d", "day", "days"), 1),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks", "weekly"), 7),
    **dict.fromkeys(("fortnight", "fortnights"), 14),
}


def read_cadence(text: str) -> int | None:
    """Days between visits: "7", "7 days", "weekly", "fortnightly", "every 2 weeks",
    "3-weekly", "every fortnight"; None if unreadable or not 1 to ``MAX_CADENCE_DAYS``.
    ("Monthly" is not read: a month is not a number of days; write 28 or "4 weeks".)"""
    if text.strip().startswith("-"):
        return None
    tokens = re.sub(r"(\d)([a-z])", r"\1 \2", words(text)).split()  # "7days" -> "7 days"
    if tokens[:1] == ["every"]:
        tokens = tokens[1:]
    days: int | None = None
    match tokens:
        case [word] if word in _CADENCE_WORDS:
            days = _CADENCE_WORDS[word]
        case [unit] if unit in ("day", "week", "fortnight"):
            days = _CADENCE_UNITS[unit]
        case [amount]:
            days = _amount(amount)
        case [amount, unit] if unit in _CADENCE_UNITS:
            count = _amount(amount)
            days = None if count is None else count * _CADENCE_UNITS[unit]
    if days is None or not 1 <= days <= MAX_CADENCE_DAYS:
        return None
    return days


def _amount(text: str) -> int | None:
    if text.isascii() and text.isdigit():
        return int(text) if len(text) <= 3 else None
    return NUMBER_WORDS.get(text)


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ISO = re.compile(r"(\d{4})([/.-])(\d{1,2})\2(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
_NAMED = re.compile(
    r"(?:([a-z]{3})[a-z]*,?\s+)?(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]+)\.?,?[\s-]+(\d{4}|\d{2})"
)


def read_file_date(text: str) -> date | Problem:
    """A whole date as written in the UK, day first: ``2026-12-05``, ``5/12/2026``,
    ``05/12/26``, ``5.12.2026``, ``5 Dec 2026``, ``Sat 5 December 2026``, ``5-Dec-26``.

    Two-digit years are 20xx. A numeric date whose "month" is over 12 while its day is not
    (``12/25/2026``) was written month first: that is its own problem, so the sentence can
    say so. Anything else unreadable, outside 2000-2099, or with a weekday that is not the
    date's, is DATE_UNREADABLE.
    """
    cleaned = " ".join(text.casefold().split())
    day: int
    month: int
    year: int
    weekday: str | None = None
    if found := _ISO.fullmatch(cleaned):
        year, month, day = int(found.group(1)), int(found.group(3)), int(found.group(4))
    elif found := _NUMERIC.fullmatch(cleaned):
        day, month = int(found.group(1)), int(found.group(3))
        year = _year(found.group(4))
        if month > 12 and 1 <= day <= 12:
            return Problem.DATE_MONTH_FIRST
    elif found := _NAMED.fullmatch(cleaned):
        weekday, named = found.group(1), _MONTHS.get(found.group(3))
        if named is None or (weekday is not None and weekday not in _WEEKDAYS):
            return Problem.DATE_UNREADABLE
        day, month, year = int(found.group(2)), named, _year(found.group(4))
    else:
        return Problem.DATE_UNREADABLE
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return Problem.DATE_UNREADABLE
    try:
        found_day = date(year, month, day)
    except ValueError:
        return Problem.DATE_UNREADABLE
    if weekday is not None and _WEEKDAYS[found_day.weekday()] != weekday:
        return Problem.DATE_UNREADABLE  # "Fri 5 Dec 2026", but that is a Saturday
    return found_day


def _year(text: str) -> int:
    return int(text) + (2000 if len(text) == 2 else 0)
