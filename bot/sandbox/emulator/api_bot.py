"""Bot API methods about the bot and its chats: getMe, commands, descriptions, the menu button,
getChat, files."""

from __future__ import annotations

import re
from typing import Any

from . import errors
from .errors import bad_request
from .state import EmulatorState
from .text_rules import check_web_app_url

_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_NO_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


def scope_key(scope: dict[str, Any] | None, language_code: str | None = None) -> str:
    """Return the key commands are stored under: "default", "chat:<id>", ... plus "/<lang>"."""
    scope = scope or {"type": "default"}
    key = str(scope["type"])
    if "chat_id" in scope:
        key += f":{scope['chat_id']}"
    if "user_id" in scope:
        key += f":{scope['user_id']}"
    return f"{key}/{language_code}" if language_code else key


async def get_me(state: EmulatorState, params: dict[str, Any]) -> Any:
    """getMe: the bot's User object."""
    return {
        **state.bot_user(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def set_my_commands(state: EmulatorState, params: dict[str, Any]) -> Any:
    """setMyCommands: validates and stores the list for its scope and language."""
    commands = params["commands"]
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    for command in commands:
        if not _COMMAND.fullmatch(command["command"]):
            raise bad_request(errors.COMMAND_INVALID)
        if not 1 <= len(command["description"].strip()) <= 256:
            raise bad_request(errors.COMMAND_DESCRIPTION_INVALID)
    key = scope_key(params.get("scope"), params.get("language_code"))
    if commands:
        state.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
    else:
        state.commands.pop(key, None)
    state.notifier.notify()
    return True


async def get_my_commands(state: EmulatorState, params: dict[str, Any]) -> Any:
    """getMyCommands: the list stored for exactly this scope and language."""
    return state.commands.get(scope_key(params.get("scope"), params.get("language_code")), [])


async def delete_my_commands(state: EmulatorState, params: dict[str, Any]) -> Any:
    """deleteMyCommands: forget the list for this scope and language."""
    state.commands.pop(scope_key(params.get("scope"), params.get("language_code")), None)
    state.notifier.notify()
    return True


def _describe(state: EmulatorState, params: dict[str, Any], kind: str, limit: int) -> bool:
    text = params.get(kind) or ""
    if len(text) > limit:
        raise bad_request(f"{kind} is too long")
    key = f"{kind}/{params.get('language_code') or ''}"
    if text:
        state.descriptions[key] = text
    else:
        state.descriptions.pop(key, None)
    return True


async def set_my_description(state: EmulatorState, params: dict[str, Any]) -> Any:
    """setMyDescription: up to 512 characters; empty removes it."""
    return _describe(state, params, "description", 512)


async def set_my_short_description(state: EmulatorState, params: dict[str, Any]) -> Any:
    """setMyShortDescription: up to 120 characters; empty removes it."""
    return _describe(state, params, "short_description", 120)


async def get_my_description(state: EmulatorState, params: dict[str, Any]) -> Any:
    """getMyDescription: the stored description for the language."""
    key = f"description/{params.get('language_code') or ''}"
    return {"description": state.descriptions.get(key, "")}


async def get_my_short_description(state: EmulatorState, params: dict[str, Any]) -> Any:
    """getMyShortDescription: the stored short description for the language."""
    key = f"short_description/{params.get('language_code') or ''}"
    return {"short_description": state.descriptions.get(key, "")}


async def get_chat(state: EmulatorState, params: dict[str, Any]) -> Any:
    """getChat: a ChatFullInfo built from what the emulator knows of the chat."""
    ref = params["chat_id"]
    chat = state.chats.find(ref)
    if chat is None:
        if not isinstance(ref, int):
            raise bad_request(errors.CHAT_NOT_FOUND)
        chat = state.chats.ensure(ref)
    return {
        **chat.chat,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": dict(_NO_GIFTS),
    }


async def leave_chat(state: EmulatorState, params: dict[str, Any]) -> Any:
    """leaveChat: later sends to the group answer 403."""
    chat = state.chats.find(params["chat_id"])
    if chat is None:
        raise bad_request(errors.CHAT_NOT_FOUND)
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    chat.left = True
    return True


async def get_file(state: EmulatorState, params: dict[str, Any]) -> Any:
    """getFile: the File object whose file_path downloads from /file/bot<token>/<path>."""
    stored = state.files.get(params["file_id"])
    if stored is None:
        raise bad_request(errors.WRONG_FILE_ID)
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.path,
    }


_MENU_TYPES = ("default", "commands", "web_app")


def _menu_key(state: EmulatorState, chat_id: Any) -> str:
    """Where a menu button is kept: "default", or the private chat's id."""
    if chat_id is None:
        return "default"
    chat = state.chats.find(chat_id)
    if chat is None and isinstance(chat_id, int) and chat_id > 0:
        chat = state.chats.ensure(chat_id)
    if chat is None or chat.type != "private":
        raise bad_request(errors.MENU_CHAT_INVALID)
    return str(chat.id)


async def set_chat_menu_button(state: EmulatorState, params: dict[str, Any]) -> Any:
    """setChatMenuButton: a private chat's menu button (or the default one). A web_app button
    needs a text and a URL Telegram would open (HTTPS; the emulator lets local HTTP by)."""
    key = _menu_key(state, params.get("chat_id"))
    button = params.get("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in _MENU_TYPES:
        raise bad_request(errors.MENU_BUTTON_INVALID)
    if button["type"] == "web_app":
        if not str(button.get("text", "")).strip():
            raise bad_request(errors.MENU_BUTTON_INVALID)
        check_web_app_url(button.get("web_app"))
    state.menu_buttons[key] = dict(button)
    return True


async def get_chat_menu_button(state: EmulatorState, params: dict[str, Any]) -> Any:
    """getChatMenuButton: the chat's menu button, else the default one, else "commands"."""
    key = _menu_key(state, params.get("chat_id"))
    return state.menu_buttons.get(key) or state.menu_buttons.get("default") or {"type": "commands"}


async def always_true(state: EmulatorState, params: dict[str, Any]) -> Any:
    """close / logOut: nothing to do locally."""
    return True


HANDLERS = {
    "getMe": get_me,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setMyDescription": set_my_description,
    "setMyShortDescription": set_my_short_description,
    "getMyDescription": get_my_description,
    "getMyShortDescription": get_my_short_description,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
    "getChat": get_chat,
    "leaveChat": leave_chat,
    "getFile": get_file,
    "close": always_true,
    "logOut": always_true,
}
