"""setMyCommands / getMyCommands / deleteMyCommands by scope and language."""

from __future__ import annotations

import pytest
import telegram

from bot.sandbox.emulator import BotApiEmulator

from .conftest import ApiCall


async def test_commands_by_scope(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    await bot.set_my_commands([("start", "Start"), ("help", "Help")])
    await bot.set_my_commands(
        [("note", "Write a note")], scope=telegram.BotCommandScopeAllPrivateChats()
    )
    await bot.set_my_commands([("review", "Review")], scope=telegram.BotCommandScopeChat(42))
    await bot.set_my_commands([("aide", "Aide")], language_code="fr")
    assert emu.commands == {
        "default": [
            {"command": "start", "description": "Start"},
            {"command": "help", "description": "Help"},
        ],
        "all_private_chats": [{"command": "note", "description": "Write a note"}],
        "chat:42": [{"command": "review", "description": "Review"}],
        "default/fr": [{"command": "aide", "description": "Aide"}],
    }
    mine = await bot.get_my_commands(scope=telegram.BotCommandScopeChat(42))
    assert [c.command for c in mine] == ["review"]
    assert await bot.get_my_commands(scope=telegram.BotCommandScopeAllGroupChats()) == ()
    await bot.delete_my_commands(scope=telegram.BotCommandScopeChat(42))
    assert "chat:42" not in emu.commands


async def test_invalid_commands(api: ApiCall) -> None:
    response = await api("setMyCommands", commands=[{"command": "Start!", "description": "x"}])
    assert response.json()["description"] == "Bad Request: BOT_COMMAND_INVALID"
    response = await api("setMyCommands", commands=[{"command": "start", "description": " "}])
    assert response.status_code == 400


async def test_descriptions(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    await bot.set_my_description("Long description")
    await bot.set_my_short_description("Short", language_code="en")
    assert emu.descriptions == {"description/": "Long description", "short_description/en": "Short"}
    with pytest.raises(telegram.error.BadRequest):
        await bot.set_my_short_description("x" * 121)
