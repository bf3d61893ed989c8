"""Log lines: one event per line, JSON off a terminal, with the ids of what is being handled."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import bound_ids, configure_logging


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[str]:
    return stream.getvalue().splitlines()


def test_events_carry_the_ids_bound_while_they_happen(restore_logging: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    log = logging.getLogger("bearings.test")
    with bound_ids(update_id=41, chat_id=1002):
        log.info("flow.step_saved", extra={"step": 3})
        with bound_ids(attempt=2):
            log.info("inbox.retry")
        log.info("reply.sent", extra={"chat_id": 77})  # the record's own field wins
    log.info("planner.ran")

    events = [json.loads(line) for line in lines(stream)]
    assert [e["event"] for e in events] == [
        "flow.step_saved",
        "inbox.retry",
        "reply.sent",
        "planner.ran",
    ]
    assert events[0]["update_id"] == 41 and events[0]["chat_id"] == 1002 and events[0]["step"] == 3
    assert events[1]["attempt"] == 2 and events[1]["update_id"] == 41
    assert events[2]["chat_id"] == 77
    assert "update_id" not in events[3] and "chat_id" not in events[3]
    assert all(e["level"] == "info" and e["logger"] == "bearings.test" for e in events)


def test_on_a_terminal_one_readable_line_per_event(restore_logging: None) -> None:
    stream = Terminal()
    configure_logging("INFO", stream=stream)
    with bound_ids(update_id=9, chat_id=5):
        logging.getLogger("bearings.test").warning("outbox.dead", extra={"row": 12})
    (line,) = lines(stream)
    assert "WARNING" in line and "outbox.dead" in line
    assert "row=12" in line and "update_id=9" in line and "chat_id=5" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


async def test_each_task_sees_only_its_own_ids(restore_logging: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    log = logging.getLogger("bearings.test")
    both_inside = asyncio.Barrier(2)

    async def chat(chat_id: int) -> None:
        with bound_ids(chat_id=chat_id):
            await both_inside.wait()
            log.info("chat.turn")

    await asyncio.gather(chat(1), chat(2))
    assert sorted(json.loads(line)["chat_id"] for line in lines(stream)) == [1, 2]
