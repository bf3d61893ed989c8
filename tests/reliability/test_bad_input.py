"""Issue 9.6: random updates of every awkward kind, sent to the real bot through the emulator.

Hypothesis makes the updates (derandomized, so CI runs the same ones every time): control
characters, lone surrogates, emoji, right-to-left text, 10,000-character strings, HTML and
Jinja syntax, forged and random button data, messages with content the bot has never seen,
messages from strangers, groups and channels. Each update is sent and handled in turn, and
then: nothing raised, a member's private message got exactly one reply, the emulator (which
checks every call against the Bot API's rules) refused nothing the bot sent, and nothing the
bot turned away was stored.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from storage.models import Case, Flag, FlowSession, Member, Visit
from tests.e2e.conftest import bot
from tests.reliability.battery import report, size
from tests.team import OTHER_WORKER_ID, SUPERVISOR_ID, WORKER_ID, seed_team

pytestmark = [pytest.mark.reliability, pytest.mark.slow]
__all__ = ["bot"]

EXAMPLES = size("EXAMPLES", 300)
MEMBERS = (SUPERVISOR_ID, WORKER_ID, OTHER_WORKER_ID)
STRANGER, GROUP, CHANNEL = 3_000_001, -3_000_002, -1_003_000_003
HARMLESS = ("message is not modified", "query is too old")

awkward = st.sampled_from(
    [
        "\x00\x01\x07\x1b[31m\x7f",
        "\ud800 lone \udfff surrogates",
        "👩‍👧‍👦🏳️‍🌈🇬🇧 emoji ZWJ",
        "مرحبا بالعالم שלום \u202eevil\u202c",
        "<b>bold</b> <script>x</script> &amp; &lt; </i>",
        "{{ 7*7 }} {% for x in y %} {# c #}",
        "x" * 10_000,
        "/start " + "A" * 43,
        "/unknowncommand with words",
        "",
    ]
)
text = st.one_of(awkward, st.text(max_size=300), st.text(min_size=4000, max_size=4200))
callback_data = st.one_of(
    st.text(min_size=1, max_size=64),
    st.sampled_from(["f:1:1:s", "f:999999:0:o1", "nd:1:done", "fl:1:ack", "sk:1:note", "c:1"]),
    st.builds(lambda a, b: f"f:{a}:{b}:s", st.integers(0, 2**40), st.integers(-5, 2**31)),
)
update = st.one_of(
    st.tuples(st.just("member_text"), st.sampled_from(MEMBERS), text),
    st.tuples(st.just("member_press"), st.sampled_from(MEMBERS), callback_data),
    st.tuples(st.just("stranger_text"), st.just(STRANGER), text),
    st.tuples(st.just("group_text"), st.sampled_from((*MEMBERS, STRANGER)), text),
    st.tuples(st.just("channel_post"), st.just(CHANNEL), text),
    st.tuples(st.just("odd_message"), st.sampled_from((*MEMBERS, STRANGER)), text),
    st.tuples(st.just("unknown_kind"), st.just(STRANGER), text),
)


class ErrorLog(logging.Handler):
    """Keeps every error the bot logs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def errors() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


def push(emulator: BotApiEmulator, kind: str, who: int, value: str) -> bool:
    """Send one update; returns whether Telegram hands it to the bot (its kind is allowed)."""
    if kind == "member_text":
        emulator.send_message(who, value.removeprefix("/") or ".", first_name="Member")
    elif kind == "member_press":
        last = emulator.last_bot_message(who)
        assert last is not None  # every member was greeted first
        emulator.press(who, last.message_id, value)
    elif kind == "stranger_text":
        emulator.send_message(who, value, first_name=value[:20] or "X")
    elif kind == "group_text":
        emulator.send_message(who, value, chat_id=GROUP, chat_type="group", chat_title="Team")
    elif kind == "channel_post":
        emulator.send_channel_post(who, value)
        return False
    elif kind == "odd_message":
        raw: dict[str, Any] = {
            "message_id": 1,
            "date": 1795426090,
            "chat": {"id": who, "type": "private", "first_name": "Odd"},
            "from": {"id": who, "is_bot": False, "first_name": "Odd"},
            "giveaway_created": {"prize_star_count": 5},
            "caption": value,
        }
        emulator.add_update({"message": raw})
    else:
        emulator.add_update({"message_reaction": {"chat": {"id": who}, "text": value}})
        return False
    return True


def sends_to(emulator: BotApiEmulator, chat: int, since: int) -> int:
    """How many new messages the bot sent a chat since request ``since``."""
    return sum(
        1
        for r in emulator.requests[since:]
        if r.chat_id == chat and r.method in ("sendMessage", "sendPhoto") and r.status == 200
    )


class Tally:
    """What the examples sent, kept across them (the bot and its database are shared)."""

    def __init__(self) -> None:
        self.ready = False
        self.before: dict[str, int] = {}
        self.updates = 0
        self.member_messages = 0


@pytest.fixture
def tally() -> Tally:
    return Tally()


async def greet_members(emulator: BotApiEmulator, database: Database, clock: MovableClock) -> None:
    """The seeded team, each member greeted once (so there is a message to press on)."""
    await seed_team(database, clock)
    for member in MEMBERS:
        emulator.send_message(member, "/help", first_name="Member")
        await emulator.wait_for_bot_message(member, after=0)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(updates=st.lists(update, min_size=1, max_size=8))
async def test_random_updates_never_break_the_bot_or_store_what_it_refused(
    bot: Bearings,
    emulator: BotApiEmulator,
    database: Database,
    clock: MovableClock,
    errors: ErrorLog,
    tally: Tally,
    updates: list[tuple[str, int, str]],
) -> None:
    inbox = bot.inbox
    assert inbox is not None
    if not tally.ready:
        await greet_members(emulator, database, clock)
        tally.before, tally.ready = await counts(database), True
    for kind, who, value in updates:
        handled, since = inbox.handled, len(emulator.requests)
        tally.updates += 1
        if not push(emulator, kind, who, value):
            continue
        await emulator.wait_until(lambda h=handled: inbox.handled > h, timeout=20)
        if kind == "member_text":
            tally.member_messages += 1
            assert sends_to(emulator, who, since) == 1, (kind, who)
    refused = [
        (r.method, r.description)
        for r in emulator.requests
        if r.status == 400 and not any(h in (r.description or "") for h in HARMLESS)
    ]
    assert refused == []
    assert errors.records == []
    assert await counts(database) == tally.before  # strangers did not join; nothing was kept
    report(
        "bad input (so far)",
        updates_sent=tally.updates,
        member_messages=tally.member_messages,
        replies_received=emulator.stats["sent_messages"],
        refused_by_telegram=len(refused),
        unhandled_exceptions=len(errors.records),
    )


async def counts(database: Database) -> dict[str, int]:
    """How many members, cases, visits, flags and open conversations there are."""
    async with database.unit_of_work() as uow:
        return {
            model.__name__: int(await uow.session.scalar(select(func.count()).select_from(model)))
            for model in (Member, Case, Visit, Flag, FlowSession)
        }
