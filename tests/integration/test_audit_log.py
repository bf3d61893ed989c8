"""Reading a team's audit log (bot/services/audit.py) on real databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.clock import MovableClock
from bot.domain.errors import Refusal
from bot.domain.flags import Urgency
from bot.services import cases, flags
from bot.services.access import find_person
from bot.services.audit import read_audit_log
from storage.db import Database
from tests.team import OTHER_TEAM_SUPERVISOR_ID, SUPERVISOR_ID, WORKER_ID, seed_team

# 23:30 in London on Sunday 22 November: already Monday in no zone that matters here.
START = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
SUMMARY = "Dad shouting Mordecai-audit at night"


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(START)


async def test_a_teams_log_shows_who_did_what_and_when_without_content(
    database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    clock.advance(timedelta(hours=1))  # Monday 00:30
    async with database.unit_of_work() as uow:
        alex = await find_person(uow, WORKER_ID)
        pat = await find_person(uow, OTHER_TEAM_SUPERVISOR_ID)
        assert alex is not None and pat is not None
        answers = {"reference": "AUD-0001", "stage": "engagement", "cadence": 7}
        await cases.create_case(uow, clock, alex, answers)
        await cases.create_case(uow, clock, pat, answers)
        case = await uow.cases.by_reference(alex.team_id, "AUD-0001")
        assert case is not None
        await flags.raise_flag(
            uow, clock, alex, case_id=case.id, urgency=Urgency.WEEK, source="case", summary=SUMMARY
        )
    clock.advance(timedelta(hours=9))
    async with database.unit_of_work() as uow:
        kim = await uow.members.by_telegram_id(1004)
        assert kim is not None
        await cases.reassign_case(
            uow, clock, telegram_user_id=SUPERVISOR_ID, case_id=case.id, worker_id=kim.id
        )
    async with database.unit_of_work() as uow:
        log = await read_audit_log(uow, clock, team_name="North Team", since=date(2026, 11, 23))

    assert (log.team_name, log.timezone) == ("North Team", "Europe/London")
    assert [(line.actor, line.action, line.subject) for line in log.lines] == [
        ("Alex Worker (worker)", "flag.raised", "flag:1"),
        ("Sam Supervisor (supervisor)", "case.reassigned", f"case:{case.id}"),
    ]
    assert log.lines[0].at.strftime("%Y-%m-%d %H:%M %Z") == "2026-11-23 00:30 GMT"
    assert log.lines[1].detail_text == f"from={alex.member_id} to={kim.id}"
    printed = " ".join(
        f"{line.at} {line.actor} {line.action} {line.subject} {line.detail_text}"
        for line in log.lines
    )
    assert SUMMARY not in printed and "AUD-0001" not in printed

    async with database.unit_of_work() as uow:
        everything = await read_audit_log(
            uow, clock, team_name="North Team", since=date(2026, 1, 1)
        )
    actions = [line.action for line in everything.lines]
    assert actions[0] == "team.created" and everything.lines[0].actor == "system"
    assert "audit.read" in actions  # reading the log is itself recorded
    assert all("South" not in line.subject for line in everything.lines)


async def test_an_unknown_team_is_refused(database: Database, clock: MovableClock) -> None:
    with pytest.raises(Refusal) as refused:
        async with database.unit_of_work() as uow:
            await read_audit_log(uow, clock, team_name="Nowhere", since=date(2026, 1, 1))
    assert refused.value.code == "team_unknown"
