"""Flags over the real bot: raised from a case, delivered to every supervisor through the
outbox, acted on in place, the worker told, reminders and escalation on a moved clock."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import Bearings, build
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from bot.services import handover
from storage.db import Database
from storage.models import Flag, OutboxMessage, SupervisionNote
from tests.e2e.conftest import Chatter, bot_settings
from tests.team import person_of, seed_team

SAM, DEE, ALEX = 1001, 1005, 1002


async def add_case(person: Chatter, reference: str) -> None:
    await person.send("/newcase")
    await person.send(reference)
    await person.tap("Engagement")
    await person.tap("Every week")
    await person.tap_until("Skip", "Added")


async def raise_flag(
    alex: Chatter, urgency: str, reason: str, expect: str = "Flagged"
) -> ChatMessage:
    await alex.send("/cases")
    await alex.press("FAM-0142")
    ask = await alex.tap("Flag to supervisor")
    assert "How soon" in ask.text
    await alex.tap(urgency)
    return await alex.send_until(reason, expect)


def flag_message(emulator: BotApiEmulator, chat: int) -> ChatMessage:
    return next(m for m in reversed(emulator.bot_messages(chat)) if "Flag" in m.text)


async def test_an_urgent_flag_reaches_both_supervisors_and_one_acknowledging_updates_both(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock, second_supervisor=True)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    raised = await raise_flag(alex, "Today", "Mum <b>refused</b> entry & I'm worried")
    assert "as urgent" in raised.text

    for chat in (SAM, DEE):
        message = await emulator.wait_for_bot_message(chat, lambda m: "🚩 Flag" in m.text, after=0)
        assert "FAM-0142" in message.text and "Alex Worker" in message.text
        assert "Mum <b>refused</b> entry & I'm worried" in message.text
        # An urgent flag cannot be parked on the supervision agenda (issue 21.2).
        assert message.labels == ["✓ Acknowledge", "📞 I'll call you", "✔ Resolve"]

    sam = Chatter(emulator, SAM, "Sam")
    message_id, ack = sam.button("Acknowledge")
    answer = await sam.press_data(message_id, ack.replace("fl:ack:", "fl:agenda:"))
    assert "answered" not in answer
    assert "can't wait for supervision" in emulator.bot_messages(SAM)[-1].text
    async with database.unit_of_work() as uow:
        assert (await uow.session.scalars(select(Flag))).one().state == "open"
    acknowledged = await sam.press("Acknowledge")
    assert "Acknowledged by Sam Supervisor" in acknowledged.text
    dee_copy = flag_message(emulator, DEE)
    updated = await emulator.wait_for_edit(
        DEE, dee_copy.message_id, predicate=lambda m: "Acknowledged by Sam" in m.text
    )
    assert "✓ Acknowledge" not in updated.labels and "✔ Resolve" in updated.labels
    told = await emulator.wait_for_bot_message(
        ALEX, lambda m: "has acknowledged your flag" in m.text, after=0
    )
    assert "Sam Supervisor" in told.text and "FAM-0142" in told.text

    # Dee pressing Acknowledge on a stale copy changes nothing.
    stale = emulator.press(DEE, dee_copy.message_id, "fl:ack:1")
    answer = await emulator.wait_for_callback_answer(stale["callback_query"]["id"])
    assert answer.get("text") == "Already done."

    # Resolving asks for a one-line outcome, kept with the flag; everyone sees it.
    dee = Chatter(emulator, DEE, "Dee")
    ask = await dee.tap("Resolve")
    assert "how was it resolved" in ask.text
    done = await dee.send("Spoke to mum, visit rebooked")
    assert "Resolved" in done.text
    await emulator.wait_for_edit(
        SAM, acknowledged.message_id, predicate=lambda m: "Resolved by Dee" in m.text
    )
    await emulator.wait_for_bot_message(ALEX, lambda m: "has resolved your flag" in m.text, after=0)
    async with database.unit_of_work() as uow:
        flag = (await uow.session.scalars(select(Flag))).one()
        assert flag.state == "resolved" and flag.outcome == "Spoke to mum, visit rebooked"
        assert flag.handled_by_id is not None and flag.resolved_by_id is not None


async def test_an_unacknowledged_urgent_flag_reminds_after_an_hour_and_escalates_after_two(
    bot: Bearings,
    emulator: BotApiEmulator,
    database: Database,
    clock: MovableClock,
    data_keys: list[str],
) -> None:
    await seed_team(database, clock, second_supervisor=True)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await raise_flag(alex, "Today", "Worried about tonight")
    await emulator.wait_for_bot_message(SAM, lambda m: "🚩 Flag" in m.text, after=0)

    clock.advance(timedelta(minutes=59))
    await bot.tick()
    clock.advance(timedelta(minutes=2))
    for chat in (SAM, DEE):
        await emulator.wait_for_bot_message(chat, lambda m: "Still waiting" in m.text, after=0)

    # A restart in between: the reminder is not sent again, the escalation comes once.
    await bot.stop()
    restarted = build(bot_settings(emulator, database.url, data_keys), clock=clock)
    await restarted.start()
    try:
        clock.advance(timedelta(minutes=60))
        for chat in (SAM, DEE):
            await emulator.wait_for_bot_message(chat, lambda m: "Escalated" in m.text, after=0)
        await emulator.wait_for_bot_message(ALEX, lambda m: "chasing it" in m.text, after=0)
        await restarted.tick()
        await restarted.tick()
        for chat in (SAM, DEE):
            texts = [m.text for m in emulator.bot_messages(chat)]
            assert sum("Still waiting" in t for t in texts) == 1
            assert sum("Escalated" in t for t in texts) == 1
    finally:
        await restarted.stop()


async def test_once_picked_up_every_copy_reminders_escalations_and_the_chase_tell_the_same(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    """Issue 19.5: no copy still says "Still waiting" or "Escalated" beside "Acknowledged",
    and the worker's "I'm chasing it" says it has been picked up."""
    await seed_team(database, clock, second_supervisor=True)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await raise_flag(alex, "Today", "Worried about tonight")
    for minutes, words in ((61, "Still waiting"), (60, "Escalated")):
        clock.advance(timedelta(minutes=minutes))
        await bot.tick()
        for chat in (SAM, DEE):
            await emulator.wait_for_bot_message(chat, lambda m, w=words: w in m.text, after=0)
    chase = await emulator.wait_for_bot_message(ALEX, lambda m: "chasing it" in m.text, after=0)

    sam = Chatter(emulator, SAM, "Sam")
    await sam.press("✓ Acknowledge")
    copies = {chat: [m.message_id for m in emulator.bot_messages(chat)] for chat in (SAM, DEE)}

    def all_say_acknowledged() -> bool:
        return all(
            "Acknowledged by Sam" in (emulator.message(chat, i) or chase).text
            for chat, ids in copies.items()
            for i in ids
        )

    await emulator.wait_until(all_say_acknowledged)
    for chat, ids in copies.items():
        texts = [m.text for i in ids if (m := emulator.message(chat, i)) is not None]
        assert sum("Acknowledged by Sam" in t for t in texts) == 3, texts  # flag, reminder, …
        assert not any("Still waiting" in t or "Escalated" in t for t in texts), texts
    await emulator.wait_until(
        lambda: "picked up by Sam" in (emulator.message(ALEX, chase.message_id) or chase).text
    )
    edited = emulator.message(ALEX, chase.message_id)
    assert edited is not None and "chasing it" not in edited.text


