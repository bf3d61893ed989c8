"""What the bot will say in answer to one update, collected until its effects are committed.

Replies are plain ``{"method", "params"}`` dicts so they can be stored in the
inbox row in the same transaction as the update's effects, and sent (or sent
again after a crash) from there.

A photo is carried the same way: its PNG bytes go into the stored params as
base64 (``{"photo": {"upload_base64": ..., "filename": ...}}``), and
``for_api`` turns that into an upload just before the call. The bytes, not a
recipe for them, are stored on purpose: the reply stays exactly what was decided
in the transaction, a re-send after a crash needs no database read and no
drawing, and the sender stays generic. The cost is under a hundred kilobytes
in the inbox row (encrypted like every reply), cleared as soon as the replies
are delivered.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram import InputFile

from bot.domain.buttons import Offer, Offers
from bot.telegram.limits import (
    BUTTONS_PER_MESSAGE,
    BUTTONS_PER_ROW,
    CAPTION_LIMIT,
    split_html,
    visible_len,
)
from prompts import label

UPLOAD = "upload_base64"
"""The key that marks a stored file to upload (see ``send_photo`` and ``for_api``)."""


@dataclass(frozen=True)
class WebAppButton:
    """A button that opens a Mini App (private chats only): a label key and the page's URL."""

    label: str
    url: str


Keyboard = Offers | Sequence[Sequence[Offer | WebAppButton]]
"""Rows of buttons as services offer them (label key and values, and the button), and any
Mini App button a handler adds."""


def inline_keyboard(keyboard: Keyboard | None) -> dict[str, Any] | None:
    """Telegram's InlineKeyboardMarkup as JSON, or None for no buttons: each offer's label
    rendered from prompts/labels.yaml and its button encoded as callback data. A row wider
    than Telegram allows wraps; more buttons than a message may carry is a list that should
    have been paged, and raises."""
    if not keyboard:
        return None
    rows = [
        row[i : i + BUTTONS_PER_ROW]
        for row in keyboard
        for i in range(0, len(row), BUTTONS_PER_ROW)
    ]
    if sum(len(row) for row in rows) > BUTTONS_PER_MESSAGE:
        raise ValueError(f"over {BUTTONS_PER_MESSAGE} buttons in one message: page the list")
    return {"inline_keyboard": [[_inline_button(offer) for offer in row] for row in rows]}


def _inline_button(offer: Offer | WebAppButton) -> dict[str, Any]:
    if isinstance(offer, WebAppButton):
        return {"text": label(offer.label), "web_app": {"url": offer.url}}
    return {"text": _label(offer), "callback_data": _data(offer)}


def _label(offer: Offer) -> str:
    text = offer.text
    if isinstance(text, str):
        return text
    key, values = text
    return label(key, **values)


def _data(offer: Offer) -> str:
    return offer.button.encode()


