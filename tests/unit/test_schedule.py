"""Working days for snooze, reschedule and date offers (bot/domain/schedule.py)."""

from __future__ import annotations

from datetime import date

from bot.domain.schedule import next_working_day, working_day_offers, working_days_ahead


def test_working_day_offers_never_start_on_a_day_off() -> None:
    weekdays = frozenset(range(5))
    friday, saturday = date(2026, 12, 4), date(2026, 12, 5)
    assert next_working_day(friday, weekdays) == date(2026, 12, 7)
    assert next_working_day(friday, frozenset(range(7))) == saturday
    assert working_day_offers(friday, (1, 2, 3, 7, 14), weekdays) == [
        date(2026, 12, 7),
        date(2026, 12, 8),
        date(2026, 12, 9),
        date(2026, 12, 11),
        date(2026, 12, 18),
    ]
    assert working_day_offers(saturday, (1, 2, 7), weekdays) == [
        date(2026, 12, 7),
        date(2026, 12, 8),
        date(2026, 12, 14),
    ]
    assert working_days_ahead(saturday, 3, weekdays) == [
        date(2026, 12, 7),
        date(2026, 12, 8),
        date(2026, 12, 9),
    ]
    # A team with no working days set works every day.
    assert working_days_ahead(saturday, 2, frozenset()) == [saturday, date(2026, 12, 6)]
