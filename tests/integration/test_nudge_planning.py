"""Planning nudges from the data (bot/services/nudges/planning.py) on SQLite and PostgreSQL, with a
moved clock: every row of the nudge table, humane timing, away and cover, exactly once."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.clock import MovableClock
from bot.services.nudges import plan_nudges
from bot.services.planner import plan as tick_plan
from storage.db import Database
from storage.models import Action, BearingsCheck, Case, Member, OutboxMessage
from tests.team import OTHER_WORKER_ID, SUPERVISOR_ID, WORKER_ID, seed_team

MONDAY_7 = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # quiet still (London, GMT)
TODAY = date(2026, 11, 23)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(MONDAY_7)


async def ids(database: Database) -> dict[int, int]:
    """Telegram user id → member id."""
    async with database.unit_of_work() as uow:
        rows = (await uow.session.execute(select(Member.telegram_user_id, Member.id))).all()
    return {tg: member for tg, member in rows}


async def add_case(
    database: Database,
    clock: MovableClock,
    worker: int,
    reference: str,
    *,
    visit: date | None = None,
    review: date | None = None,
) -> int:
    async with database.unit_of_work() as uow:
        member = await uow.members.get(worker)
        assert member is not None
        case = await uow.cases.add(
            Case(
                team_id=member.team_id,
                reference=reference,
                worker_id=worker,
                stage="monitoring",
                cadence_days=7,
                next_visit_due=visit,
                next_review_on=review,
                opened_at=clock.now(),
            )
        )
        return case.id


async def plan(database: Database, clock: MovableClock) -> int:
    async with database.unit_of_work() as uow:
        return await plan_nudges(uow, clock)


async def owed(database: Database, kind_prefix: str = "") -> list[tuple[str, int | None]]:
    async with database.unit_of_work() as uow:
        rows = (await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    return [(row.key, row.member_id) for row in rows if row.kind.startswith(kind_prefix)]


async def test_visit_due_on_the_day_at_nine_then_overdue_every_three_days_and_supervisor_at_seven(
    database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    people = await ids(database)
    alex, sam = people[WORKER_ID], people[SUPERVISOR_ID]
    case = await add_case(database, clock, alex, "FAM-1", visit=TODAY)

    await plan(database, clock)
    assert await owed(database, "visit") == []  # 07:00: quiet hours
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    await plan(database, clock)
    await plan(database, clock)  # twice: still once
    assert await owed(database, "visit") == [(f"visit_due:{case}:{TODAY}", alex)]

    expected = [f"visit_due:{case}:{TODAY}"]
    for days_late, occasion in ((1, 24), (2, 24), (3, 24), (4, 27)):
        clock.set(datetime(2026, 11, 23 + days_late, 9, 0, tzinfo=UTC))
        await plan(database, clock)
        if f"visit_overdue:{case}:{TODAY}:2026-11-{occasion}" not in expected:
            expected.append(f"visit_overdue:{case}:{TODAY}:2026-11-{occasion}")
        assert [key for key, _ in await owed(database, "visit")] == expected
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # a week overdue (a Monday)
    await plan(database, clock)
    rows = await owed(database, "visit")
    assert (f"visit_overdue_sup:{case}:{TODAY}:{sam}", sam) in rows
    assert (f"visit_overdue:{case}:{TODAY}:2026-11-30", alex) in rows


async def test_a_visit_due_on_saturday_waits_for_monday(
    database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = (await ids(database))[WORKER_ID]
    saturday = date(2026, 11, 28)
    await add_case(database, clock, alex, "FAM-1", visit=saturday)
    clock.set(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    await plan(database, clock)
    assert await owed(database, "visit") == []
    clock.set(datetime(2026, 11, 30, 8, 59, tzinfo=UTC))
    await plan(database, clock)
    assert await owed(database, "visit") == []
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    await plan(database, clock)
    # By Monday the Saturday visit is overdue: the current occasion is planned, not a stale one.
    assert [key.split(":")[0] for key, _ in await owed(database, "visit")] == ["visit_overdue"]


async def test_review_coming_seven_and_one_days_before_then_overdue_to_worker_and_supervisor(
    database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    people = await ids(database)
    alex, sam = people[WORKER_ID], people[SUPERVISOR_ID]
    review = date(2026, 12, 8)  # a Tuesday
    case = await add_case(database, clock, alex, "FAM-1", review=review)
    for day, hour in ((30, 9), (1, 9), (7, 9), (9, 9)):
        month = 11 if day == 30 else 12
        clock.set(datetime(2026, month, day, hour, 0, tzinfo=UTC))
        await plan(database, clock)
    assert await owed(database, "review") == [
        (f"review_coming:{case}:{review}:7", alex),  # Tue 1 Dec
        (f"review_coming:{case}:{review}:1", alex),  # Mon 7 Dec
        (f"review_overdue:{case}:{review}:{alex}", alex),  # Wed 9 Dec
        (f"review_overdue:{case}:{review}:{sam}", sam),
    ]


async def test_action_due_and_overdue_to_its_owner(database: Database, clock: MovableClock) -> None:
    await seed_team(database, clock)
    people = await ids(database)
    kim = people[OTHER_WORKER_ID]
    async with database.unit_of_work() as uow:
        member = await uow.members.get(kim)
        assert member is not None
        action = await uow.actions.add(
            Action(
                team_id=member.team_id,
                owner_id=kim,
                text="Ring the GP",
                due_on=TODAY,
                status="open",
                source="test",
                created_by_id=kim,
                created_at=clock.now(),
            )
        )
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    await plan(database, clock)
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    await plan(database, clock)
    assert await owed(database, "action") == [
        (f"action_due:{action.id}:{TODAY}", kim),
        (f"action_overdue:{action.id}:{TODAY}", kim),
    ]


async def test_weekly_summary_on_monday_and_bearings_prompt_on_friday_unless_done(
    database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    people = await ids(database)
    alex, kim = people[WORKER_ID], people[OTHER_WORKER_ID]
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    await plan(database, clock)
    summaries = await owed(database, "weekly_summary")
    assert sorted(summaries) == sorted(
        [(f"weekly_summary:{alex}:{TODAY}", alex), (f"weekly_summary:{kim}:{TODAY}", kim)]
    )
    assert await owed(database, "bearings") == []
    async with database.unit_of_work() as uow:
        member = await uow.members.get(kim)
        assert member is not None
        uow.session.add(
            BearingsCheck(
                team_id=member.team_id,
                member_id=kim,
                taken_at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
                ratings={},
            )
        )
    clock.set(datetime(2026, 11, 27, 13, 59, tzinfo=UTC))
    await plan(database, clock)
    assert await owed(database, "bearings") == []
    clock.set(datetime(2026, 11, 27, 14, 0, tzinfo=UTC))
    await plan(database, clock)
    assert await owed(database, "bearings") == [(f"bearings_prompt:{alex}:{TODAY}", alex)]


async def planned_weeks(database: Database, member_id: int) -> tuple[date | None, date | None]:
    async with database.unit_of_work() as uow:
        member = await uow.members.get(member_id)
        assert member is not None
        return member.summary_week, member.prompt_week


async def test_the_week_a_weekly_nudge_was_planned_for_is_kept_and_not_asked_about_again(
    database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    people = await ids(database)
    alex = people[WORKER_ID]
    assert await planned_weeks(database, alex) == (None, None)
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    await plan(database, clock)
    assert await planned_weeks(database, alex) == (TODAY, None)
    async with database.unit_of_work() as uow:
        assert await uow.planning.workers_not_owed("weekly_summary", {"Europe/London": TODAY}) == []
        # Next week they are owed again.
        next_week = {"Europe/London": TODAY + timedelta(days=7)}
        assert len(await uow.planning.workers_not_owed("weekly_summary", next_week)) == 2
    clock.set(datetime(2026, 11, 27, 14, 0, tzinfo=UTC))
    await plan(database, clock)
    assert await planned_weeks(database, alex) == (TODAY, TODAY)


async def test_after_the_upgrade_a_summary_already_owed_is_not_owed_twice(
    database: Database, clock: MovableClock
) -> None:
    """Migration 0011 starts the planned weeks empty while this week's rows exist."""
    await seed_team(database, clock)
    alex = (await ids(database))[WORKER_ID]
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    await plan(database, clock)
    before = await owed(database)
    async with database.unit_of_work() as uow:
        member = await uow.members.get(alex)
        assert member is not None
        member.summary_week = None
    assert await plan(database, clock) == 0
    assert await owed(database) == before
    assert await planned_weeks(database, alex) == (TODAY, None)


