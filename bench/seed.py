"""People put straight into a benchmark's database (bench/fresh_database.py makes it).

A benchmark needs thousands of workers with a case each; joining them one by
one through the invite flow would take longer than the measurement, so they
are inserted in bulk (the same rows the onboarding service writes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.cases import Stage
from bot.domain.roles import Role
from storage.db import Database
from storage.models import Case, Member, Team

FIRST_WORKER_ID = 500_000
TEAM_SIZE = 25


@dataclass(frozen=True)
class Worker:
    """A seeded worker: their Telegram id and the reference of their one case."""

    user_id: int
    case: str


async def seed_workers(url: str, count: int, now: datetime) -> list[Worker]:
    """``count`` workers in teams of 25 (each team has a supervisor), one open case each."""
    database = Database(url)
    workers: list[Worker] = []
    try:
        for first in range(0, count, TEAM_SIZE):
            async with database.unit_of_work() as uow:
                session = uow.session
                team = Team(name=f"Bench Team {first // TEAM_SIZE}", timezone="Europe/London")
                team.created_at = now
                session.add(team)
                await session.flush()
                people = [
                    Member(
                        team_id=team.id,
                        telegram_user_id=FIRST_WORKER_ID - 1 - first // TEAM_SIZE,
                        role=Role.SUPERVISOR.value,
                        display_name="Bench Supervisor",
                        joined_at=now,
                    )
                ]
                for user_id in range(
                    FIRST_WORKER_ID + first, FIRST_WORKER_ID + min(count, first + TEAM_SIZE)
                ):
                    people.append(
                        Member(
                            team_id=team.id,
                            telegram_user_id=user_id,
                            role=Role.WORKER.value,
                            display_name="Bench Worker",
                            joined_at=now,
                        )
                    )
                session.add_all(people)
                await session.flush()
                cases = [
                    Case(
                        team_id=team.id,
                        reference=case_reference(person.telegram_user_id),
                        worker_id=person.id,
                        stage=Stage.ENGAGEMENT.value,
                        cadence_days=7,
                        next_visit_due=date(now.year, now.month, now.day),
                        opened_at=now,
                    )
                    for person in people[1:]
                ]
                session.add_all(cases)
                workers.extend(
                    Worker(person.telegram_user_id, case.reference)
                    for person, case in zip(people[1:], cases, strict=True)
                )
    finally:
        await database.dispose()
    return workers


def case_reference(user_id: int) -> str:
    """The reference of a seeded worker's case (the baselines label their button with it)."""
    return f"FAM-{user_id % 100_000:05d}"
