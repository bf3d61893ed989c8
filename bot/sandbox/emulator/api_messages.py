"""Bot API methods that send, edit and delete messages."""

from __future__ import annotations

import time
from typing import Any

from . import errors
from .chats import ChatState
from .errors import bad_request
from .files import StoredFile, image_size, photo_sizes
from .html_text import ParsedText
from .models import ChatMessage, UploadedFile
from .state import EmulatorState
from .text_rules import (
    caption_text,
    check_reply_markup,
    echoed_markup,
    inline_buttons,
    message_text,
    reply_keyboard,
)

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def _html(params: dict[str, Any], key: str) -> str | None:
    if str(params.get("parse_mode") or "").lower() == "html":
        value = params.get(key)
        return value if isinstance(value, str) else None
    return None


def _reply_to(
    state: EmulatorState, chat: ChatState, params: dict[str, Any]
) -> dict[str, Any] | None:
    reply = params.get("reply_parameters")
    if not reply:
        return None
    target = chat
    if reply.get("chat_id") is not None:
        target = state.chats.find(reply["chat_id"]) or chat
    raw = target.raw.get(reply["message_id"])
    message = target.messages.get(reply["message_id"])
    if raw is None or message is None or message.deleted:
        if reply.get("allow_sending_without_reply"):
            return None
        raise bad_request(errors.REPLY_NOT_FOUND)
    return {k: v for k, v in raw.items() if k != "reply_to_message"}


def _send(
    state: EmulatorState,
    chat: ChatState,
    params: dict[str, Any],
    kind: str,
    parsed: ParsedText,
    content: dict[str, Any],
    stored: StoredFile | None = None,
) -> dict[str, Any]:
    """Record a new bot message and return its Message object."""
    markup = params.get("reply_markup")
    reply = _reply_to(state, chat, params)
    state.check_rate("send", chat.id)
    message_id = chat.allocate_id()
    date = int(time.time())
    raw: dict[str, Any] = {
        "message_id": message_id,
        "from": state.bot_user(),
        "chat": dict(chat.chat),
        "date": date,
    }
    if reply is not None:
        raw["reply_to_message"] = reply
    raw.update(content)
    text_key, entities_key = (
        ("text", "entities") if kind == "text" else ("caption", "caption_entities")
    )
    if parsed.text:
        raw[text_key] = parsed.text
    if parsed.entities:
        raw[entities_key] = parsed.entities
    echoed = echoed_markup(markup)
    if echoed is not None:
        raw["reply_markup"] = echoed
    message = ChatMessage(
        message_id=message_id,
        chat_id=chat.id,
        from_bot=True,
        text=parsed.text,
        html=_html(params, text_key),
        kind=kind,
        buttons=inline_buttons(markup),
        keyboard=reply_keyboard(markup),
        file_bytes=stored.content if stored else None,
        file_name=stored.name if stored else None,
        date=date,
        entities=list(parsed.entities),
    )
    state.chats.add(chat, message, raw)
    state.stats["sent_messages"] += 1
    return raw


async def send_message(state: EmulatorState, params: dict[str, Any]) -> Any:
    """sendMessage: a text message with optional HTML and inline keyboard."""
    chat = state.target_chat(params["chat_id"])
    parsed = message_text(params)
    check_reply_markup(params.get("reply_markup"), chat.type)
    return _send(state, chat, params, "text", parsed, {})


def _file(state: EmulatorState, kind: str, value: UploadedFile | str) -> StoredFile:
    """Store an uploaded file, or resolve a file_id / URL string."""
    if isinstance(value, UploadedFile):
        if not value.content:
            raise bad_request(errors.FILE_EMPTY)
        return state.files.add(kind, value.content, value.name, value.content_type)
    existing = state.files.get(value)
    if existing is not None:
        return existing
    if value.startswith(("http://", "https://")):
        name = value.rstrip("/").rpartition("/")[2] or None
        return state.files.add(kind, None, name, None)
    raise bad_request(errors.WRONG_FILE_ID)


async def send_photo(state: EmulatorState, params: dict[str, Any]) -> Any:
    """sendPhoto: stores the image and answers with a PhotoSize list."""
    chat = state.target_chat(params["chat_id"])
    parsed = caption_text(params)
    check_reply_markup(params.get("reply_markup"), chat.type)
    stored = _file(state, "photo", params["photo"])
    width, height = image_size(stored.content)
    content = {"photo": photo_sizes(stored, width, height)}
    return _send(state, chat, params, "photo", parsed, content, stored)


async def send_document(state: EmulatorState, params: dict[str, Any]) -> Any:
    """sendDocument: stores the bytes and file name and answers with a Document."""
    chat = state.target_chat(params["chat_id"])
    parsed = caption_text(params)
    check_reply_markup(params.get("reply_markup"), chat.type)
    stored = _file(state, "document", params["document"])
    document: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }
    if stored.name:
        document["file_name"] = stored.name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    return _send(state, chat, params, "document", parsed, {"document": document}, stored)


async def send_chat_action(state: EmulatorState, params: dict[str, Any]) -> Any:
    """sendChatAction: checks the action name; no visible effect."""
    state.target_chat(params["chat_id"])
    if params["action"] not in CHAT_ACTIONS:
        raise bad_request(errors.WRONG_ACTION)
    state.stats["chat_actions"] += 1
    return True


