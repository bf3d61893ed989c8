"""Dates as key workers type them, and as the bot shows them (bot/domain/dates.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.dates import day_label, format_day, parse_date, recent_days, upcoming_days

WED = date(2026, 12, 2)  # a Wednesday: "today" unless a test says otherwise
FRI = date(2026, 12, 4)  # a Friday, for "the weekday is today" cases

PAST_ONLY = {"allow_future": False}
FUTURE_ONLY = {"allow_past": False}
BOTH: dict[str, bool] = {}


def days(offset: int, today: date = WED) -> date:
    return today + timedelta(days=offset)


# --- relative words ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("today", 0),
        ("Today", 0),
        ("TODAY", 0),
        ("  today  ", 0),
        ("today!", 0),
        ("tdy", 0),
        ("2day", 0),
        ("tonight", 0),
        ("this morning", 0),
        ("tomorrow", 1),
        ("Tomorrow.", 1),
        ("tmrw", 1),
        ("TMRW!!", 1),
        ("tmr", 1),
        ("tommorow", 1),
        ("tomorrow morning", 1),
        ("yesterday", -1),
        ("Yesterday?", -1),
        ("yday", -1),
        ("last night", -1),
        ("day after tomorrow", 2),
        ("the day after tomorrow", 2),
        ("the day before yesterday", -2),
        ("next week", 7),
        ("Next  Week", 7),
        ("last week", -7),
    ],
)
def test_relative_words(text: str, offset: int) -> None:
    assert parse_date(text, WED) == days(offset)


# --- weekdays ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "kwargs", "expected"),
    [
        # Future-facing (and the default when both are allowed): strictly after today, 1-7 ahead.
        ("fri", WED, FUTURE_ONLY, date(2026, 12, 4)),
        ("fri", WED, BOTH, date(2026, 12, 4)),
        ("friday", WED, FUTURE_ONLY, date(2026, 12, 4)),
        ("Fri.", WED, FUTURE_ONLY, date(2026, 12, 4)),
        ("FRIDAY", WED, FUTURE_ONLY, date(2026, 12, 4)),
        ("  fri!  ", WED, FUTURE_ONLY, date(2026, 12, 4)),
        ("on fri", WED, FUTURE_ONLY, date(2026, 12, 4)),
        ("fri evening", WED, FUTURE_ONLY, date(2026, 12, 4)),
        ("thurs", WED, FUTURE_ONLY, date(2026, 12, 3)),
        ("thu", WED, FUTURE_ONLY, date(2026, 12, 3)),
        ("thursday", WED, FUTURE_ONLY, date(2026, 12, 3)),
        ("tues", WED, FUTURE_ONLY, date(2026, 12, 8)),
        ("tue", WED, FUTURE_ONLY, date(2026, 12, 8)),
        ("mon", WED, FUTURE_ONLY, date(2026, 12, 7)),
        ("sat", WED, FUTURE_ONLY, date(2026, 12, 5)),
        ("sun", WED, FUTURE_ONLY, date(2026, 12, 6)),
        ("weds", WED, FUTURE_ONLY, date(2026, 12, 9)),  # today's weekday: a week ahead
        ("wed", WED, BOTH, date(2026, 12, 9)),
        ("fri", FRI, FUTURE_ONLY, date(2026, 12, 11)),
        ("fri", FRI, BOTH, date(2026, 12, 11)),
        # Past-facing: the most recent on or before today, 0-6 back.
        ("fri", WED, PAST_ONLY, date(2026, 11, 27)),
        ("Fri.", WED, PAST_ONLY, date(2026, 11, 27)),
        ("thurs", WED, PAST_ONLY, date(2026, 11, 26)),
        ("tues", WED, PAST_ONLY, date(2026, 12, 1)),
        ("weds", WED, PAST_ONLY, WED),  # today's weekday: today
        ("fri", FRI, PAST_ONLY, FRI),
        # "this": like the bare weekday, but future-facing it may be today.
        ("this fri", WED, BOTH, date(2026, 12, 4)),
        ("this fri", FRI, FUTURE_ONLY, FRI),
        ("this fri", WED, PAST_ONLY, date(2026, 11, 27)),
        # "next": strictly after today, 1-7 ahead. "last": strictly before, 1-7 back.
        ("next fri", WED, BOTH, date(2026, 12, 4)),
        ("next friday", FRI, BOTH, date(2026, 12, 11)),
        ("next wed", WED, FUTURE_ONLY, date(2026, 12, 9)),
        ("last fri", WED, BOTH, date(2026, 11, 27)),
        ("last fri", FRI, PAST_ONLY, date(2026, 11, 27)),
        ("last tues", WED, PAST_ONLY, date(2026, 12, 1)),
        # Across the New Year.
        ("fri", date(2026, 12, 30), FUTURE_ONLY, date(2027, 1, 1)),
        ("mon", date(2027, 1, 1), PAST_ONLY, date(2026, 12, 28)),
    ],
)
def test_weekdays(text: str, today: date, kwargs: dict[str, bool], expected: date) -> None:
    assert parse_date(text, today, **kwargs) == expected


@given(
    today=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    weekday=st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
)
def test_weekday_rule_holds_on_every_day(today: date, weekday: str) -> None:
    wanted = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].index(weekday)
    ahead = parse_date(weekday, today, allow_past=False)
    behind = parse_date(weekday, today, allow_future=False)
    assert ahead is not None and behind is not None
    assert ahead.weekday() == wanted == behind.weekday()
    assert 1 <= (ahead - today).days <= 7
    assert 0 <= (today - behind).days <= 6


# --- amounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kwargs", "offset"),
    [
        ("in 3 days", BOTH, 3),
        ("in 3 days", FUTURE_ONLY, 3),
        ("3 days", BOTH, 3),
        ("3 days", FUTURE_ONLY, 3),
        ("3 days", PAST_ONLY, -3),  # a bare amount follows the question's direction
        ("3days", BOTH, 3),
        ("in 1 day", BOTH, 1),
        ("in 0 days", BOTH, 0),
        ("in three days", BOTH, 3),
        ("in 3 days time", BOTH, 3),
        ("in 3 days' time", BOTH, 3),
        ("3 days from now", BOTH, 3),
        ("in 2 weeks", BOTH, 14),
        ("2 weeks", FUTURE_ONLY, 14),
        ("2 wks", BOTH, 14),
        ("in a week", BOTH, 7),
        ("in a fortnight", BOTH, 14),
        ("3 days ago", BOTH, -3),
        ("3 days ago", PAST_ONLY, -3),
        ("a week ago", PAST_ONLY, -7),
        ("2 weeks ago", BOTH, -14),
        ("IN 10 DAYS", BOTH, 10),
    ],
)
def test_amounts(text: str, kwargs: dict[str, bool], offset: int) -> None:
    assert parse_date(text, WED, **kwargs) == days(offset)


# --- calendar dates ---------------------------------------------------------------------------

DEC_3 = date(2026, 12, 3)


@pytest.mark.parametrize(
    "text",
    [
        "3/12",
        "3-12",
        "3.12",
        "03/12",
        "3 / 12",
        "3/12.",
        "03/12/2026",
        "3/12/2026",
        "3/12/26",
        "3-12-2026",
        "3.12.26",
        "2026-12-03",
        "2026/12/03",
        "3 Dec",
        "3 dec",
        "3 DEC.",
        "3rd December",
        "3rd of December",
        "on the 3rd of December",
        "3 Dec 2026",
        "3 Dec 26",
        "Dec 3",
        "Dec. 3rd",
        "December 3rd 2026",
        "December 3rd, 2026",
        "Thu 3 Dec",
        "Thursday 3 December 2026",
        "thurs 3/12",
        "３/１２",  # full-width digits, as some phone keyboards send
    ],
)
def test_calendar_forms(text: str) -> None:
    assert parse_date(text, WED) == DEC_3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1/1/2027", date(2027, 1, 1)),
        ("25/12", date(2026, 12, 25)),
        ("1 Jan", date(2027, 1, 1)),
        ("14 feb", date(2027, 2, 14)),
        ("3 Sept", date(2026, 9, 3)),  # nearer last September than next
        ("10 Oct", date(2026, 10, 10)),
        ("12/5", date(2027, 5, 12)),  # day first: 12 May, not 5 December
        ("1/6", date(2027, 6, 1)),  # 181 days ahead beats 184 back
        ("4/6", date(2026, 6, 4)),  # 181 days back beats 184 ahead
        ("30/5", date(2027, 5, 30)),  # 179 days ahead beats 186 back
    ],
)
def test_without_a_year_both_directions_take_the_nearest(text: str, expected: date) -> None:
    assert parse_date(text, WED) == expected


# --- the year when none is given, and New Year ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "kwargs", "expected"),
    [
        ("2/1", date(2026, 12, 30), FUTURE_ONLY, date(2027, 1, 2)),
        ("2/1", date(2026, 12, 30), BOTH, date(2027, 1, 2)),
        ("2/1", date(2026, 12, 30), PAST_ONLY, date(2026, 1, 2)),
        ("2 Jan", date(2026, 12, 30), FUTURE_ONLY, date(2027, 1, 2)),
        ("29/12", date(2026, 12, 30), BOTH, date(2026, 12, 29)),
        ("29/12", date(2026, 12, 30), PAST_ONLY, date(2026, 12, 29)),
        ("29/12", date(2026, 12, 30), FUTURE_ONLY, date(2027, 12, 29)),
        ("30/12", date(2026, 12, 30), FUTURE_ONLY, date(2026, 12, 30)),  # today is allowed
        ("30/12", date(2026, 12, 30), PAST_ONLY, date(2026, 12, 30)),
        ("30/12", date(2027, 1, 2), BOTH, date(2026, 12, 30)),
        ("30/12", date(2027, 1, 2), PAST_ONLY, date(2026, 12, 30)),
        ("30/12", date(2027, 1, 2), FUTURE_ONLY, date(2027, 12, 30)),
        ("Dec 31", date(2027, 1, 1), PAST_ONLY, date(2026, 12, 31)),
        ("tomorrow", date(2026, 12, 31), BOTH, date(2027, 1, 1)),
        ("yesterday", date(2027, 1, 1), BOTH, date(2026, 12, 31)),
        ("in 3 days", date(2026, 12, 30), BOTH, date(2027, 1, 2)),
        ("next week", date(2026, 12, 28), BOTH, date(2027, 1, 4)),
    ],
)
def test_year_choice_and_new_year(
    text: str, today: date, kwargs: dict[str, bool], expected: date
) -> None:
    assert parse_date(text, today, **kwargs) == expected


# --- leap day ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "kwargs", "expected"),
    [
        ("29/2/2028", WED, BOTH, date(2028, 2, 29)),
        ("29/02/28", WED, BOTH, date(2028, 2, 29)),
        ("29 Feb 2028", WED, BOTH, date(2028, 2, 29)),
        ("2028-02-29", WED, BOTH, date(2028, 2, 29)),
        ("29/2/2024", WED, BOTH, date(2024, 2, 29)),
        ("29/2/2000", WED, BOTH, date(2000, 2, 29)),
        ("29/2/2026", WED, BOTH, None),
        ("29 February 2027", WED, BOTH, None),
        ("2027-02-29", WED, BOTH, None),
        ("29/2/2100", WED, BOTH, None),  # not a leap year: divisible by 100, not 400
        # Without a year: read only when a 29 February is within a year of today.
        ("29/2", date(2028, 1, 15), FUTURE_ONLY, date(2028, 2, 29)),
        ("29/2", date(2028, 1, 15), BOTH, date(2028, 2, 29)),
        ("29/2", date(2028, 6, 1), PAST_ONLY, date(2028, 2, 29)),
        ("29/2", date(2028, 6, 1), BOTH, date(2028, 2, 29)),
        ("29 feb", date(2027, 6, 1), FUTURE_ONLY, date(2028, 2, 29)),
        ("29/2", date(2026, 6, 1), BOTH, None),
        ("29/2", date(2026, 6, 1), FUTURE_ONLY, None),
        ("29/2", date(2026, 6, 1), PAST_ONLY, None),
        ("29/2", date(2028, 6, 1), FUTURE_ONLY, None),
    ],
)
def test_leap_day(text: str, today: date, kwargs: dict[str, bool], expected: date | None) -> None:
    assert parse_date(text, today, **kwargs) == expected


# --- direction rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kwargs", "expected"),
    [
        ("tomorrow", PAST_ONLY, None),
        ("yesterday", FUTURE_ONLY, None),
        ("today", PAST_ONLY, WED),
        ("today", FUTURE_ONLY, WED),
        ("today", {"allow_past": False, "allow_future": False}, WED),
        ("2/12/2026", {"allow_past": False, "allow_future": False}, WED),
        ("tomorrow", {"allow_past": False, "allow_future": False}, None),
        ("yesterday", {"allow_past": False, "allow_future": False}, None),
        ("next fri", PAST_ONLY, None),
        ("last fri", FUTURE_ONLY, None),
        ("next week", PAST_ONLY, None),
        ("last week", FUTURE_ONLY, None),
        ("in 3 days", PAST_ONLY, None),
        ("3 days from now", PAST_ONLY, None),
        ("3 days ago", FUTURE_ONLY, None),
        ("03/12/2026", PAST_ONLY, None),
        ("1/12/2026", FUTURE_ONLY, None),
        ("2026-12-01", FUTURE_ONLY, None),
        ("2026-12-01", PAST_ONLY, date(2026, 12, 1)),
        ("3 Dec 2026", FUTURE_ONLY, DEC_3),
    ],
)
def test_direction_rules(text: str, kwargs: dict[str, bool], expected: date | None) -> None:
    assert parse_date(text, WED, **kwargs) == expected


# --- rejections -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "...",
        "gibberish",
        "asdf qwerty",
        "the",
        "next",
        "last",
        "this",
        "in days",
        "in 3",
        "3",
        "3 12",
        "in three blorps",
        "next month",
        "32/1",
        "31/2",
        "30/2",
        "0/1",
        "1/0",
        "1/13",
        "31/4",
        "31/2/2026",
        "32 Dec",
        "Dec 32",
        "2026-13-01",
        "2026-02-30",
        "2026-12",
        "3/12/202",
        "3/12/20266",
        "3/12/2026/1",
        "123/12",
        "3/123",
        "0/0/0000",
        "1/1/0000",
        "fri 5",
        "Fri 3 Dec",  # 3 December 2026 is a Thursday
        "Friday 3 December 2026",
        "in 99999 days",
        "🙂",
        "🙂🙂🙂",
        "📅 ⏰",
        "пятница",
        "tomorrow завтра",
        "٣/١٢",
        "x" * 1000,
        "tomorrow " * 20,
        "3/12" + " " * 100 + "!",
        "3/12" * 50,
    ],
)
def test_rejects_what_it_cannot_read(text: str) -> None:
    assert parse_date(text, WED) is None
    assert parse_date(text, WED, allow_past=False) is None
    assert parse_date(text, WED, allow_future=False) is None


def test_emoji_around_a_readable_date_is_ignored() -> None:
    assert parse_date("tmrw 🙂", WED) == days(1)
    assert parse_date("👍 3/12", WED) == DEC_3


def test_the_edges_of_the_calendar_do_not_raise() -> None:
    assert parse_date("tomorrow", date.max) is None
    assert parse_date("yesterday", date.min) is None
    assert parse_date("in 9999 weeks", date.max) is None
    assert parse_date("fri", date.max) is None
    assert parse_date("31/12", date.max, allow_past=False) == date.max
    assert parse_date("1/1", date.min) == date.min


# --- buttons and display ----------------------------------------------------------------------


def test_upcoming_days() -> None:
    assert upcoming_days(WED) == [days(offset) for offset in range(6)]
    assert upcoming_days(date(2026, 12, 30), 4) == [
        date(2026, 12, 30),
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 2),
    ]
    assert upcoming_days(WED, 1) == [WED]
    assert upcoming_days(WED, 0) == []


def test_recent_days() -> None:
    assert recent_days(WED) == [days(-offset) for offset in range(6)]
    assert recent_days(date(2027, 1, 2), 3) == [
        date(2027, 1, 2),
        date(2027, 1, 1),
        date(2026, 12, 31),
    ]
    assert recent_days(WED, 0) == []


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (WED, "Today"),
        (days(1), "Tomorrow"),
        (days(-1), "Yesterday"),
        (days(2), "Fri 4 Dec"),
        (days(-2), "Mon 30 Nov"),
        (date(2026, 12, 10), "Thu 10 Dec"),
        (date(2027, 1, 5), "Tue 5 Jan"),
        (date(2026, 12, 6), "Sun 6 Dec"),
        (date(2026, 12, 5), "Sat 5 Dec"),
        (date(2026, 12, 9), "Wed 9 Dec"),
    ],
)
def test_day_label(day: date, expected: str) -> None:
    assert day_label(day, WED) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 4), "Friday 4 December 2026"),
        (date(2027, 1, 1), "Friday 1 January 2027"),
        (date(2028, 2, 29), "Tuesday 29 February 2028"),
        (date(2026, 3, 2), "Monday 2 March 2026"),
        (date(2026, 4, 14), "Tuesday 14 April 2026"),
        (date(2026, 5, 20), "Wednesday 20 May 2026"),
        (date(2026, 6, 18), "Thursday 18 June 2026"),
        (date(2026, 7, 11), "Saturday 11 July 2026"),
        (date(2026, 8, 9), "Sunday 9 August 2026"),
        (date(2026, 9, 30), "Wednesday 30 September 2026"),
        (date(2026, 10, 31), "Saturday 31 October 2026"),
        (date(2026, 11, 5), "Thursday 5 November 2026"),
    ],
)
def test_format_day(day: date, expected: str) -> None:
    assert format_day(day) == expected


def test_names_do_not_depend_on_the_machine_locale() -> None:
    import locale

    previous = locale.setlocale(locale.LC_TIME)
    for name in ("de_DE.UTF-8", "fr_FR.UTF-8", "C.UTF-8"):
        try:
            locale.setlocale(locale.LC_TIME, name)
        except locale.Error:
            continue
        try:
            assert format_day(FRI) == "Friday 4 December 2026"
            assert day_label(FRI, WED - timedelta(days=7)) == "Fri 4 Dec"
        finally:
            locale.setlocale(locale.LC_TIME, previous)


# --- properties -------------------------------------------------------------------------------

_VOCABULARY = [
    "in",
    "next",
    "last",
    "this",
    "ago",
    "the",
    "of",
    "on",
    "a",
    "day",
    "days",
    "week",
    "weeks",
    "fortnight",
    "time",
    "from",
    "now",
    "today",
    "tomorrow",
    "yesterday",
    "morning",
    "fri",
    "thurs",
    "dec",
    "feb",
    "3rd",
    "29",
    "31",
    "2026",
    "26",
    "3/12",
    "29/2",
    "2026-12-03",
    "/",
    "-",
    ".",
    "🙂",
]

_TODAYS = st.dates()  # the whole range, to reach the edges of the calendar


@given(
    text=st.text(max_size=300),
    today=_TODAYS,
    allow_past=st.booleans(),
    allow_future=st.booleans(),
)
def test_never_raises_on_arbitrary_text(
    text: str, today: date, allow_past: bool, allow_future: bool
) -> None:
    found = parse_date(text, today, allow_past=allow_past, allow_future=allow_future)
    assert found is None or isinstance(found, date)


@given(
    words=st.lists(st.sampled_from(_VOCABULARY), max_size=6),
    digits=st.text(alphabet="0123456789/.- ", max_size=12),
    today=_TODAYS,
    allow_past=st.booleans(),
    allow_future=st.booleans(),
)
def test_never_raises_on_near_misses_and_respects_direction(
    words: list[str], digits: str, today: date, allow_past: bool, allow_future: bool
) -> None:
    for text in (" ".join(words), digits, " ".join([*words, digits])):
        found = parse_date(text, today, allow_past=allow_past, allow_future=allow_future)
        assert found is None or isinstance(found, date)
        if found is not None:
            assert allow_past or found >= today
            assert allow_future or found <= today


_NEAR = st.dates(min_value=date(1901, 1, 1), max_value=date(2199, 12, 31))


@given(today=_NEAR, offset=st.integers(min_value=-300, max_value=300))
def test_full_dates_read_back_exactly(today: date, offset: int) -> None:
    d = today + timedelta(days=offset)
    assert parse_date(d.isoformat(), today) == d
    assert parse_date(f"{d.day}/{d.month}/{d.year}", today) == d
    assert parse_date(f"{d.day:02d}-{d.month:02d}-{d.year}", today) == d
    assert parse_date(format_day(d), today) == d


@given(today=_NEAR, offset=st.integers(min_value=0, max_value=300))
def test_button_labels_read_back(today: date, offset: int) -> None:
    ahead = today + timedelta(days=offset)
    behind = today - timedelta(days=offset)
    assert parse_date(day_label(ahead, today), today, allow_past=False) == ahead
    assert parse_date(day_label(behind, today), today, allow_future=False) == behind
    assert parse_date(f"{ahead.day}/{ahead.month}", today, allow_past=False) == ahead
    assert parse_date(f"{behind.day}/{behind.month}", today, allow_future=False) == behind
