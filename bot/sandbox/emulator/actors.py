"""Acting as people: builds the updates Telegram would send when users do things."""

from __future__ import annotations

import re
import time
from typing import Any

from .chats import SUPERGROUP_BASE, ChatState, default_chat_type
from .html_text import utf16_len
from .media import media_content
from .models import ChatMessage
from .state import EmulatorState

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?")


def command_entities(text: str) -> list[dict[str, Any]]:
    """Return the bot_command entity Telegram adds when text starts with a /command."""
    match = _COMMAND.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group())}]


class Actors:
    """User-side actions on an emulator state; each queues and returns an Update dict."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self._queries = 0

    def _chat(
        self,
        user_id: int,
        chat_id: int | None,
        chat_type: str = "private",
        title: str | None = None,
    ) -> ChatState:
        target = user_id if chat_id is None else chat_id
        if target != user_id and chat_type == "private":
            chat_type = default_chat_type(target)
        return self.state.chats.ensure(target, chat_type=chat_type, title=title)

    def _record(
        self,
        chat: ChatState,
        user: dict[str, Any] | None,
        content: dict[str, Any],
        text: str = "",
        kind: str = "text",
        **extra: Any,
    ) -> dict[str, Any]:
        """Add a user (or channel) message to the chat and return its Message object."""
        message_id = chat.allocate_id()
        date = int(time.time())
        raw: dict[str, Any] = {"message_id": message_id}
        if user is not None:
            raw["from"] = user
        raw.update({"chat": dict(chat.chat), "date": date, **content})
        message = ChatMessage(
            message_id=message_id,
            chat_id=chat.id,
            from_bot=False,
            text=text,
            kind=kind,
            date=date,
            user_id=user["id"] if user else None,
            entities=list(content.get("entities", [])),
            **extra,
        )
        self.state.chats.add(chat, message, raw)
        return raw

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update (assigning update_id when missing) and return it."""
        self.state.stats["updates_queued"] += 1
        return self.state.updates.push(update)

    def send_message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        chat_type: str = "private",
        chat_title: str | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """A user writes text (a /command gets its bot_command entity)."""
        name = first_name if first_name != "Test" else None
        user = dict(self.state.chats.user(user_id, name, last_name, username))
        chat = self._chat(user_id, chat_id, chat_type, chat_title)
        if chat.type == "private":
            chat.chat.update(
                {k: user[k] for k in ("first_name", "last_name", "username") if k in user}
            )
        content: dict[str, Any] = {"text": text}
        entities = command_entities(text)
        if entities:
            content["entities"] = entities
        if reply_to is not None:
            replied = chat.raw.get(reply_to)
            if replied is None:
                raise LookupError(f"no message {reply_to} in chat {chat.id} to reply to")
            content["reply_to_message"] = {
                k: v for k, v in replied.items() if k != "reply_to_message"
            }
        raw = self._record(chat, user, content, text)
        return self.push({"message": raw})

    def send_media(
        self, user_id: int, kind: str, *, chat_id: int | None = None, caption: str | None = None
    ) -> dict[str, Any]:
        """A user sends a photo, sticker, voice note, location, ... (minimal realistic payload)."""
        user = dict(self.state.chats.user(user_id))
        chat = self._chat(user_id, chat_id)
        content, stored = media_content(kind, self.state.files, user)
        if caption:
            content["caption"] = caption
        extra: dict[str, Any] = {}
        if stored is not None:
            extra = {"file_bytes": stored.content, "file_name": stored.name}
        raw = self._record(chat, user, content, caption or "", kind, **extra)
        return self.push({"message": raw})

    def send_document(
        self,
        user_id: int,
        content: bytes,
        file_name: str,
        *,
        mime_type: str | None = None,
        chat_id: int | None = None,
        caption: str | None = None,
    ) -> dict[str, Any]:
        """A user sends a file of their own (a CSV, say); the bot can getFile and download it."""
        if not content:
            raise ValueError("Telegram does not send empty files")
        user = dict(self.state.chats.user(user_id))
        chat = self._chat(user_id, chat_id)
        stored = self.state.files.add("document", content, file_name, mime_type)
        document: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_name": file_name,
        }
        if mime_type:
            document["mime_type"] = mime_type
        message: dict[str, Any] = {"document": document}
        if caption:
            message["caption"] = caption
        raw = self._record(
            chat,
            user,
            message,
            caption or "",
            "document",
            file_bytes=content,
            file_name=file_name,
        )
        return self.push({"message": raw})

    def press(
        self, user_id: int, message_id: int, data: str, *, chat_id: int | None = None
    ) -> dict[str, Any]:
        """A user presses an inline button with this callback data on a bot message."""
        chat = self.state.chats.get(user_id if chat_id is None else chat_id)
        message = chat.messages.get(message_id) if chat else None
        if chat is None or message is None or message.deleted:
            raise LookupError(f"no message {message_id} in chat {chat_id or user_id} to press")
        self._queries += 1
        query_id = f"{self.state.rng.getrandbits(40)}{self._queries:06d}"
        self.state.callback_queries[query_id] = False
        query = {
            "id": query_id,
            "from": dict(self.state.chats.user(user_id)),
            "message": chat.raw[message_id],
            "chat_instance": str(abs(hash((self.state.bot_id, chat.id))) % 10**18),
            "data": data,
        }
        return self.push({"callback_query": query})

    def press_button(
        self, user_id: int, label: str, *, chat_id: int | None = None
    ) -> dict[str, Any]:
        """Press the button labelled label (exact, else containing it) on the newest bot message."""
        target = user_id if chat_id is None else chat_id
        chat = self.state.chats.get(target)
        candidates = [m for m in reversed(chat.bot_log) if not m.deleted] if chat else []
        needle = label.casefold()
        for exact in (True, False):
            for message in candidates:
                for row in message.buttons:
                    for button in row:
                        hit = button.text == label if exact else needle in button.text.casefold()
                        if not hit:
                            continue
                        if button.callback_data is None:
                            raise LookupError(f"button {button.text!r} has no callback_data")
                        return self.press(
                            user_id, message.message_id, button.callback_data, chat_id=target
                        )
        seen = [m.labels for m in candidates[:5] if m.buttons]
        raise LookupError(f"no button {label!r} in chat {target}; newest keyboards: {seen}")

    def send_edited_message(
        self, user_id: int, message_id: int, text: str, *, chat_id: int | None = None
    ) -> dict[str, Any]:
        """A user edits one of their messages."""
        chat = self.state.chats.get(user_id if chat_id is None else chat_id)
        message = chat.messages.get(message_id) if chat else None
        if chat is None or message is None or message.from_bot:
            raise LookupError(f"no user message {message_id} in chat {chat_id or user_id}")
        raw = {**chat.raw[message_id], "text": text, "edit_date": int(time.time())}
        entities = command_entities(text)
        raw.pop("entities", None)
        if entities:
            raw["entities"] = entities
        message.edits.append(message.text)
        message.text = text
        message.entities = entities
        self.state.chats.edited(chat, message, raw)
        return self.push({"edited_message": raw})

    def send_channel_post(self, chat_id: int, text: str) -> dict[str, Any]:
        """A post appears in a channel the bot is in."""
        chat = self.state.chats.ensure(chat_id, chat_type="channel")
        raw = self._record(chat, None, {"sender_chat": dict(chat.chat), "text": text}, text)
        return self.push({"channel_post": raw})

    def add_member_to_group(
        self,
        user_id: int,
        chat_id: int,
        *,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        by_user_id: int | None = None,
        chat_title: str | None = None,
    ) -> dict[str, Any]:
        """A user joins (or is added to) a group: a new_chat_members service message."""
        name = first_name if first_name != "Test" else None
        member = dict(self.state.chats.user(user_id, name, last_name, username))
        adder = dict(self.state.chats.user(by_user_id)) if by_user_id is not None else member
        chat = self.state.chats.ensure(chat_id, title=chat_title)
        raw = self._record(chat, adder, {"new_chat_members": [member]}, "", "new_chat_members")
        return self.push({"message": raw})

    def bot_added_to_group(self, chat_id: int, title: str, by_user_id: int) -> dict[str, Any]:
        """The bot is added to a group: my_chat_member, then new_chat_members; returns the first."""
        chat = self.state.chats.ensure(chat_id, title=title)
        chat.left = False
        by_user = dict(self.state.chats.user(by_user_id))
        bot = self.state.bot_user()
        member_update = self.push(
            {
                "my_chat_member": {
                    "chat": dict(chat.chat),
                    "from": by_user,
                    "date": int(time.time()),
                    "old_chat_member": {"status": "left", "user": bot},
                    "new_chat_member": {"status": "member", "user": bot},
                }
            }
        )
        raw = self._record(chat, by_user, {"new_chat_members": [bot]}, "", "new_chat_members")
        self.push({"message": raw})
        return member_update

    def block_changed(self, user_id: int, blocked: bool) -> dict[str, Any]:
        """Queue the my_chat_member update Telegram sends when a user (un)blocks the bot."""
        chat = self.state.chats.ensure(user_id, chat_type="private")
        user = dict(self.state.chats.user(user_id))
        bot = self.state.bot_user()
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        change: dict[str, Any] = {
            "chat": dict(chat.chat),
            "from": user,
            "date": int(time.time()),
            "old_chat_member": {"status": old, "user": bot},
            "new_chat_member": {"status": new, "user": bot},
        }
        # Telegram marks the "kicked" side, before or after, with until_date 0 (for ever).
        change["new_chat_member" if blocked else "old_chat_member"]["until_date"] = 0
        return self.push({"my_chat_member": change})

    def migrate_group(self, chat_id: int) -> int:
        """Upgrade a group to a supergroup; return the new id and queue both service messages."""
        old = self.state.chats.ensure(chat_id, chat_type="group")
        new_id = SUPERGROUP_BASE - abs(chat_id)
        new = self.state.chats.ensure(new_id, chat_type="supergroup", title=old.chat.get("title"))
        old.migrated_to = new_id
        raw_old = self._record(old, None, {"migrate_to_chat_id": new_id}, "", "migrate_to_chat_id")
        self.push({"message": raw_old})
        raw_new = self._record(
            new, None, {"migrate_from_chat_id": chat_id}, "", "migrate_from_chat_id"
        )
        self.push({"message": raw_new})
        return new_id
