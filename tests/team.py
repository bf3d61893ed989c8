"""A team made through the real services, for integration and end-to-end tests."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.domain.roles import Role
from bot.services import onboarding
from bot.services.access import Person, find_person
from storage.db import Database

SUPERVISOR_ID, WORKER_ID, OTHER_WORKER_ID = 1001, 1002, 1004
SECOND_SUPERVISOR_ID = 1005
OTHER_TEAM_SUPERVISOR_ID = 2001


@dataclass(frozen=True)
class SeededTeam:
    """Who is in the seeded teams (Telegram user ids)."""

    supervisor: int = SUPERVISOR_ID
    worker: int = WORKER_ID
    other_worker: int = OTHER_WORKER_ID
    other_team_supervisor: int = OTHER_TEAM_SUPERVISOR_ID


async def seed_team(
    database: Database, clock: Clock, *, second_supervisor: bool = False
) -> SeededTeam:
    """North Team (supervisor Sam, workers Alex and Kim; with ``second_supervisor``, also
    supervisor Dee, 1005) and South Team (supervisor Pat)."""
    async with database.unit_of_work() as uow:
        for name, supervisor, workers in (
            (
                "North Team",
                (SUPERVISOR_ID, "Sam Supervisor"),
                [(WORKER_ID, "Alex Worker"), (OTHER_WORKER_ID, "Kim Worker")],
            ),
            ("South Team", (OTHER_TEAM_SUPERVISOR_ID, "Pat South"), []),
        ):
            first = await onboarding.create_team(
                uow, clock, name=name, timezone="Europe/London", invite_ttl_days=7
            )
            await onboarding.join_team(
                uow,
                clock,
                token=first.token,
                telegram_user_id=supervisor[0],
                display_name=supervisor[1],
            )
            for user_id, display_name in workers:
                invite = await onboarding.create_invite(
                    uow, clock, telegram_user_id=supervisor[0], role=Role.WORKER, invite_ttl_days=7
                )
                await onboarding.join_team(
                    uow,
                    clock,
                    token=invite.token,
                    telegram_user_id=user_id,
                    display_name=display_name,
                )
        if second_supervisor:
            invite = await onboarding.create_invite(
                uow, clock, telegram_user_id=SUPERVISOR_ID, role=Role.SUPERVISOR, invite_ttl_days=7
            )
            await onboarding.join_team(
                uow,
                clock,
                token=invite.token,
                telegram_user_id=SECOND_SUPERVISOR_ID,
                display_name="Dee Supervisor",
            )
    return SeededTeam()


async def person_of(database: Database, telegram_user_id: int) -> Person:
    """A member as the services see them (they must be one)."""
    async with database.unit_of_work() as uow:
        found = await find_person(uow, telegram_user_id)
    assert found is not None
    return found
