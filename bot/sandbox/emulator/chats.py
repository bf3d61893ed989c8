"""Chats, users and message transcripts: the emulator's picture of every conversation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .models import ChatMessage
from .waiting import ChangeNotifier

SUPERGROUP_BASE = -1_000_000_000_000
Listener = Callable[[str, ChatMessage], None]


@dataclass
class ChatState:
    """One chat: its Chat object, message counter, messages (transcript order) and flags."""

    chat: dict[str, Any]
    next_message_id: int = 1
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    raw: dict[int, dict[str, Any]] = field(default_factory=dict)
    bot_log: list[ChatMessage] = field(default_factory=list)
    left: bool = False
    migrated_to: int | None = None

    @property
    def id(self) -> int:
        """Return the chat id."""
        return int(self.chat["id"])

    @property
    def type(self) -> str:
        """Return the chat type: private, group, supergroup or channel."""
        return str(self.chat["type"])

    def allocate_id(self) -> int:
        """Return the next message id (shared by users and the bot, like Telegram)."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


def default_chat_type(chat_id: int) -> str:
    """Guess a chat type from its id as Telegram numbers them."""
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id <= SUPERGROUP_BASE else "group"


class ChatStore:
    """Every chat and user the emulator has seen, with change notification for waiters."""

    def __init__(self, notifier: ChangeNotifier) -> None:
        self.notifier = notifier
        self.chats: dict[int, ChatState] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.listeners: list[Listener] = []

    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        """Return the User object for user_id, creating or updating it from the given names."""
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = {"id": user_id, "is_bot": False, "first_name": "Test"}
            user["language_code"] = "en"
        if first_name is not None:
            user["first_name"] = first_name
        if last_name is not None:
            user["last_name"] = last_name
        if username is not None:
            user["username"] = username
        return user

    def get(self, chat_id: int) -> ChatState | None:
        """Return the chat with this id, if known."""
        return self.chats.get(chat_id)

    def find(self, ref: int | str) -> ChatState | None:
        """Return a known chat by id or "@username"."""
        if isinstance(ref, int):
            return self.chats.get(ref)
        name = ref.removeprefix("@").lower()
        for state in self.chats.values():
            if str(state.chat.get("username", "")).lower() == name:
                return state
        return None

    def ensure(
        self, chat_id: int, *, chat_type: str | None = None, title: str | None = None
    ) -> ChatState:
        """Return the chat with this id, creating it (type guessed from the id) when new."""
        state = self.chats.get(chat_id)
        if state is None:
            kind = chat_type or default_chat_type(chat_id)
            chat: dict[str, Any] = {"id": chat_id, "type": kind}
            if kind == "private":
                user = self.user(chat_id)
                chat.update(
                    {k: user[k] for k in ("first_name", "last_name", "username") if k in user}
                )
            else:
                chat["title"] = title or f"Test {kind} {chat_id}"
            state = self.chats[chat_id] = ChatState(chat)
        elif title is not None and state.type != "private":
            state.chat["title"] = title
        return state

    def add(self, state: ChatState, message: ChatMessage, raw: dict[str, Any]) -> None:
        """Record a new message in its chat's transcript."""
        state.messages[message.message_id] = message
        state.raw[message.message_id] = raw
        if message.from_bot:
            state.bot_log.append(message)
        self._changed("message", message)

    def edited(self, state: ChatState, message: ChatMessage, raw: dict[str, Any]) -> None:
        """Record that a message changed (text, caption or keyboard)."""
        message.version += 1
        state.raw[message.message_id] = raw
        self._changed("edit", message)

    def deleted(self, message: ChatMessage) -> None:
        """Record that a message was deleted."""
        message.deleted = True
        self._changed("delete", message)

    def _changed(self, event: str, message: ChatMessage) -> None:
        self.notifier.notify()
        for listener in list(self.listeners):
            listener(event, message)
