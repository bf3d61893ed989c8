"""Dashboard links to a case: they name nothing, work for their person for an hour or two,
and cannot be mistaken for invite tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.case_links import case_link_token, is_case_link, link_key, linked_case
from bot.domain.invites import new_invite_token

KEY = link_key("123456:TEST-token")
AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
CASES = list(range(1, 200))


def test_a_link_finds_its_case_for_its_person_within_the_hour_after_its_own() -> None:
    token = case_link_token(KEY, member_id=7, case_id=42, at=AT)
    assert is_case_link(token) and "42" not in token and len(token) == 28
    assert linked_case(KEY, token, member_id=7, case_ids=CASES, now=AT) == 42
    later = AT + timedelta(minutes=89)  # 10:59, the hour after the one it was made in
    assert linked_case(KEY, token, member_id=7, case_ids=CASES, now=later) == 42
    too_late = AT + timedelta(minutes=91)  # 11:01
    assert linked_case(KEY, token, member_id=7, case_ids=CASES, now=too_late) is None


def test_a_link_is_nothing_to_anyone_else_or_under_another_bot() -> None:
    token = case_link_token(KEY, member_id=7, case_id=42, at=AT)
    assert linked_case(KEY, token, member_id=8, case_ids=CASES, now=AT) is None
    assert linked_case(KEY, token, member_id=7, case_ids=[41, 43], now=AT) is None
    other = link_key("654321:OTHER")
    assert linked_case(other, token, member_id=7, case_ids=CASES, now=AT) is None


def test_links_and_invite_tokens_never_look_alike() -> None:
    assert not any(is_case_link(new_invite_token()) for _ in range(200))
    assert not is_case_link("c_" + "A" * 26) and not is_case_link("c_short")
