"""Editing and deleting messages, with Telegram's "not found" and "not modified" errors."""

from __future__ import annotations

import asyncio

import pytest
import telegram

from bot.sandbox.emulator import BotApiEmulator

from .conftest import ApiCall

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
KEYBOARD = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}


async def send(api: ApiCall, **params: object) -> int:
    response = await api("sendMessage", chat_id=1, **params)
    assert response.status_code == 200, response.text
    return int(response.json()["result"]["message_id"])


async def test_edit_text_records_history(emu: BotApiEmulator, api: ApiCall) -> None:
    message_id = await send(api, text="first", reply_markup=KEYBOARD)
    response = await api(
        "editMessageText",
        chat_id=1,
        message_id=message_id,
        text="<b>second</b>",
        parse_mode="HTML",
        reply_markup=KEYBOARD,
    )
    result = response.json()["result"]
    assert result["text"] == "second" and "edit_date" in result
    assert result["reply_markup"] == KEYBOARD
    message = emu.last_bot_message(1)
    assert message is not None
    assert (message.text, message.html, message.edits) == ("second", "<b>second</b>", ["first"])
    assert emu.stats["edited_messages"] == 1


async def test_same_content_is_not_modified(api: ApiCall) -> None:
    message_id = await send(api, text="same", reply_markup=KEYBOARD)
    response = await api(
        "editMessageText", chat_id=1, message_id=message_id, text="same", reply_markup=KEYBOARD
    )
    assert response.status_code == 400 and response.json()["description"] == NOT_MODIFIED
    response = await api(
        "editMessageReplyMarkup", chat_id=1, message_id=message_id, reply_markup=KEYBOARD
    )
    assert response.json()["description"] == NOT_MODIFIED


async def test_formatting_change_counts_as_modified(api: ApiCall) -> None:
    message_id = await send(api, text="same")
    response = await api(
        "editMessageText", chat_id=1, message_id=message_id, text="<b>same</b>", parse_mode="HTML"
    )
    assert response.status_code == 200


async def test_editing_text_without_markup_removes_keyboard(
    emu: BotApiEmulator, api: ApiCall
) -> None:
    message_id = await send(api, text="same", reply_markup=KEYBOARD)
    response = await api("editMessageText", chat_id=1, message_id=message_id, text="same")
    assert response.status_code == 200
    assert "reply_markup" not in response.json()["result"]
    message = emu.last_bot_message(1)
    assert message is not None and message.buttons == []


async def test_edit_reply_markup(emu: BotApiEmulator, api: ApiCall) -> None:
    message_id = await send(api, text="pick", reply_markup=KEYBOARD)
    new = {"inline_keyboard": [[{"text": "Done", "callback_data": "done"}]]}
    response = await api(
        "editMessageReplyMarkup", chat_id=1, message_id=message_id, reply_markup=new
    )
    assert response.json()["result"]["reply_markup"] == new
    message = emu.last_bot_message(1)
    assert message is not None and message.labels == ["Done"] and message.edits == []


async def test_edit_caption(emu: BotApiEmulator, api: ApiCall, png_bytes: bytes) -> None:
    sent = await api("sendPhoto", chat_id=1, photo="https://example.org/p.png", caption="old")
    message_id = sent.json()["result"]["message_id"]
    response = await api("editMessageCaption", chat_id=1, message_id=message_id, caption="new")
    assert response.json()["result"]["caption"] == "new"
    response = await api("editMessageCaption", chat_id=1, message_id=message_id, caption="new")
    assert response.json()["description"] == NOT_MODIFIED
    text_id = await send(api, text="plain")
    response = await api("editMessageCaption", chat_id=1, message_id=text_id, caption="x")
    assert (
        response.json()["description"] == "Bad Request: there is no caption in the message to edit"
    )
    response = await api("editMessageText", chat_id=1, message_id=message_id, text="x")
    assert response.json()["description"] == "Bad Request: there is no text in the message to edit"


async def test_edit_unknown_message(api: ApiCall) -> None:
    await send(api, text="exists")
    for method in ("editMessageText", "editMessageReplyMarkup", "editMessageCaption"):
        response = await api(method, chat_id=1, message_id=999, text="x", caption="x")
        assert response.status_code == 400
        assert response.json()["description"] == "Bad Request: message to edit not found"


async def test_users_messages_cannot_be_edited(emu: BotApiEmulator, api: ApiCall) -> None:
    update = emu.send_message(1, "mine")
    message_id = update["message"]["message_id"]
    response = await api("editMessageText", chat_id=1, message_id=message_id, text="x")
    assert response.json()["description"] == "Bad Request: message can't be edited"


async def test_delete(emu: BotApiEmulator, api: ApiCall) -> None:
    message_id = await send(api, text="bye")
    assert (await api("deleteMessage", chat_id=1, message_id=message_id)).json()["result"] is True
    assert emu.bot_messages(1) == []
    assert emu.transcript(1)[-1].deleted is True
    response = await api("deleteMessage", chat_id=1, message_id=message_id)
    assert response.json()["description"] == "Bad Request: message to delete not found"
    response = await api("deleteMessage", chat_id=1, message_id=12345)
    assert response.json()["description"] == "Bad Request: message to delete not found"
    response = await api("editMessageText", chat_id=1, message_id=message_id, text="x")
    assert response.json()["description"] == "Bad Request: message to edit not found"


async def test_wait_for_edit(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    sent = await bot.send_message(1, "working…")
    waiter = asyncio.create_task(emu.wait_for_edit(1, sent.message_id, timeout=5))
    await sent.edit_text("done")
    edited = await waiter
    assert edited.text == "done" and edited.edits == ["working…"]
    with pytest.raises(TimeoutError, match="was not edited"):
        await emu.wait_for_edit(1, sent.message_id, timeout=0.1)


async def test_ptb_not_modified_error(bot: telegram.Bot) -> None:
    sent = await bot.send_message(1, "same")
    with pytest.raises(telegram.error.BadRequest, match="Message is not modified"):
        await sent.edit_text("same")
