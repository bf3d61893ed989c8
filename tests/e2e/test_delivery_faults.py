"""Delivery over the real bot when Telegram misbehaves: flood limits and 429s, server errors,
timeouts and dropped connections, blocked people, groups that moved, refusals, and a pause.

Rows are owed through the outbox directly (``tests.outbox_notes``), each carrying a label,
so every test can count exactly what arrived in which chat.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import Bearings, build
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator, FaultRule
from bot.sandbox.emulator.ratelimit import RateLimits
from bot.services import onboarding
from storage.db import Database
from storage.models import Member, OutboxMessage, Team
from tests.e2e.conftest import Chatter, bot_settings
from tests.outbox_notes import NOTE_EDIT, label, note_row, owe, rows_by_label
from tests.team import seed_team

SAM, ALEX, DEE = 1001, 1002, 1005
SEND_TIMEOUT = 0.5


@pytest.fixture
async def fragile_bot(
    emulator: BotApiEmulator, database: Database, clock: MovableClock, data_keys: list[str]
) -> AsyncIterator[Bearings]:
    """The real bot, giving up on an unanswered send after half a second."""
    settings = bot_settings(emulator, database.url, data_keys).model_copy(
        update={"telegram_send_timeout": SEND_TIMEOUT}
    )
    bearings = build(settings, clock=clock)
    await bearings.start()
    yield bearings
    await bearings.stop()


async def settle(bot: Bearings) -> int:
    """Deliver what is due now; returns once any delivery already running has finished too."""
    assert bot.delivery is not None
    return await bot.delivery.deliver_due()


def count(emulator: BotApiEmulator, chat: int, number: int) -> int:
    """How many copies of note ``number`` the chat received."""
    return sum(label(number) in m.text for m in emulator.bot_messages(chat))


def labels_in(emulator: BotApiEmulator, chat: int) -> list[str]:
    """The note labels in the chat, in the order they arrived."""
    return [m.text.split()[1].rstrip(".") for m in emulator.bot_messages(chat)]


async def test_a_burst_to_forty_chats_and_a_group_stays_within_telegrams_limits(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    emulator.rate_limits = RateLimits()  # Telegram's: 30/s overall, 1/s a chat, 20/min a group
    chats = [7000 + n for n in range(40)]
    rows = [note_row(n, chats[n % 40], clock.now()) for n in range(120)]
    rows += [note_row(120 + n, -5001, clock.now()) for n in range(3)]
    await owe(database, rows)

    await emulator.wait_until(
        lambda: sum(emulator.bot_message_count(c) for c in [*chats, -5001]) == 123, timeout=30
    )
    assert emulator.stats["rate_limited"] == 0 and emulator.stats["429"] == 0
    sends = [r for r in emulator.requests if r.method == "sendMessage"]
    assert len(sends) == 123
    # Paced at the overall limit, and no slower: up to 30 a second to private chats (each send
    # counted until its answer is back), the group's messages 3.7 s apart alongside them
    # (all 123 in about 8 s).
    private = sorted(r.at for r in sends if r.chat_id is not None and r.chat_id > 0)
    assert (len(private) - 1) / (private[-1] - private[0]) > 24
    assert max(r.at for r in sends) - min(r.at for r in sends) < 12
    for chat in chats:
        assert labels_in(emulator, chat) == [label(n) for n in range(120) if n % 40 == chat - 7000]
    assert labels_in(emulator, -5001) == [label(120), label(121), label(122)]


async def test_a_429_puts_off_only_that_chat_for_its_retry_after(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    emulator.faults.add(FaultRule(method="sendMessage", chat_id=7001, status=429, retry_after=30))
    now = clock.now()
    await owe(database, [note_row(1, 7001, now), note_row(2, 7001, now)])
    await owe(database, [note_row(3, 7002, now), note_row(4, 7002, now)])

    await emulator.wait_until(lambda: emulator.bot_message_count(7002) == 2)
    await settle(bot)
    assert emulator.bot_message_count(7001) == 0
    rows = await rows_by_label(database)
    first, second = rows[label(1)], rows[label(2)]
    assert (first.status, second.status) == ("pending", "pending")
    assert first.due_at == now + timedelta(seconds=30) < second.due_at
    assert emulator.stats["429"] == 1  # put off, not hammered

    clock.advance(timedelta(seconds=31))  # (the second is due a microsecond after the first)
    await emulator.wait_until(lambda: emulator.bot_message_count(7001) == 2)
    assert labels_in(emulator, 7001) == [label(1), label(2)]
    await settle(bot)
    rows = await rows_by_label(database)
    assert rows[label(1)].status == rows[label(2)].status == "sent"
    assert rows[label(1)].attempts == 2 and rows[label(2)].attempts == 1


async def test_when_telegram_is_back_what_its_errors_put_off_goes_at_once_a_429_wait_is_kept(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    """Issue 19.1: after an outage, a nudge put off for Telegram's 5xx goes as soon as
    Telegram answers again, not at the end of its backoff; one told to wait by a 429 waits."""
    down = emulator.faults.add(FaultRule("sendMessage", chat_id=7001, status=502, times=None))
    emulator.faults.add(FaultRule("sendMessage", chat_id=7002, status=429, retry_after=30))
    now = clock.now()
    await owe(database, [note_row(1, 7001, now), note_row(2, 7002, now)])
    await emulator.wait_until(lambda: down.hits >= 4 and emulator.stats["429"] == 1)
    await settle(bot)
    rows = await rows_by_label(database)
    assert rows[label(1)].due_at > now and rows[label(2)].due_at == now + timedelta(seconds=30)

    emulator.faults.remove(down)
    assert bot.delivery is not None
    bot.delivery.telegram_back()  # what the poller or an owed reply says when calls succeed
    await emulator.wait_until(lambda: emulator.bot_message_count(7001) == 1)
    await settle(bot)
    assert emulator.bot_message_count(7002) == 0  # the clock has not moved: its wait holds
    clock.advance(timedelta(seconds=31))
    await emulator.wait_until(lambda: emulator.bot_message_count(7002) == 1)


async def test_a_send_that_timed_out_is_retried_and_counted(
    fragile_bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    # Telegram acts on the send but answers too late: the bot cannot know it arrived.
    slow = emulator.faults.add(
        FaultRule(method="sendMessage", chat_id=7001, status=0, delay=SEND_TIMEOUT * 3)
    )
    await owe(database, [note_row(1, 7001, clock.now())])

    await emulator.wait_until(lambda: count(emulator, 7001, 1) == 2, timeout=10)
    await settle(fragile_bot)
    row = (await rows_by_label(database))[label(1)]
    assert slow.hits == 1
    assert row.status == "sent" and row.timeouts == 1 and row.message_id is not None


async def test_server_errors_timeouts_and_dropped_connections_at_a_high_rate_lose_nothing(
    fragile_bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    send = "sendMessage"
    errors = emulator.faults.add(FaultRule(send, status=500, probability=0.25, times=None))
    gateway = emulator.faults.add(FaultRule(send, status=502, probability=0.1, times=None))
    flood = emulator.faults.add(FaultRule(send, status=429, retry_after=5, probability=0.05))
    flood.times = None
    # Ambiguous: the connection drops before Telegram acts, after it acts, or the answer is
    # too slow (after acting): the bot cannot tell these apart.
    ambiguous = [
        emulator.faults.add(
            FaultRule(send, status=0, drop_connection=True, probability=0.1, times=None)
        ),
        emulator.faults.add(
            FaultRule(
                send,
                status=0,
                drop_connection=True,
                after_effect=True,
                probability=0.1,
                times=None,
            )
        ),
        emulator.faults.add(
            FaultRule(
                send,
                status=0,
                delay=SEND_TIMEOUT * 3,
                after_effect=True,
                probability=0.1,
                times=None,
            )
        ),
    ]
    chats = [7000 + n for n in range(20)]
    await owe(database, [note_row(n, chats[n % 20], clock.now()) for n in range(60)])

    for _ in range(40):
        await settle(fragile_bot)
        rows = await rows_by_label(database)
        if all(row.status == "sent" for row in rows.values()):
            break
        clock.advance(timedelta(minutes=20))  # whatever was put off is due again
    rows = await rows_by_label(database)
    assert {row.status for row in rows.values()} == {"sent"}

    duplicates = 0
    for n in range(60):
        row = rows[label(n)]
        copies = count(emulator, row.chat_id, n)
        assert 1 <= copies <= 1 + row.timeouts, (label(n), copies, row.timeouts)
        duplicates += copies - 1
    for chat in chats:  # each chat's notes first arrived in the order they were owed
        firsts = list(dict.fromkeys(labels_in(emulator, chat)))
        assert firsts == sorted(firsts)
    assert errors.hits and gateway.hits and all(rule.hits for rule in ambiguous)
    counted = sum(row.timeouts for row in rows.values())
    assert counted >= sum(rule.hits for rule in ambiguous) >= duplicates


async def test_a_blocked_member_is_marked_unreachable_and_their_supervisors_told_once(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock, second_supervisor=True)
    emulator.block(ALEX)
    now = clock.now()
    await owe(database, [note_row(1, ALEX, now), note_row(2, ALEX, now)])

    def told(chat: int) -> int:
        return sum("can't reach" in m.text for m in emulator.bot_messages(chat))

    await emulator.wait_until(lambda: told(SAM) == 1 and told(DEE) == 1)
    notice = emulator.last_bot_message(SAM)
    assert notice is not None and "Alex Worker" in notice.text
    await owe(database, [note_row(3, ALEX, now)])
    await settle(bot)
    await settle(bot)
    rows = await rows_by_label(database)
    assert [(rows[label(n)].status, rows[label(n)].last_error) for n in (1, 2, 3)] == [
        ("failed", "unreachable")
    ] * 3
    assert told(SAM) == 1 and told(DEE) == 1 and told(ALEX) == 0
    async with database.unit_of_work() as uow:
        alex = await uow.members.by_telegram_id(ALEX)
        assert alex is not None and alex.unreachable_at == now

    # Back in touch: anything Alex sends makes them reachable, and messages flow again.
    emulator.unblock(ALEX)
    await Chatter(emulator, ALEX, "Alex").send("/help")
    async with database.unit_of_work() as uow:
        alex = await uow.members.by_telegram_id(ALEX)
        assert alex is not None and alex.unreachable_at is None
    await owe(database, [note_row(4, ALEX, clock.now())])
    await emulator.wait_until(lambda: count(emulator, ALEX, 4) == 1)


async def test_a_notice_is_dropped_if_the_person_is_back_in_touch_before_it_goes(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    emulator.block(ALEX)
    await owe(database, [note_row(1, ALEX, clock.now())])
    await emulator.wait_until(
        lambda: any("can't reach" in m.text for m in emulator.bot_messages(SAM))
    )
    await settle(bot)
    async with database.unit_of_work() as uow:
        notices = (
            await uow.session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == "member_unreachable")
            )
        ).all()
        assert [(n.chat_id, n.status) for n in notices] == [(SAM, "sent")]
        # A notice composed after Alex is back in touch is dropped, not sent.
        notices[0].status = "pending"
        alex = await uow.members.by_telegram_id(ALEX)
        assert alex is not None
        alex.unreachable_at = None
    await settle(bot)
    async with database.unit_of_work() as uow:
        notice = await uow.outbox.get(notices[0].id)
        assert notice is not None and notice.status == "dropped"


async def test_a_group_that_became_a_supergroup_gets_the_message_at_its_new_id(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    async with database.unit_of_work() as uow:
        await onboarding.link_group(uow, clock, telegram_user_id=SAM, chat_id=-5001)
    supergroup = emulator.migrate_group(-5001)
    now = clock.now()
    await owe(database, [note_row(1, -5001, now), note_row(2, -5001, now)])

    await emulator.wait_until(lambda: emulator.bot_message_count(supergroup) == 2, timeout=15)
    assert labels_in(emulator, supergroup) == [label(1), label(2)]
    assert emulator.bot_message_count(-5001) == 0
    await settle(bot)
    async with database.unit_of_work() as uow:
        team = (await uow.session.scalars(select(Team).where(Team.name == "North Team"))).one()
        assert team.group_chat_id == supergroup
    rows = await rows_by_label(database)
    assert [(rows[label(n)].status, rows[label(n)].chat_id) for n in (1, 2)] == [
        ("sent", supergroup)
    ] * 2
    migrated = [r for r in emulator.requests if r.chat_id == -5001 and r.status == 400]
    assert len(migrated) == 1  # re-sent once to the new id; the next row went straight there


async def test_a_permanent_refusal_is_a_dead_letter_with_its_reason(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    emulator.faults.add(
        FaultRule(
            method="sendMessage",
            chat_id=7001,
            status=400,
            description="Bad Request: can't parse entities: unsupported start tag",
        )
    )
    now = clock.now()
    await owe(database, [note_row(1, 7001, now), note_row(2, 7001, now)])

    await emulator.wait_until(lambda: count(emulator, 7001, 2) == 1)
    await settle(bot)
    rows = await rows_by_label(database)
    dead = rows[label(1)]
    assert dead.status == "dead" and dead.attempts == 1
    assert dead.last_error is not None and "parse entities" in dead.last_error.lower()
    assert count(emulator, 7001, 1) == 0 and rows[label(2)].status == "sent"


async def test_an_edit_that_changes_nothing_counts_as_delivered(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await owe(database, [note_row(1, 7001, clock.now())])
    await emulator.wait_until(lambda: count(emulator, 7001, 1) == 1)
    edit = {
        "key": "noteedit:1",
        "kind": NOTE_EDIT,
        "chat_id": 7001,
        "ref": {"label": label(1), "original": "note:1"},
        "due_at": clock.now(),
        "created_at": clock.now(),
    }
    await owe(database, [edit])
    await emulator.wait_until(lambda: any(r.method == "editMessageText" for r in emulator.requests))
    await settle(bot)
    async with database.unit_of_work() as uow:
        row = await uow.outbox.by_key("noteedit:1")
        assert row is not None and row.status == "sent"
    [answer] = [r for r in emulator.requests if r.method == "editMessageText"]
    assert answer.status == 400 and "not modified" in (answer.description or "")


async def test_a_message_due_while_the_bot_was_down_is_sent_when_it_comes_back(
    bot: Bearings,
    emulator: BotApiEmulator,
    database: Database,
    clock: MovableClock,
    data_keys: list[str],
) -> None:
    await owe(database, [note_row(1, 7001, clock.now() + timedelta(hours=1))])
    await settle(bot)
    await bot.stop()
    clock.advance(timedelta(hours=3))  # it fell due while nothing was running

    restarted = build(bot_settings(emulator, database.url, data_keys), clock=clock)
    await restarted.start()
    try:
        await emulator.wait_until(lambda: count(emulator, 7001, 1) == 1)
        # The periodic job runs however late it starts, and missed runs fold into one.
        assert restarted.application.job_queue is not None
        [tick] = restarted.application.job_queue.get_jobs_by_name("tick")
        assert tick.job.misfire_grace_time is None and tick.job.coalesce is True
        await settle(restarted)
        row = (await rows_by_label(database))[label(1)]
        assert row.status == "sent" and row.sent_at == clock.now()
    finally:
        await restarted.stop()
    assert count(emulator, 7001, 1) == 1


async def test_supervisors_are_not_told_about_people_outside_bearings(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    emulator.block(7001)  # not a member: their row fails, nobody else hears of it
    await owe(database, [note_row(1, 7001, clock.now())])
    await emulator.wait_until(
        lambda: any(r.chat_id == 7001 and r.status == 403 for r in emulator.requests)
    )
    await settle(bot)
    assert (await rows_by_label(database))[label(1)].status == "failed"
    async with database.unit_of_work() as uow:
        members = (await uow.session.scalars(select(Member))).all()
        assert all(member.unreachable_at is None for member in members)
        assert await uow.outbox.with_key_prefix("unreachable:") == []


async def test_stopping_mid_delivery_puts_back_what_was_not_sent(
    bot: Bearings,
    emulator: BotApiEmulator,
    database: Database,
    clock: MovableClock,
    data_keys: list[str],
) -> None:
    # Six notes to one chat take about six seconds at one a second; stop after the second.
    await owe(database, [note_row(n, 7001, clock.now()) for n in range(6)])
    await emulator.wait_until(lambda: emulator.bot_message_count(7001) >= 2)
    await bot.stop()
    stopped_at = emulator.bot_message_count(7001)
    assert stopped_at < 6
    rows = await rows_by_label(database)
    assert {row.status for row in rows.values()} == {"sent", "pending"}  # none left leased

    restarted = build(bot_settings(emulator, database.url, data_keys), clock=clock)
    await restarted.start()
    try:
        await emulator.wait_until(lambda: emulator.bot_message_count(7001) == 6, timeout=15)
        await settle(restarted)
    finally:
        await restarted.stop()
    assert labels_in(emulator, 7001) == [label(n) for n in range(6)]
    rows = await rows_by_label(database)
    assert {row.status for row in rows.values()} == {"sent"}
    assert all(row.attempts == 1 for row in rows.values())


async def test_rows_that_cannot_be_composed_are_set_aside_and_the_chat_carries_on(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    now = clock.now()
    unknown = {**note_row(1, 7001, now), "kind": "no_such_kind"}
    broken = {**note_row(2, 7001, now), "ref": {}}  # its composer needs a label
    await owe(database, [unknown, broken, note_row(3, 7001, now)])

    await emulator.wait_until(lambda: count(emulator, 7001, 3) == 1)
    await settle(bot)
    async with database.unit_of_work() as uow:
        rows = {row.key: row for row in await uow.outbox.with_key_prefix("note:")}
    assert (rows["note:1"].status, rows["note:1"].last_error) == ("failed", "unknown kind")
    assert (rows["note:2"].status, rows["note:2"].last_error) == (
        "dead",
        "could not compose: KeyError",
    )
    assert rows["note:3"].status == "sent" and emulator.bot_message_count(7001) == 1
