"""Which outbox keys are a weekly summary's or prompt's own (bot/domain/nudges.py)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.nudges import bearings_prompt, redirect, weekly_planned, weekly_summary

MONDAY = date(2026, 11, 23)


def test_a_weekly_summarys_and_a_prompts_own_keys_name_kind_member_and_week() -> None:
    summary = weekly_summary(7, date(2026, 11, 25))
    prompt = bearings_prompt(7, date(2026, 11, 27), 4, None)
    assert prompt is not None
    assert weekly_planned(summary.key) == ("weekly_summary", 7, MONDAY)
    assert weekly_planned(prompt.key) == ("bearings_prompt", 7, MONDAY)


@pytest.mark.parametrize(
    "key",
    [
        redirect(weekly_summary(7, MONDAY), 9).key,  # a cover's copy: not the member's own
        "visit_due:3:2026-11-23",
        "digest:2:2026-11-23",
        "weekly_summary:x:2026-11-23",
        "weekly_summary:7:not-a-date",
        "weekly_summary:7",
        "",
    ],
)
def test_any_other_key_is_not_a_weekly_nudge_of_its_own(key: str) -> None:
    assert weekly_planned(key) is None