class Replies:
    """An ordered list of Bot API calls to make once the update is committed."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def send(self, chat_id: int, html: str, keyboard: Keyboard | None = None) -> None:
        """Send an HTML message: in several parts when it is over Telegram's limit, the
        buttons under the last."""
        *before, last = split_html(html)
        for part in before:
            self._send_one(chat_id, part, None)
        self._send_one(chat_id, last, keyboard)

    def _send_one(self, chat_id: int, html: str, keyboard: Keyboard | None) -> None:
        params: dict[str, Any] = {"chat_id": chat_id, "text": html, "parse_mode": "HTML"}
        markup = inline_keyboard(keyboard)
        if markup is not None:
            params["reply_markup"] = markup
        params["link_preview_options"] = {"is_disabled": True}
        self.calls.append({"method": "sendMessage", "params": params})

    def send_photo(
        self,
        chat_id: int,
        png: bytes,
        caption_html: str,
        keyboard: Keyboard | None = None,
        filename: str = "picture.png",
    ) -> None:
        """Send a PNG picture with an HTML caption; a caption over Telegram's 1,024 comes as
        a message of its own under the picture, with the buttons."""
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "photo": {UPLOAD: base64.b64encode(png).decode("ascii"), "filename": filename},
        }
        if visible_len(caption_html) > CAPTION_LIMIT:
            self.calls.append({"method": "sendPhoto", "params": params})
            self.send(chat_id, caption_html, keyboard)
            return
        params["caption"], params["parse_mode"] = caption_html, "HTML"
        markup = inline_keyboard(keyboard)
        if markup is not None:
            params["reply_markup"] = markup
        self.calls.append({"method": "sendPhoto", "params": params})

    def send_document(
        self, chat_id: int, content: bytes, filename: str, caption_html: str | None = None
    ) -> None:
        """Send a file (an export), stored like a photo until it is delivered."""
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "document": {UPLOAD: base64.b64encode(content).decode("ascii"), "filename": filename},
        }
        long = caption_html is not None and visible_len(caption_html) > CAPTION_LIMIT
        if caption_html and not long:
            params["caption"], params["parse_mode"] = caption_html, "HTML"
        self.calls.append({"method": "sendDocument", "params": params})
        if caption_html and long:
            self.send(chat_id, caption_html)

    def edit(
        self, chat_id: int, message_id: int, html: str, keyboard: Keyboard | None = None
    ) -> None:
        """Replace a message's text (and buttons; none when ``keyboard`` is None). Text over
        Telegram's limit: the first part replaces it, the rest follow as new messages, the
        buttons under the last."""
        first, *rest = split_html(html)
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "message_id": message_id,
            "text": first,
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        markup = inline_keyboard(None if rest else keyboard)
        if markup is not None:
            params["reply_markup"] = markup
        self.calls.append({"method": "editMessageText", "params": params})
        if rest:
            self.send(chat_id, "".join(rest), keyboard)

    def remove_keyboard(self, chat_id: int, message_id: int) -> None:
        """Take the buttons off a message, so it cannot be pressed again."""
        self.calls.append(
            {
                "method": "editMessageReplyMarkup",
                "params": {"chat_id": chat_id, "message_id": message_id},
            }
        )

    def answer(self, callback_query_id: str, text: str | None = None) -> None:
        """Answer a button press (stops the phone's spinner), with an optional short toast."""
        params: dict[str, Any] = {"callback_query_id": callback_query_id}
        if text:
            params["text"] = text[:200]
        self.calls.append({"method": "answerCallbackQuery", "params": params})

    def set_commands(self, chat_id: int, commands: list[tuple[str, str]]) -> None:
        """Show a person the command menu for their role."""
        self.calls.append(
            {
                "method": "setMyCommands",
                "params": {
                    "commands": [{"command": c, "description": d} for c, d in commands],
                    "scope": {"type": "chat", "chat_id": chat_id},
                },
            }
        )

    def set_menu_button(self, chat_id: int, web_app_url: str | None, text_key: str) -> None:
        """The menu button beside a person's message box: a Mini App (``web_app_url``), or
        Telegram's default (the command list) when None."""
        button: dict[str, Any] = {"type": "default"}
        if web_app_url is not None:
            button = {"type": "web_app", "text": label(text_key), "web_app": {"url": web_app_url}}
        self.calls.append(
            {"method": "setChatMenuButton", "params": {"chat_id": chat_id, "menu_button": button}}
        )

    def answers_callback(self, callback_query_id: str) -> bool:
        """Whether a callback query is already answered in these replies."""
        return any(
            call["method"] == "answerCallbackQuery"
            and call["params"]["callback_query_id"] == callback_query_id
            for call in self.calls
        )


def for_api(params: dict[str, Any]) -> dict[str, Any]:
    """Stored params as the Bot API call takes them: a stored upload becomes an ``InputFile``,
    which python-telegram-bot sends as a multipart/form-data file part."""
    return {
        key: InputFile(base64.b64decode(value[UPLOAD]), filename=value.get("filename"))
        if isinstance(value, dict) and UPLOAD in value
        else value
        for key, value in params.items()
    }