def _editable(
    state: EmulatorState, params: dict[str, Any]
) -> tuple[ChatState, ChatMessage, dict[str, Any]]:
    """Find the bot message an edit method targets, or raise Telegram's error."""
    if params.get("inline_message_id"):
        raise bad_request("inline messages are not supported by the Bearings emulator")
    if params.get("chat_id") is None:
        raise bad_request('parameter "chat_id" is required')
    if params.get("message_id") is None:
        raise bad_request('parameter "message_id" is required')
    chat = state.chats.find(params["chat_id"])
    if chat is None:
        raise bad_request(errors.CHAT_NOT_FOUND)
    message = chat.messages.get(params["message_id"])
    if message is None or message.deleted:
        raise bad_request(errors.EDIT_NOT_FOUND)
    if not message.from_bot:
        raise bad_request(errors.CANT_EDIT)
    return chat, message, chat.raw[message.message_id]


def _apply_edit(
    state: EmulatorState,
    chat: ChatState,
    message: ChatMessage,
    raw: dict[str, Any],
    markup: dict[str, Any] | None,
    changes: dict[str, Any],
    parsed: ParsedText | None = None,
    html: str | None = None,
) -> dict[str, Any]:
    """Apply an edit (after the rate check) and notify watchers; return the new Message."""
    state.check_rate("edit", chat.id)
    new_raw = {k: v for k, v in raw.items() if k not in changes and k != "reply_markup"}
    new_raw.update({k: v for k, v in changes.items() if v})
    echoed = echoed_markup(markup)
    if echoed is not None:
        new_raw["reply_markup"] = echoed
    new_raw["edit_date"] = int(time.time())
    if parsed is not None:
        message.edits.append(message.text)
        message.text = parsed.text
        message.html = html
        message.entities = list(parsed.entities)
    message.buttons = inline_buttons(markup)
    state.chats.edited(chat, message, new_raw)
    state.stats["edited_messages"] += 1
    return new_raw


def _unchanged(raw: dict[str, Any], markup: dict[str, Any] | None, **content: Any) -> bool:
    same_markup = echoed_markup(markup) == raw.get("reply_markup")
    return same_markup and all(raw.get(k) == (v or None) for k, v in content.items())


async def edit_message_text(state: EmulatorState, params: dict[str, Any]) -> Any:
    """editMessageText: new text (and keyboard; omitting reply_markup removes it)."""
    chat, message, raw = _editable(state, params)
    if message.kind != "text":
        raise bad_request(errors.NO_TEXT_TO_EDIT)
    parsed = message_text(params)
    markup = params.get("reply_markup")
    check_reply_markup(markup, chat.type)
    if _unchanged(raw, markup, text=parsed.text, entities=parsed.entities):
        raise bad_request(errors.NOT_MODIFIED)
    changes = {"text": parsed.text, "entities": parsed.entities}
    return _apply_edit(state, chat, message, raw, markup, changes, parsed, _html(params, "text"))


async def edit_message_caption(state: EmulatorState, params: dict[str, Any]) -> Any:
    """editMessageCaption: new caption of a media message."""
    chat, message, raw = _editable(state, params)
    if message.kind == "text":
        raise bad_request(errors.NO_CAPTION_TO_EDIT)
    parsed = caption_text(params)
    markup = params.get("reply_markup")
    check_reply_markup(markup, chat.type)
    if _unchanged(raw, markup, caption=parsed.text, caption_entities=parsed.entities):
        raise bad_request(errors.NOT_MODIFIED)
    changes = {"caption": parsed.text, "caption_entities": parsed.entities}
    html = _html(params, "caption")
    return _apply_edit(state, chat, message, raw, markup, changes, parsed, html)


async def edit_message_reply_markup(state: EmulatorState, params: dict[str, Any]) -> Any:
    """editMessageReplyMarkup: replace or (when omitted) remove the inline keyboard."""
    chat, message, raw = _editable(state, params)
    markup = params.get("reply_markup")
    check_reply_markup(markup, chat.type)
    if _unchanged(raw, markup):
        raise bad_request(errors.NOT_MODIFIED)
    return _apply_edit(state, chat, message, raw, markup, {})


async def delete_message(state: EmulatorState, params: dict[str, Any]) -> Any:
    """deleteMessage: marks the message deleted in the transcript."""
    chat = state.chats.find(params["chat_id"])
    if chat is None:
        raise bad_request(errors.CHAT_NOT_FOUND)
    message = chat.messages.get(params["message_id"])
    if message is None or message.deleted:
        raise bad_request(errors.DELETE_NOT_FOUND)
    state.chats.deleted(message)
    state.stats["deleted_messages"] += 1
    return True


async def answer_callback_query(state: EmulatorState, params: dict[str, Any]) -> Any:
    """answerCallbackQuery: each query id can be answered once."""
    query_id = params["callback_query_id"]
    if state.callback_queries.get(query_id, True):
        raise bad_request(errors.QUERY_INVALID)
    state.callback_queries[query_id] = True
    state.callback_answers[query_id] = params
    state.notifier.notify()
    return True


HANDLERS = {
    "sendMessage": send_message,
    "sendPhoto": send_photo,
    "sendDocument": send_document,
    "sendChatAction": send_chat_action,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
}
