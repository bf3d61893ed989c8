"""An untouched flow turns into a draft on its own, and the person is told; stale buttons."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from storage.models import FlowSession
from tests.e2e.conftest import Chatter, add_case
from tests.team import seed_team

ALEX = 1002


async def test_an_idle_flow_becomes_a_draft_and_the_person_is_told_unprompted(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await alex.send("/visit")
    await alex.tap("FAM-0142")
    before = len(emulator.bot_messages(ALEX))

    clock.advance(timedelta(hours=47))
    await bot.tick()
    assert len(emulator.bot_messages(ALEX)) == before  # not yet

    clock.advance(timedelta(hours=2))  # Wednesday 10:00: inside working hours
    notice = await emulator.wait_for_bot_message(
        ALEX,
        lambda m: "visit note" in m.text.lower() and "Carry on with it" in m.labels,
        after=before,
    )
    async with database.unit_of_work() as uow:
        session = (await uow.session.scalars(select(FlowSession))).all()[-1]
        assert session.status == "draft" and session.step == "date"
    await bot.tick()
    assert sum("Carry on with it" in m.labels for m in emulator.bot_messages(ALEX)) == 1

    resumed = await alex.tap("Carry on with it")
    assert "When was the visit?" in resumed.text
    assert notice.message_id != resumed.message_id


async def test_starting_a_flow_over_an_idle_one_keeps_it_as_a_draft_and_starts_the_new_one(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await alex.send("/visit")
    clock.advance(timedelta(hours=49))
    started = await alex.send_until("/newcase", "New case")
    assert "step 1 of" in started.text
    # Told either with the new flow or by the planner's own tick, whichever came first.
    notice = await emulator.wait_for_bot_message(
        ALEX, lambda m: "Throw it away" in m.labels, after=0
    )
    assert "visit note" in notice.text.lower()
    async with database.unit_of_work() as uow:
        rows = (await uow.session.execute(select(FlowSession.flow, FlowSession.status))).all()
    assert sorted((flow, status) for flow, status in rows) == [
        ("newcase", "finished"),
        ("newcase", "open"),
        ("visit", "draft"),
    ]


async def test_a_date_button_gone_stale_is_explained_not_taken(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await alex.send("/newcase")
    await alex.send("FAM-0142")
    await alex.tap("Engagement")
    review = await alex.tap("Every week")
    stale = review.button("Mon 21 Dec").callback_data  # 28 days on
    assert stale is not None
    # Thirty days later, with the flow still in use (so not turned into a draft meanwhile).
    later = clock.now() + timedelta(days=30)
    async with database.unit_of_work() as uow:
        await uow.session.execute(update(FlowSession).values(updated_at=later))
    clock.advance(timedelta(days=30))
    after = len(emulator.bot_messages(ALEX))
    emulator.press(ALEX, review.message_id, stale)
    refused = await emulator.wait_for_bot_message(ALEX, after=after)
    assert "today or later" in refused.text
    again = await emulator.wait_for_bot_message(ALEX, after=after + 1)
    assert "Mon 21 Dec" not in again.labels and "next plan review" in again.text
    async with database.unit_of_work() as uow:
        session = (await uow.session.scalars(select(FlowSession))).one()
        assert session.step == "review" and "review" not in session.answers["values"]
