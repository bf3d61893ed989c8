"""How sample values are filled: at their largest, drawn by hypothesis, or markup-like."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from hypothesis import strategies as st

T = TypeVar("T")
Values = dict[str, Any]

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LONGEST_DAY = date(2026, 12, 30)  # "Wed 30 Dec": two-digit day, as long as a date prints
REFERENCE = re.compile(r"[A-Z0-9][A-Z0-9/_.-]{1,31}")
NAME_LIMIT = 64  # Telegram's first name + last name; the bot keeps 64 (services/onboarding.py)
REFERENCE_LIMIT = 32  # bot/domain/cases.py
TEAM_NAME_LIMIT = 80  # services/onboarding.py create_team
INSTRUCTION_LIMIT = 1000  # a team's safeguarding instruction (domain/team_settings.py)
MARKUP = "<b>x</b> &lt; &amp; <i> </b>"
"""What a person might type that looks like HTML: it must be shown exactly so."""

_WORDS = (
    "Café",
    "👨‍👩‍👧",
    "مرحبا",
    "שלום",
    "🚩",
    "naïve",
    "😀😀",
    "عائلة",
    "ילדים",
    "—",
    "&",
    "<3",
)
_ALPHABET = "aZ09 \n.,'\"<>&-–…éß/مرحبשלו😀👨‍👩‍👧🚩\u200f\u200e\u0301"


def largest_text(limit: int, style: int = 0) -> str:
    """``limit`` characters of realistic text: emoji (two UTF-16 units each, or more), Arabic
    and Hebrew, markup-like characters; in words and lines (style 0), as one unbroken run of
    emoji (style 1, the worst case for splitting), or as short lines (style 2)."""
    if style == 1:
        return ("😀" * limit)[:limit]
    words: list[str] = []
    size = 0
    index = 0
    while size < limit:
        word = _WORDS[index % len(_WORDS)]
        index += 1
        gap = "\n" if (style == 2 and index % 3 == 0) or index % 17 == 0 else " "
        words.append(word + gap)
        size += len(word) + 1
    return "".join(words)[:limit].rstrip() or "x"


def largest_name(style: int = 0) -> str:
    """A 64-character display name with emoji and right-to-left text."""
    return largest_text(NAME_LIMIT, style)


def largest_reference() -> str:
    """A reference at the 32 characters the domain allows."""
    text = "FAM-2026/0142.NORTH_EAST-0000001X"[:REFERENCE_LIMIT]
    assert REFERENCE.fullmatch(text)
    return text


class Fill:
    """Where a builder's values come from (see the subclasses)."""

    def text(self, limit: int) -> str:
        raise NotImplementedError

    def name(self) -> str:
        raise NotImplementedError

    def reference(self) -> str:
        raise NotImplementedError

    def count(self, most: int) -> int:
        raise NotImplementedError

    def number(self, low: int, high: int) -> int:
        raise NotImplementedError

    def pick(self, options: Sequence[T]) -> T:
        raise NotImplementedError

    def maybe(self) -> bool:
        raise NotImplementedError

    def day(self) -> date:
        raise NotImplementedError

    def many(self, make: Callable[[int], T], most: int) -> list[T]:
        """Up to ``most`` items: a few made (drawn), repeated to the count, so that a list of
        200 stays cheap to draw."""
        count = self.count(most)
        made = [make(index) for index in range(min(count, 3))]
        return [made[index % len(made)] for index in range(count)] if made else []

    def moment(self) -> datetime:
        return datetime.combine(self.day(), datetime.min.time(), UTC) + timedelta(
            minutes=self.number(0, 24 * 60 - 1)
        )

    def optional(self, value: T) -> T | None:
        return value if self.maybe() else None


class Largest(Fill):
    """The largest realistic values: every text at its limit, every list at its longest."""

    def text(self, limit: int) -> str:
        return largest_text(limit)

    def name(self) -> str:
        return largest_name()

    def reference(self) -> str:
        return largest_reference()

    def count(self, most: int) -> int:
        return most

    def number(self, low: int, high: int) -> int:
        return high

    def pick(self, options: Sequence[T]) -> T:
        return options[0]

    def maybe(self) -> bool:
        return True

    def day(self) -> date:
        return LONGEST_DAY


class Marked(Largest):
    """Markup-like text in every free-text field, short lists; remembers what it gave."""

    def __init__(self) -> None:
        self.given: list[str] = []

    def text(self, limit: int) -> str:
        return self._give()

    def name(self) -> str:
        return self._give()

    def reference(self) -> str:
        return self._give()

    def count(self, most: int) -> int:
        return min(most, 1)

    def _give(self) -> str:
        self.given.append(MARKUP)
        return MARKUP


@dataclass
class Drawn(Fill):
    """Values drawn by hypothesis, mostly at or near the largest."""

    data: st.DataObject
    drawn: list[Any] = field(default_factory=list)

    def _draw(self, strategy: st.SearchStrategy[T]) -> T:
        value = self.data.draw(strategy)
        return value

    def text(self, limit: int) -> str:
        sized = st.builds(largest_text, st.integers(1, limit), st.integers(0, 2))
        free = st.text(_ALPHABET, min_size=1, max_size=min(limit, 120))
        return self._draw(
            st.one_of(st.just(largest_text(limit)), st.just(largest_text(limit, 1)), sized, free)
        )

    def name(self) -> str:
        free = st.text(_ALPHABET, min_size=1, max_size=NAME_LIMIT).filter(str.strip)
        return self._draw(st.one_of(st.sampled_from([largest_name(s) for s in range(3)]), free))

    def reference(self) -> str:
        return self._draw(
            st.one_of(st.just(largest_reference()), st.from_regex(REFERENCE, fullmatch=True))
        )

    def count(self, most: int) -> int:
        return self._draw(st.one_of(st.just(most), st.integers(0, most)))

    def number(self, low: int, high: int) -> int:
        return self._draw(st.one_of(st.just(high), st.integers(low, high)))

    def pick(self, options: Sequence[T]) -> T:
        return self._draw(st.sampled_from(options))

    def maybe(self) -> bool:
        return self._draw(st.booleans())

    def day(self) -> date:
        return self._draw(
            st.one_of(st.just(LONGEST_DAY), st.dates(date(2020, 1, 1), date(2035, 12, 31)))
        )
