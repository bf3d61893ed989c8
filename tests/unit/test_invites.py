"""Invite tokens: long, random, hashed, single-use, expiring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.invites import (
    InviteState,
    hash_token,
    invite_state,
    looks_like_token,
    new_invite_token,
    token_matches,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_tokens_are_long_random_and_fit_a_telegram_start_parameter() -> None:
    tokens = {new_invite_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert 40 <= len(token) <= 64
        assert looks_like_token(token)


def test_only_the_hash_matches_and_a_near_miss_does_not() -> None:
    token = new_invite_token()
    stored = hash_token(token)
    assert stored != token and len(stored) == 64
    assert token_matches(token, stored)
    assert not token_matches(token[:-1] + ("A" if token[-1] != "A" else "B"), stored)


def test_invite_is_valid_until_it_expires_or_is_used() -> None:
    expires = NOW + timedelta(days=7)
    assert invite_state(expires, None, NOW) is InviteState.VALID
    assert invite_state(expires, None, expires) is InviteState.EXPIRED
    assert invite_state(expires, NOW, NOW) is InviteState.USED


def test_obviously_wrong_start_arguments_are_not_tokens() -> None:
    assert not looks_like_token("hello")
    assert not looks_like_token("x" * 65)
    assert not looks_like_token("a" * 30 + " <b>")
