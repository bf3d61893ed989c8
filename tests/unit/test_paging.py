"""Long lists a page at a time (bot/domain/paging.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.paging import page_of, stamp_of


@given(st.lists(st.integers(), max_size=300, unique=True), st.integers(1, 12))
def test_the_pages_together_hold_every_item_once_in_order(items: list[int], size: int) -> None:
    first = page_of(items, 0, keys=items, size=size)
    seen = []
    for number in range(first.count):
        page = page_of(items, number, keys=items, size=size, stamp=first.stamp)
        assert not page.changed and page.number == number and len(page.items) <= size
        assert page.first == number * size + 1
        seen.extend(page.items)
    assert seen == items


def test_a_page_beyond_the_end_is_the_last_and_an_empty_list_has_one_page() -> None:
    items = list(range(20))
    page = page_of(items, 9, keys=items, size=8)
    assert (page.number, page.count, list(page.items)) == (2, 3, [16, 17, 18, 19])
    assert page.has_previous and not page.has_next and page.is_paged
    empty = page_of([], 3, keys=[])
    assert (empty.number, empty.count, empty.total, empty.is_paged) == (0, 1, 0, False)


def test_a_page_of_a_list_that_has_changed_says_so() -> None:
    before = page_of(list(range(20)), 1, keys=range(20), size=8)
    after = list(range(1, 21))
    page = page_of(after, 1, keys=after, size=8, stamp=before.stamp)
    assert page.changed and page.stamp != before.stamp
    assert stamp_of([1, 2]) != stamp_of([2, 1]) and len(stamp_of([])) == 8
