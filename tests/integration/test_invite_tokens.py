"""Invite tokens on real databases: long and random, stored only as a hash, checked in
constant time, usable once."""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.clock import MovableClock
from bot.domain import invites
from bot.domain.errors import Refusal
from bot.services import onboarding
from storage.db import Database


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


def test_tokens_carry_at_least_256_bits_and_look_random() -> None:
    tokens = [invites.new_invite_token() for _ in range(500)]
    assert len(set(tokens)) == len(tokens)
    assert min(len(t) for t in tokens) >= 43  # 43 base64 characters = 258 bits of room
    characters = Counter("".join(tokens))
    total = sum(characters.values())
    entropy = -sum(n / total * math.log2(n / total) for n in characters.values())
    assert entropy > 5.9  # close to log2(64) = 6 bits a character: no skewed alphabet


async def test_an_invite_is_stored_hashed_compared_in_constant_time_and_used_once(
    database: Database, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with database.unit_of_work() as uow:
        issued = await onboarding.create_team(
            uow, clock, name="North Team", timezone="Europe/London", invite_ttl_days=7
        )
    async with database.engine.connect() as connection:
        stored = [tuple(row) for row in await connection.execute(text("SELECT * FROM invites"))]
    assert len(stored) == 1
    digest = hashlib.sha256(issued.token.encode()).hexdigest()
    assert digest in stored[0]
    assert not any(issued.token in str(value) for value in stored[0])

    compared: list[tuple[str, str]] = []
    constant_time = invites.hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        compared.append((a, b))
        return constant_time(a, b)

    monkeypatch.setattr(invites.hmac, "compare_digest", spy)
    async with database.unit_of_work() as uow:
        await onboarding.join_team(
            uow, clock, token=issued.token, telegram_user_id=10, display_name="Sam"
        )
    assert compared == [(digest, digest)]

    async with database.unit_of_work() as uow:
        with pytest.raises(Refusal) as refused:
            await onboarding.join_team(
                uow, clock, token=issued.token, telegram_user_id=11, display_name="Kim"
            )
    assert refused.value.code == "invite_used"
