"""The command menus Telegram shows: one for people who have not joined, one per role."""

from __future__ import annotations

from bot.telegram.calls import ApiCaller
from prompts import command_menu


def _commands(role: str) -> list[dict[str, str]]:
    return [{"command": c, "description": d} for c, d in command_menu(role)]


async def register_default_commands(caller: ApiCaller) -> None:
    """Register the menus for private chats (not yet joined) and for groups."""
    await caller.call(
        "setMyCommands",
        {"commands": _commands("default"), "scope": {"type": "all_private_chats"}},
    )
    await caller.call(
        "setMyCommands",
        {"commands": _commands("group"), "scope": {"type": "all_group_chats"}},
    )
