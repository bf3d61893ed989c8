"""Telegram's own content rules: parse modes, text and caption limits, inline keyboard buttons."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from . import errors
from .errors import bad_request
from .html_text import HtmlError, ParsedText, parse_html, strip_text, utf16_len
from .models import Button

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
BUTTONS_PER_ROW = 8
BUTTONS_PER_MESSAGE = 100
_NOT_ACTIONS = frozenset({"text", "icon_custom_emoji_id", "style"})
_URL_SCHEMES = ("http://", "https://", "tg://")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def parse_formatted(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> ParsedText:
    """Apply the parse mode (only HTML is emulated) and trim whitespace like Telegram."""
    mode = (parse_mode or "").strip().lower()
    if mode == "html":
        try:
            parsed = parse_html(text)
        except HtmlError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    elif mode == "":
        parsed = ParsedText(text, list(entities or []))
    elif mode in ("markdown", "markdownv2"):
        raise bad_request(f"parse_mode {parse_mode} is not supported by the Bearings emulator")
    else:
        raise bad_request("unsupported parse_mode")
    return strip_text(parsed)


def message_text(params: dict[str, Any]) -> ParsedText:
    """Return the parsed text of a text message, enforcing "empty" and the 4096 UTF-16 limit."""
    parsed = parse_formatted(
        params.get("text", ""), params.get("parse_mode"), params.get("entities")
    )
    if not parsed.text:
        raise bad_request(errors.TEXT_EMPTY)
    if utf16_len(parsed.text) > TEXT_LIMIT:
        raise bad_request(errors.TEXT_TOO_LONG)
    return parsed


def caption_text(params: dict[str, Any]) -> ParsedText:
    """Return the parsed caption (possibly empty), enforcing the 1024 UTF-16 limit."""
    caption = params.get("caption")
    if caption is None:
        return ParsedText("")
    parsed = parse_formatted(caption, params.get("parse_mode"), params.get("caption_entities"))
    if utf16_len(parsed.text) > CAPTION_LIMIT:
        raise bad_request(errors.CAPTION_TOO_LONG)
    return parsed


def check_reply_markup(markup: dict[str, Any] | None, chat_type: str = "private") -> None:
    """Enforce Telegram's inline button rules: one action each, callback data 1-64 bytes, URLs,
    Mini App buttons in private chats only and over HTTPS, a label on each, at most 8 buttons
    a row and 100 in all."""
    if not markup or "inline_keyboard" not in markup:
        return
    rows = markup["inline_keyboard"]
    if any(len(row) > BUTTONS_PER_ROW for row in rows):
        raise bad_request(errors.BUTTONS_TOO_MUCH)
    if sum(len(row) for row in rows) > BUTTONS_PER_MESSAGE:
        raise bad_request(errors.BUTTONS_TOO_MUCH)
    for row in rows:
        for button in row:
            if not str(button.get("text", "")).strip():
                raise bad_request(errors.BUTTON_TEXT_EMPTY)
            actions = [
                key
                for key, value in button.items()
                if key not in _NOT_ACTIONS and value is not None
            ]
            if len(actions) != 1:
                raise bad_request(errors.BUTTON_TYPE_INVALID)
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
                raise bad_request(errors.BUTTON_DATA_INVALID)
            url = button.get("url")
            if url is not None and not url.startswith(_URL_SCHEMES):
                raise bad_request(errors.BUTTON_URL_INVALID)
            web_app = button.get("web_app")
            if web_app is not None:
                if chat_type != "private":
                    raise bad_request(errors.WEB_APP_PRIVATE_ONLY)
                check_web_app_url(web_app)


def check_web_app_url(web_app: Any) -> str:
    """A WebAppInfo's URL, which Telegram opens over HTTPS only. The emulator also lets
    plain HTTP to this machine through (127.0.0.1, localhost, ::1), so that a bot under test
    or in the sandbox can serve its Mini App locally; Telegram itself refuses those."""
    url = web_app.get("url") if isinstance(web_app, dict) else None
    if not isinstance(url, str):
        raise bad_request(errors.BUTTON_TYPE_INVALID)
    parts = urlsplit(url)
    local = parts.scheme == "http" and parts.hostname in _LOOPBACK
    if not parts.netloc or not (parts.scheme == "https" or local):
        raise bad_request(errors.WEB_APP_URL_INVALID.format(url=url))
    return url


def inline_buttons(markup: dict[str, Any] | None) -> list[list[Button]]:
    """Return the inline keyboard of a reply_markup as Button rows (empty for other markups)."""
    if not markup or "inline_keyboard" not in markup:
        return []
    return [
        [
            Button(
                b["text"],
                b.get("callback_data"),
                b.get("url"),
                (b.get("web_app") or {}).get("url"),
            )
            for b in row
        ]
        for row in markup["inline_keyboard"]
    ]


def reply_keyboard(markup: dict[str, Any] | None) -> list[list[str]]:
    """Return the labels of a custom reply keyboard (empty for other markups)."""
    if not markup or "keyboard" not in markup:
        return []
    return [
        [b if isinstance(b, str) else str(b.get("text", "")) for b in row]
        for row in markup["keyboard"]
    ]


def echoed_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return the markup Telegram echoes in the Message object: inline keyboards only."""
    if markup and "inline_keyboard" in markup:
        return {"inline_keyboard": markup["inline_keyboard"]}
    return None
