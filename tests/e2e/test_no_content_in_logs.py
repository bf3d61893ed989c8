"""Logs carry ids and event names, never what people typed, their names, or tokens.

A whole conversation runs through the real bot over the emulator with logging
set up as ``bearings run`` sets it up at LOG_LEVEL=DEBUG (bot/logs.py), and
captured twice: every record pytest's caplog sees, and the JSON lines the
Bearings formatter writes. Both are searched for every distinctive string the
people typed or were given (names, case references, notes, answers, flag
reasons and outcomes, invite tokens) and for the bot token.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.app import Bearings
from bot.clock import MovableClock
from bot.logs import EventFormatter, configure_logging
from bot.sandbox.emulator import BotApiEmulator
from bot.services import onboarding
from storage.db import Database
from storage.repositories.cases import NoteRepository
from tests.e2e.conftest import Chatter
from tests.team import seed_team

SAM_NAME, ALEX_NAME = "Zephyrine", "Quillon"
REFERENCE = "ZQX-4471"
TYPED = {
    "visit": "Mum said Okonkwo about the flat",
    "next_step": "Ring Dr Vasquez tomorrow",
    "task": "Decide Brightwater plan",
    "feelings": "Worried Halloran but steady",
    "decision": "Wait for Pemberly",
    "action": "Call Ashgrove school",
    "flag": "Dad shouting Mordecai at night",
    "outcome": "Spoke to Ingleby duty team",
    "closing": "Moved to Thistlewood county",
}
_STANDARD = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


@dataclass
class Captured:
    """Everything logged during the test: the records, and what the Bearings formatter wrote."""

    caplog: pytest.LogCaptureFixture
    output: io.StringIO

    def records(self) -> list[logging.LogRecord]:
        """Records from the bot's start (fixture set-up) and from the test itself."""
        return [*self.caplog.get_records("setup"), *self.caplog.get_records("call")]

    def texts(self) -> list[tuple[str, str]]:
        """(where, text) for every part of every record: message, arguments, extra fields."""
        found = [("formatted output", self.output.getvalue())]
        for record in self.records():
            where = f"{record.name} {record.levelname} {record.msg!r}"
            found.append((where, record.getMessage()))
            found.append((where, repr(record.args)))
            extras = {k: v for k, v in vars(record).items() if k not in _STANDARD}
            found.append((where, repr(extras)))
        return found

    def leaks(self, secrets: dict[str, str]) -> list[str]:
        """Which secrets appear anywhere, and where (case-insensitively)."""
        return [
            f"{name} in {where}"
            for where, text in self.texts()
            for name, secret in secrets.items()
            if secret.lower() in text.lower()
        ]


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> Iterator[Captured]:
    """Logging as in production at DEBUG, plus caplog on the root logger; put back after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    output = io.StringIO()
    configure_logging("DEBUG", stream=output)
    caplog.handler.setLevel(logging.DEBUG)
    root.addHandler(caplog.handler)
    yield Captured(caplog, output)
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in quiet.items():
        logging.getLogger(name).setLevel(old)


async def test_a_whole_conversation_leaves_no_name_note_answer_or_token_in_the_logs(
    captured: Captured,
    bot: Bearings,
    emulator: BotApiEmulator,
    database: Database,
    clock: MovableClock,
) -> None:
    async with database.unit_of_work() as uow:
        first = await onboarding.create_team(
            uow, clock, name="North Team", timezone="Europe/London", invite_ttl_days=7
        )
    sam = Chatter(emulator, 1001, SAM_NAME)
    await sam.send(f"/start {first.token}")
    await sam.press("Yes, join North Team")
    invite = await sam.send("/invite worker")
    link = re.search(r"\?start=([A-Za-z0-9_-]+)", invite.text)
    assert link is not None
    alex = Chatter(emulator, 1002, ALEX_NAME)
    await alex.send(f"/start {link.group(1)}")
    await alex.press("Yes, join North Team")

    await alex.send("/newcase")
    await alex.send(REFERENCE)
    await alex.tap("Engagement")
    await alex.tap("Every week")
    await alex.tap_until("Skip", "Added")

    await alex.send("/visit")
    await alex.tap(REFERENCE)
    await alex.tap("Today")
    await alex.send(TYPED["visit"])
    await alex.tap("Same")
    await alex.send_until(TYPED["next_step"], "Saved your visit")

    await alex.send("/supervision")
    await alex.tap(REFERENCE)
    await alex.tap("Today")
    await alex.tap("Thinking Together")
    await alex.tap_until("Zephyrine", "What was the conversation for")  # the supervisor
    await alex.send(TYPED["task"])
    await alex.tap("Skip")
    await alex.send(TYPED["feelings"])  # how you are with it
    for _ in range(3):  # the young person's, the family's, the network's feelings
        await alex.tap("Skip")
    await alex.tap("Same")
    for _ in range(3):  # risks, strengths, the family's view
        await alex.tap("Skip")
    await alex.tap("A decision")
    await alex.send(TYPED["decision"])
    await alex.tap("Skip")  # previous actions
    await alex.send(TYPED["action"])
    await alex.tap("Me")
    await alex.tap("Tomorrow")
    await alex.tap("No")  # no second action
    await alex.tap("No")  # nothing to escalate
    saved = await alex.tap_until("Skip", "Saved the supervision note")
    assert TYPED["action"] in saved.text

    await alex.send("/cases")
    await alex.press(REFERENCE)
    await alex.tap("Flag to supervisor")
    await alex.tap("Today")
    await alex.send_until(TYPED["flag"], "Flagged")
    flag = await emulator.wait_for_bot_message(1001, lambda m: "🚩 Flag" in m.text, after=0)
    assert TYPED["flag"] in flag.text and ALEX_NAME in flag.text
    await sam.tap("Resolve")
    await sam.send_until(TYPED["outcome"], "Resolved")
    await emulator.wait_for_bot_message(1002, lambda m: "has resolved your flag" in m.text, after=0)

    await sam.send("/cases")
    await sam.press(REFERENCE)
    await sam.press("History")
    seen = await sam.press("visit · ")  # a supervisor reading a worker's note
    assert TYPED["visit"] in seen.text

    await alex.send("/cases")
    await alex.press(REFERENCE)
    await alex.tap("Close case")
    await alex.tap("Yes, close it")
    await alex.send(TYPED["closing"])
    closed = await alex.tap("Just close it")
    assert closed.text.startswith(f"Closed {REFERENCE}")
    await bot.tick()

    secrets = {
        **TYPED,
        "supervisor's name": SAM_NAME,
        "worker's name": ALEX_NAME,
        "case reference": REFERENCE,
        "first invite token": first.token,
        "worker invite token": link.group(1),
        "bot token": emulator.token,
    }
    records = captured.records()
    assert any(r.getMessage() == "bearings.started" for r in records), "nothing was captured"
    lines = [json.loads(line) for line in captured.output.getvalue().splitlines()]
    events = [line["event"] for line in lines]
    assert "outbox.sent" in events  # the flag went out through the outbox, and was logged
    # One line per update handled, with its update and chat ids, the kind and how long.
    handled = [line for line in lines if line["event"] == "update.handled"]
    assert {line["chat_id"] for line in handled} >= {1001, 1002}
    assert all(
        isinstance(line["update_id"], int) and line["kind"] and line["ms"] >= 0 for line in handled
    )
    assert len({line["update_id"] for line in handled}) == len(handled)
    # At DEBUG the bot says what it decided (issue 19.6), with ids: a flow's moves, what
    # delivery claimed.
    debug = {line["event"] for line in lines if line.get("level") == "debug"}
    assert {"flow.began", "flow.step", "flow.closed", "outbox.claimed"} <= debug, debug
    steps = [line for line in lines if line["event"] == "flow.step"]
    assert {"visit", "supervision", "newcase"} <= {line["flow"] for line in steps}
    assert all(isinstance(line["session"], int) for line in steps)
    assert captured.leaks(secrets) == []


async def test_a_failing_update_is_logged_by_type_and_place_never_by_its_message(
    captured: Captured,
    bot: Bearings,
    emulator: BotApiEmulator,
    database: Database,
    clock: MovableClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await seed_team(database, clock)

    async def broken(self: NoteRepository, visit: Any) -> Any:
        # Exceptions often quote their input: this one quotes the note.
        raise ValueError(f"could not store {visit.how_it_went!r}")

    monkeypatch.setattr(NoteRepository, "add_visit", broken)
    alex = Chatter(emulator, 1002, "Alex")
    await alex.send("/newcase")
    await alex.send(REFERENCE)
    await alex.tap("Engagement")
    await alex.tap("Every week")
    await alex.tap_until("Skip", "Added")
    await alex.send("/visit")
    await alex.tap(REFERENCE)
    await alex.tap("Today")
    await alex.send(TYPED["visit"])
    await alex.tap("Same")
    sorry = await alex.send(TYPED["next_step"])
    assert "went wrong" in sorry.text.lower()

    failures = [
        json.loads(line)
        for line in captured.output.getvalue().splitlines()
        if json.loads(line)["event"] == "inbox.handler_failed"
    ]
    assert [(f["error"], f["where"].split(":")[0]) for f in failures] == [
        ("ValueError", "test_no_content_in_logs.py")
    ]
    leaks = [
        name
        for name, secret in {**TYPED, "bot token": emulator.token}.items()
        if secret.lower() in captured.output.getvalue().lower()
    ]
    assert leaks == []
    # The record itself still carries the exception (Python's logging always does): only the
    # Bearings formatter decides what is written, and it writes the type and place.
    assert any(
        r.exc_info for r in captured.caplog.records if r.getMessage() == "inbox.handler_failed"
    )


def test_the_formatter_masks_a_bot_token_whatever_logged_it() -> None:
    record = logging.makeLogRecord(
        {
            "name": "httpx",
            "levelno": logging.INFO,
            "levelname": "INFO",
            "msg": 'HTTP Request: POST %s "HTTP/1.1 200 OK"',
            "args": (
                "https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe",
            ),
        }
    )
    for as_json in (True, False):
        text = EventFormatter(as_json=as_json).format(record)
        assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in text and "/bot***/getMe" in text