async def test_summer_time_and_a_persons_own_nudge_hour(
    database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = (await ids(database))[WORKER_ID]
    # The week the clocks go back (Sunday 25 October 2026): 09:00 BST is 08:00 UTC before,
    # 09:00 GMT is 09:00 UTC after.
    friday, monday = date(2026, 10, 23), date(2026, 10, 26)
    await add_case(database, clock, alex, "FAM-1", visit=friday)
    await add_case(database, clock, alex, "FAM-2", visit=monday)
    clock.set(datetime(2026, 10, 23, 7, 59, tzinfo=UTC))
    await plan(database, clock)
    assert await owed(database, "visit_due") == []
    clock.set(datetime(2026, 10, 23, 8, 0, tzinfo=UTC))
    await plan(database, clock)
    assert len(await owed(database, "visit_due")) == 1
    clock.set(datetime(2026, 10, 26, 8, 30, tzinfo=UTC))
    await plan(database, clock)
    assert len(await owed(database, "visit_due")) == 1  # 08:30 GMT: not yet
    async with database.unit_of_work() as uow:
        member = await uow.members.get(alex)
        assert member is not None
        member.settings = {"nudge_hour": "08:15"}
    await plan(database, clock)
    assert len(await owed(database, "visit_due")) == 2


async def test_away_with_a_cover_and_without(database: Database, clock: MovableClock) -> None:
    await seed_team(database, clock)
    people = await ids(database)
    alex, kim, sam = people[WORKER_ID], people[OTHER_WORKER_ID], people[SUPERVISOR_ID]
    alex_case = await add_case(database, clock, alex, "FAM-1", visit=TODAY)
    await add_case(database, clock, kim, "FAM-2", visit=TODAY)
    async with database.unit_of_work() as uow:
        alex_member, kim_member = await uow.members.get(alex), await uow.members.get(kim)
        assert alex_member is not None and kim_member is not None
        alex_member.away_until, alex_member.away_cover_id = date(2026, 11, 27), kim
        kim_member.away_until = date(2026, 11, 24)
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    await plan(database, clock)
    visits = await owed(database, "visit")
    assert visits == [(f"visit_due:{alex_case}:{TODAY}:cover:{kim}", kim)]  # Kim covers Alex
    unattended = await owed(database, "unattended")
    assert unattended == [(f"unattended:{kim}:2026-11-24:{sam}", sam)]
    assert await owed(database, "weekly_summary") == []  # both away


async def test_the_planners_tick_purges_closed_cases_past_retention(
    database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = (await ids(database))[WORKER_ID]
    old = await add_case(database, clock, alex, "FAM-OLD")
    recent = await add_case(database, clock, alex, "FAM-NEW")
    async with database.unit_of_work() as uow:
        for case_id, days in ((old, 91), (recent, 89)):
            case = await uow.cases.get(case_id)
            assert case is not None
            case.closed_at = clock.now() - timedelta(days=days)
    async with database.unit_of_work() as uow:
        await tick_plan(uow, clock, flow_idle=timedelta(hours=48), retention_days=90)
    async with database.unit_of_work() as uow:
        assert await uow.cases.get(old) is None
        assert await uow.cases.get(recent) is not None


async def test_a_summary_whose_day_was_missed_is_not_sent_later_in_the_week(
    database: Database, clock: MovableClock
) -> None:
    """The bot was down all Monday: Tuesday owes no "Your week" (issue 19.4)."""
    await seed_team(database, clock)
    for day in (24, 27):
        clock.set(datetime(2026, 11, day, 9, 0, tzinfo=UTC))
        await plan(database, clock)
        assert await owed(database, "weekly_summary") == []
    alex = (await ids(database))[WORKER_ID]
    assert await planned_weeks(database, alex) == (TODAY, None)  # settled: not asked again
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # next Monday: on its day again
    await plan(database, clock)
    assert len(await owed(database, "weekly_summary")) == 2


async def test_no_summary_to_someone_who_joined_after_its_time(
    database: Database, clock: MovableClock
) -> None:
    clock.set(datetime(2026, 11, 23, 9, 30, tzinfo=UTC))  # they join after Monday's 09:00
    await seed_team(database, clock)
    await plan(database, clock)
    assert await owed(database, "weekly_summary") == []
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    await plan(database, clock)
    assert len(await owed(database, "weekly_summary")) == 2


async def test_a_nudge_whose_time_came_in_the_night_is_owed_at_the_next_allowed_moment(
    database: Database, clock: MovableClock
) -> None:
    """The bot comes back at 03:00: yesterday's overdue nudge waits until 08:00 (issue 19.5)."""
    await seed_team(database, clock)
    alex = (await ids(database))[WORKER_ID]
    await add_case(database, clock, alex, "FAM-1", visit=date(2026, 11, 21))  # overdue Monday
    clock.set(datetime(2026, 11, 24, 3, 0, tzinfo=UTC))
    await plan(database, clock)
    async with database.unit_of_work() as uow:
        rows = (await uow.session.scalars(select(OutboxMessage))).all()
    assert [(row.kind, row.due_at) for row in rows] == [
        ("visit_overdue", datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    ]


async def test_at_debug_the_planner_says_its_counts_and_why_a_nudge_is_held(
    database: Database, clock: MovableClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Ids and kinds only (issue 19.6)."""
    await seed_team(database, clock)
    people = await ids(database)
    alex, kim = people[WORKER_ID], people[OTHER_WORKER_ID]
    await add_case(database, clock, alex, "FAM-1", visit=TODAY)
    async with database.unit_of_work() as uow:
        kim_member = await uow.members.get(kim)
        assert kim_member is not None
        kim_member.away_until = date(2026, 11, 24)
    clock.set(datetime(2026, 11, 23, 8, 30, tzinfo=UTC))
    with caplog.at_level(logging.DEBUG, logger="bot.services.nudges.planning"):
        await plan(database, clock)
    counts = {
        (record.kind, record.outcome): record.count
        for record in caplog.records
        if record.msg == "nudges.planned"
    }
    assert counts[("visit_due", "not_yet")] == 1
    assert counts[("weekly_summary", "not_yet")] == 1
    assert counts[("weekly_summary", "away")] == 1
    held = [(r.key, r.why) for r in caplog.records if r.msg == "nudge.held"]
    assert (f"weekly_summary:{alex}:{TODAY}", "not_yet") in held
    assert any(r.msg == "nudges.plan_done" for r in caplog.records)
