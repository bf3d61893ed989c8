"""Mutated button data, through the running bot: every kind of button, each of its parts
emptied, made huge, negative, fractional, non-ASCII or another type, separators added and
parts dropped. Whatever does not read as a button is answered "Already done." on the button
and changes nothing; nothing is ever "something went wrong"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.app import Bearings
from bot.clock import MovableClock
from bot.domain import buttons
from bot.domain.buttons import StaleButton
from bot.sandbox.emulator import BotApiEmulator
from prompts import render
from storage.db import Database
from tests.access_world import Who
from tests.e2e.conftest import Chatter
from tests.e2e.test_forged_buttons import CATCH_ALL, FORGED, build_scene, settled

REPLACEMENTS = ("", "99999999999999999999", "-1", "1e9", "1.5", "０", "١", "é", "None", "x:y")


def mutations(data: str) -> Iterator[str]:
    """Ways to garble one piece of button data."""
    prefix, *parts = data.split(":")
    for index in range(len(parts)):
        for replacement in REPLACEMENTS:
            yield ":".join([prefix, *parts[:index], replacement, *parts[index + 1 :]])
    yield data + ":"
    yield data + "::1"
    yield ":" + data
    yield data.replace(":", "::", 1)
    yield data.upper()
    yield data + "\u200b"
    if parts:
        yield ":".join([prefix, *parts[:-1]]) if len(parts) > 1 else prefix + ":"


def garbled(data: str) -> list[str]:
    """The mutations that no longer read as any button (the others are real buttons, which
    the forged-button test presses)."""
    found = []
    for mutated in dict.fromkeys(mutations(data)):
        if len(mutated.encode()) > 64 or not mutated:
            continue
        try:
            buttons.parse(mutated)
        except StaleButton:
            found.append(mutated)
    return found


# Reading button data never reaches the database: one database is enough.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_garbled_data_of_every_kind_is_answered_already_done_and_changes_nothing(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    world = await build_scene(database, clock)
    alex = Chatter(emulator, Who.OWNER.value, "Alex")
    message_id = (await alex.send("/help")).message_id
    before = await settled(database)
    done, crashes = render("button_done"), {render("something_went_wrong"), render("try_again")}
    pressed, wrong = 0, []
    for prefix, forgeries in FORGED.items():
        if prefix == CATCH_ALL:
            continue
        for data in garbled(forgeries[0].data(world)):
            seen = len(emulator.bot_messages(alex.user_id))
            answer = await alex.press_data(message_id, data)
            said = [m.text for m in emulator.bot_messages(alex.user_id)[seen:]]
            pressed += 1
            if crashes & set(said) or answer.get("text") != done or said:
                wrong.append(f"{data!r}: {answer.get('text')!r} {said}")
    assert not wrong, "\n".join(wrong)
    assert pressed > 300  # every kind, many ways
    assert await settled(database) == before