async def test_a_copy_held_by_someone_who_lost_the_right_reads_a_neutral_line_not_the_outcome(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    """Issue 20.3: Dee had the flag's copy, then was taken off the team; when Sam resolves it,
    Dee's copy says only that the team's supervisors handle it, and shows no outcome."""
    await seed_team(database, clock, second_supervisor=True)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await raise_flag(alex, "This week", "Worried about the school run")
    dee_copy = await emulator.wait_for_bot_message(DEE, lambda m: "🚩 Flag" in m.text, after=0)
    async with database.unit_of_work() as uow:
        dee = await uow.members.by_telegram_id(DEE)
        sam = await uow.members.by_telegram_id(SAM)
        assert dee is not None and sam is not None
        await handover.remove_member(
            uow, clock, telegram_user_id=SAM, member_id=dee.id, to_id=sam.id
        )
    sam_chat = Chatter(emulator, SAM, "Sam")
    await emulator.wait_for_bot_message(SAM, lambda m: "🚩 Flag" in m.text, after=0)
    await sam_chat.tap("Resolve")
    await sam_chat.send_until("Rang the school, all sorted", "Resolved")
    await emulator.wait_until(
        lambda: (
            "now handled by North Team"
            in (emulator.message(DEE, dee_copy.message_id) or dee_copy).text
        )
    )
    edited = emulator.message(DEE, dee_copy.message_id)
    assert edited is not None and "Rang the school" not in edited.text and not edited.labels
    assert "Worried about the school run" not in edited.text
    assert not any("Rang the school" in m.text for m in emulator.bot_messages(DEE))


async def test_an_acknowledged_urgent_flag_is_chased_until_resolved(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    """Issue 21.2: one tap on Acknowledge does not park an urgent flag: after 4 hours whoever
    took it is asked for an update, after 8 every supervisor is told it has stalled, and
    once resolved every copy says so."""
    await seed_team(database, clock, second_supervisor=True)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await raise_flag(alex, "Today", "Worried about tonight")
    await emulator.wait_for_bot_message(SAM, lambda m: "🚩 Flag" in m.text, after=0)
    sam = Chatter(emulator, SAM, "Sam")
    await sam.press("Acknowledge")

    clock.advance(timedelta(hours=3, minutes=59))
    await bot.tick()
    assert not any("Still open" in m.text for m in emulator.bot_messages(SAM))
    clock.advance(timedelta(minutes=2))
    await bot.tick()
    asked = await emulator.wait_for_bot_message(SAM, lambda m: "Still open" in m.text, after=0)
    assert "✔ Resolve" in asked.labels and "Acknowledged by Sam" in asked.text
    assert not any("Still open" in m.text for m in emulator.bot_messages(DEE))  # Sam's own

    clock.advance(timedelta(hours=4))
    await bot.tick()
    for chat in (SAM, DEE):
        await emulator.wait_for_bot_message(chat, lambda m: "not resolved yet" in m.text, after=0)
    await bot.tick()  # planned once only
    assert sum("not resolved yet" in m.text for m in emulator.bot_messages(DEE)) == 1

    await sam.tap("Resolve")
    await sam.send_until("Spoke to mum, all safe", "Resolved")

    def all_resolved() -> bool:
        return all(
            "Resolved by Sam" in m.text
            for chat in (SAM, DEE)
            for m in emulator.bot_messages(chat)
            if "🔴 Today" in m.text
        )

    await emulator.wait_until(all_resolved)


async def test_a_next_supervision_flag_is_chased_the_day_after_that_supervision(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    """Issue 21.2: a "next supervision" flag picked up waits for the worker's next supervision
    as their last note planned it (here on Thursday), not the default fortnight."""
    await seed_team(database, clock, second_supervisor=True)
    alex_person = await person_of(database, ALEX)
    now = clock.now()
    async with database.unit_of_work() as uow:
        await uow.notes.add_supervision(
            SupervisionNote(
                team_id=alex_person.team_id,
                worker_id=alex_person.member_id,
                author_id=alex_person.member_id,
                case_id=None,
                held_on=now.date(),
                kind="one_to_one",
                content={
                    "task": "workload",
                    "next_review": (now + timedelta(days=3)).date().isoformat(),
                },
                created_at=now,
                updated_at=now,
            )
        )
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await raise_flag(alex, "Next supervision", "Thinking about stepping down")
    copy = await emulator.wait_for_bot_message(SAM, lambda m: "🚩 Flag" in m.text, after=0)
    assert "🗓 Add to agenda" in copy.labels
    await Chatter(emulator, SAM, "Sam").press("Add to agenda")

    clock.advance(timedelta(days=3))  # Thursday 09:00, the day of the supervision
    await bot.tick()
    assert not any("Still open" in m.text for m in emulator.bot_messages(SAM))
    clock.advance(timedelta(days=1))  # Friday 09:00
    await bot.tick()
    asked = await emulator.wait_for_bot_message(SAM, lambda m: "Still open" in m.text, after=0)
    assert "Thinking about stepping down" in asked.text


async def test_a_flag_raised_with_no_supervisor_reachable_reaches_the_first_who_can(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    """Issue 21.2: Sam (the only supervisor) cannot be reached when Alex flags; once Sam is
    back in touch the flag reaches him, with its age, and Alex hears when he picks it up."""
    await seed_team(database, clock)
    async with database.unit_of_work() as uow:
        sam_member = await uow.members.by_telegram_id(SAM)
        assert sam_member is not None
        sam_member.unreachable_at = clock.now()
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await raise_flag(alex, "This week", "Worried about the school run", expect="")
    await bot.tick()
    assert not any("🚩 Flag" in m.text for m in emulator.bot_messages(SAM))

    clock.advance(timedelta(hours=2))
    sam = Chatter(emulator, SAM, "Sam")
    await sam.send("/help")  # back in touch: reachable again
    await bot.tick()
    flag = await emulator.wait_for_bot_message(SAM, lambda m: "🚩 Flag" in m.text, after=0)
    assert "FAM-0142" in flag.text and "Raised Mon 23 Nov, 09:" in flag.text
    await sam.press("Acknowledge")
    await emulator.wait_for_bot_message(
        ALEX, lambda m: "has acknowledged your flag" in m.text, after=0
    )
    await bot.tick()
    assert sum("🚩 Flag" in m.text for m in emulator.bot_messages(SAM)) == 1  # once


async def test_a_this_week_flag_raised_on_friday_evening_reminds_on_monday(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    clock.advance(timedelta(days=4, hours=12))  # Friday 27 Nov, 21:00 in London
    raised = await raise_flag(alex, "This week", "Need a steer on school")
    assert "next working day" in raised.text
    await bot.tick()
    assert not any("Flag" in m.text for m in emulator.bot_messages(SAM))

    clock.advance(timedelta(days=2, hours=11, minutes=5))  # Monday 08:05
    await emulator.wait_for_bot_message(SAM, lambda m: "🚩 Flag" in m.text, after=0)
    clock.advance(timedelta(hours=7))  # Monday 15:05: not yet a working day since 08:00
    await bot.tick()
    assert not any("Still waiting" in m.text for m in emulator.bot_messages(SAM))
    clock.advance(timedelta(hours=1))  # Monday 16:05
    await emulator.wait_for_bot_message(SAM, lambda m: "Still waiting" in m.text, after=0)


async def test_workers_and_other_teams_cannot_act_on_a_flag(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await raise_flag(alex, "This week", "Need a steer")
    mine = await alex.send("/flags")
    assert "Your open flags" in mine.text and "Need a steer" in mine.text

    emulator.press(ALEX, mine.message_id, "fl:ack:1")
    await emulator.wait_for_bot_message(ALEX, lambda m: "Only supervisors can do that" in m.text)
    pat = Chatter(emulator, 2001, "Pat")
    theirs = await pat.send("/flags")
    assert "Need a steer" not in theirs.text
    emulator.press(2001, theirs.message_id, "fl:ack:1")
    await emulator.wait_for_bot_message(2001, lambda m: "isn't one you can see" in m.text)
    async with database.unit_of_work() as uow:
        flag = (await uow.session.scalars(select(Flag))).one()
        assert flag.state == "open" and flag.handled_by_id is None
        copies = (await uow.session.scalars(select(OutboxMessage))).all()
        assert [row.chat_id for row in copies] == [SAM]


async def test_an_away_supervisors_cover_gets_the_flag_and_can_act_and_no_one_means_told_at_once(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    async with database.unit_of_work() as uow:
        sam = await uow.members.by_telegram_id(SAM)
        kim = await uow.members.by_telegram_id(1004)
        assert sam is not None and kim is not None
        sam.away_until, sam.away_cover_id = clock.now().date() + timedelta(days=3), kim.id
    alex = Chatter(emulator, ALEX, "Alex")
    await add_case(alex, "FAM-0142")
    await raise_flag(alex, "Today", "Covered while Sam is away")
    copy = await emulator.wait_for_bot_message(1004, lambda m: "🚩 Flag" in m.text, after=0)
    assert "Covered while Sam is away" in copy.text
    assert not any("Covered while" in m.text for m in emulator.bot_messages(SAM))
    acknowledged = await Chatter(emulator, 1004, "Kim").press("Acknowledge")
    assert "Acknowledged by Kim Worker" in acknowledged.text
    await emulator.wait_for_bot_message(ALEX, lambda m: "Kim Worker has acknowledged" in m.text)

    async with database.unit_of_work() as uow:
        sam = await uow.members.by_telegram_id(SAM)
        assert sam is not None
        sam.away_cover_id = None
    told = await raise_flag(alex, "This week", "Nobody to see this", "no supervisor I can reach")
    assert "no supervisor I can reach" in told.text
    assert "Follow your local safeguarding procedure" in told.text
