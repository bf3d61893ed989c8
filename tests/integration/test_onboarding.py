"""Onboarding on real databases: teams, invites, joining, linking a group."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from bot.clock import MovableClock
from bot.domain.errors import Refusal
from bot.domain.roles import Role
from bot.services import access, onboarding
from storage.db import Database
from storage.models import AuditEntry, Invite, Member


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


async def _team(database: Database, clock: MovableClock) -> onboarding.IssuedInvite:
    async with database.unit_of_work() as uow:
        return await onboarding.create_team(
            uow, clock, name="North Team", timezone="Europe/London", invite_ttl_days=7
        )


async def _join(
    database: Database, clock: MovableClock, token: str, user: int, name: str
) -> access.Person:
    async with database.unit_of_work() as uow:
        return await onboarding.join_team(
            uow, clock, token=token, telegram_user_id=user, display_name=name
        )


async def test_first_supervisor_joins_and_invites_a_worker(
    database: Database, clock: MovableClock
) -> None:
    first = await _team(database, clock)
    assert first.role is Role.SUPERVISOR
    async with database.unit_of_work() as uow:
        preview = await onboarding.preview_invite(
            uow, clock, token=first.token, telegram_user_id=10
        )
    assert (preview.team_name, preview.role) == ("North Team", Role.SUPERVISOR)

    supervisor = await _join(database, clock, first.token, 10, "Sam")
    assert supervisor.is_supervisor and supervisor.team_name == "North Team"

    async with database.unit_of_work() as uow:
        worker_invite = await onboarding.create_invite(
            uow, clock, telegram_user_id=10, role=Role.WORKER, invite_ttl_days=7
        )
    worker = await _join(database, clock, worker_invite.token, 20, "Alex")
    assert worker.role is Role.WORKER and worker.team_id == supervisor.team_id

    async with database.unit_of_work() as uow:
        actions = (
            await uow.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))
        ).all()
        hashes = (await uow.session.scalars(select(Invite.token_hash))).all()
    assert actions == [
        "team.created",
        "invite.created",
        "member.joined",
        "invite.created",
        "member.joined",
    ]
    assert first.token not in hashes and worker_invite.token not in hashes


async def test_an_invite_works_once(database: Database, clock: MovableClock) -> None:
    invite = await _team(database, clock)
    await _join(database, clock, invite.token, 10, "Sam")
    with pytest.raises(Refusal) as refused:
        await _join(database, clock, invite.token, 11, "Someone else")
    assert refused.value.code == "invite_used"


async def test_a_second_press_of_join_is_already_done(
    database: Database, clock: MovableClock
) -> None:
    invite = await _team(database, clock)
    await _join(database, clock, invite.token, 10, "Sam")
    with pytest.raises(Refusal) as refused:
        await _join(database, clock, invite.token, 10, "Sam")
    assert refused.value.code == "already_done"


async def test_an_invite_expires_after_its_days(database: Database, clock: MovableClock) -> None:
    invite = await _team(database, clock)
    clock.advance(timedelta(days=7))
    with pytest.raises(Refusal) as refused:
        await _join(database, clock, invite.token, 10, "Sam")
    assert refused.value.code == "invite_expired"


async def test_unknown_token_is_refused_and_nothing_is_stored(
    database: Database, clock: MovableClock
) -> None:
    await _team(database, clock)
    with pytest.raises(Refusal) as refused:
        await _join(database, clock, "x" * 43, 10, "Stranger")
    assert refused.value.code == "invite_unknown"
    async with database.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Member)) == 0


async def test_workers_cannot_invite_or_link_groups(
    database: Database, clock: MovableClock
) -> None:
    first = await _team(database, clock)
    await _join(database, clock, first.token, 10, "Sam")
    async with database.unit_of_work() as uow:
        invite = await onboarding.create_invite(
            uow, clock, telegram_user_id=10, role=Role.WORKER, invite_ttl_days=7
        )
    await _join(database, clock, invite.token, 20, "Alex")
    for attempt in (
        lambda uow: onboarding.create_invite(
            uow, clock, telegram_user_id=20, role=Role.WORKER, invite_ttl_days=7
        ),
        lambda uow: onboarding.link_group(uow, clock, telegram_user_id=20, chat_id=-100),
    ):
        with pytest.raises(Refusal) as refused:
            async with database.unit_of_work() as uow:
                await attempt(uow)
        assert refused.value.code == "supervisors_only"


async def test_strangers_are_refused_and_a_supervisor_links_the_group(
    database: Database, clock: MovableClock
) -> None:
    first = await _team(database, clock)
    with pytest.raises(Refusal) as refused:
        async with database.unit_of_work() as uow:
            await onboarding.link_group(uow, clock, telegram_user_id=99, chat_id=-100)
    assert refused.value.code == "not_a_member"
    await _join(database, clock, first.token, 10, "Sam")
    async with database.unit_of_work() as uow:
        assert (
            await onboarding.link_group(uow, clock, telegram_user_id=10, chat_id=-100)
            == "North Team"
        )
    async with database.unit_of_work() as uow:
        team = await uow.teams.by_group_chat(-100)
        assert team is not None and team.name == "North Team"


async def test_team_names_are_unique_and_time_zones_checked(
    database: Database, clock: MovableClock
) -> None:
    await _team(database, clock)
    for name, zone, code in (
        ("North Team", "Europe/London", "team_exists"),
        ("South", "Nowhere/Land", "timezone_unknown"),
    ):
        with pytest.raises(Refusal) as refused:
            async with database.unit_of_work() as uow:
                await onboarding.create_team(
                    uow, clock, name=name, timezone=zone, invite_ttl_days=7
                )
        assert refused.value.code == code


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_two_people_redeeming_one_invite_at_once_on_postgres_only_one_joins(
    database: Database, clock: MovableClock
) -> None:
    invite = await _team(database, clock)
    other_process = Database(database.url)  # a second bot process on the same database
    try:
        async with database.unit_of_work() as uow:
            first = await onboarding.join_team(
                uow, clock, token=invite.token, telegram_user_id=10, display_name="Sam"
            )
            # The first redemption is not committed yet; the second races it from another
            # process and reaches the invite row while the first still holds it.
            second = asyncio.create_task(_join(other_process, clock, invite.token, 11, "Kim"))
            assert await _waiting_on_invites(database, second), "the second did not reach it"
        with pytest.raises(Refusal) as refused:
            await second
    finally:
        await other_process.dispose()
    assert refused.value.code == "invite_used"
    async with database.unit_of_work() as uow:
        members = (await uow.session.scalars(select(Member.telegram_user_id))).all()
        used_by = await uow.session.scalar(select(Invite.used_by_id))
        joined = await uow.session.scalar(
            select(func.count()).where(AuditEntry.action == "member.joined")
        )
    assert members == [10] and used_by == first.member_id and joined == 1


async def _waiting_on_invites(database: Database, task: asyncio.Task[Any]) -> bool:
    """Whether another backend is blocked on the invites row (or the task has already
    finished, as it could before redemption was atomic); polls, no sleeping."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND datname = current_database() AND query ILIKE '%invites%'"
    )
    for _ in range(2000):
        if task.done():
            return True
        async with database.engine.connect() as connection:
            if (await connection.scalar(query)) or 0:
                return True
        await asyncio.sleep(0)
    return False
