"""Long lists a page at a time, the same order on every page.

A page remembers a stamp of the whole list it was cut from (which items, in which order).
When a paging button of an old message is pressed, the list is worked out again; if its
stamp differs, the list has changed since that page was shown, and the person is told so
and shown the current list instead of a page of something that no longer exists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.domain.button_data import Button, Offer

T = TypeVar("T")

PAGE_SIZE = 8
"""Items on a page: what fits a phone's screen with a button each."""

STAMP_LENGTH = 8


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, where it sits, and the stamp of the whole list."""

    items: Sequence[T]
    number: int
    """From 0."""
    count: int
    """How many pages the list has (at least 1, even when it is empty)."""
    total: int
    """How many items the whole list has."""
    stamp: str
    size: int = PAGE_SIZE
    changed: bool = False
    """True when the page was asked for from an older version of the list."""

    @property
    def has_previous(self) -> bool:
        """Whether there is a page before this one."""
        return self.number > 0

    @property
    def has_next(self) -> bool:
        """Whether there is a page after this one."""
        return self.number < self.count - 1

    @property
    def first(self) -> int:
        """The position (from 1) of the page's first item in the whole list."""
        return self.number * self.size + 1

    @property
    def is_paged(self) -> bool:
        """Whether the list needs more than one page."""
        return self.count > 1


def turning_row(page: Page[Any], button_for: Callable[[int], Button]) -> list[Offer]:
    """‹ Previous and Next › for a page (nothing when it fits on one), each the button that
    ``button_for`` makes for that page number: a list's, or a question's."""
    row = []
    if page.has_previous:
        row.append(Offer(button_for(page.number - 1), "page_previous"))
    if page.has_next:
        row.append(Offer(button_for(page.number + 1), "page_next"))
    return row


def stamp_of(keys: Iterable[object]) -> str:
    """A short fingerprint of a list: its items' keys, in order."""
    digest = hashlib.blake2b(digest_size=STAMP_LENGTH // 2)
    for key in keys:
        digest.update(repr(key).encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def page_of(
    items: Sequence[T],
    number: int,
    *,
    keys: Iterable[object],
    stamp: str | None = None,
    size: int = PAGE_SIZE,
) -> Page[T]:
    """Page ``number`` of ``items`` (kept within the list's pages). With the ``stamp`` of the
    page the person was looking at: if the list has changed since, the page says so."""
    current = stamp_of(keys)
    count = max(1, -(-len(items) // size))
    number = min(max(number, 0), count - 1)
    start = number * size
    return Page(
        items=items[start : start + size],
        number=number,
        count=count,
        total=len(items),
        stamp=current,
        size=size,
        changed=stamp is not None and stamp != current,
    )
