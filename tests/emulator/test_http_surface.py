"""The HTTP surface: token check, method lookup, and every parameter encoding."""

from __future__ import annotations

import json

import httpx
import pytest
import telegram

from bot.sandbox.emulator import BotApiEmulator

from .conftest import ApiCall


async def test_wrong_token_is_401(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    response = await http.post("/bot999:WRONG/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_method_is_404(api: ApiCall) -> None:
    response = await api("sendTelepathy", chat_id=1)
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_method_names_are_case_insensitive(emu: BotApiEmulator, api: ApiCall) -> None:
    response = await api("GETME")
    assert response.status_code == 200
    assert response.json()["result"]["id"] == emu.bot_id
    assert emu.requests[-1].method == "getMe"


async def test_get_me_describes_the_bot(emu: BotApiEmulator, api: ApiCall) -> None:
    result = (await api("getMe")).json()["result"]
    assert result["is_bot"] is True
    assert result["id"] == 123456
    assert result["first_name"] == "Bearings"
    assert result["username"] == emu.bot_username
    assert result["can_join_groups"] is True


async def test_spec_method_not_emulated_is_a_visible_400(api: ApiCall) -> None:
    response = await api("sendPoll", chat_id=1, question="q", options=[{"text": "a"}])
    assert response.status_code == 400
    assert response.json()["description"] == (
        "Bad Request: method is not supported by the Bearings emulator"
    )


async def test_query_string_parameters(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    response = await http.get(f"/bot{emu.token}/sendMessage", params={"chat_id": 7, "text": "q"})
    assert response.status_code == 200
    assert emu.last_bot_message(7) is not None


async def test_form_encoded_json_serialised_values(
    emu: BotApiEmulator, http: httpx.AsyncClient
) -> None:
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    data = {
        "chat_id": "7",
        "text": "form",
        "disable_notification": "true",
        "reply_markup": json.dumps(markup),
    }
    response = await http.post(f"/bot{emu.token}/sendMessage", data=data)
    assert response.status_code == 200, response.text
    assert response.json()["result"]["reply_markup"] == markup
    message = emu.last_bot_message(7)
    assert message is not None and message.labels == ["Go"]


async def test_multipart_with_attach_reference(
    emu: BotApiEmulator, http: httpx.AsyncClient, png_bytes: bytes
) -> None:
    response = await http.post(
        f"/bot{emu.token}/sendPhoto",
        data={"chat_id": "7", "photo": "attach://pic", "caption": "look"},
        files={"pic": ("pic.png", png_bytes, "image/png")},
    )
    assert response.status_code == 200, response.text
    message = emu.last_bot_message(7)
    assert message is not None and message.file_bytes == png_bytes and message.text == "look"


async def test_attach_reference_to_missing_part_is_400(
    emu: BotApiEmulator, http: httpx.AsyncClient
) -> None:
    response = await http.post(
        f"/bot{emu.token}/sendPhoto",
        data={"chat_id": "7", "photo": "attach://nothing"},
        files={"other": ("x.png", b"x", "image/png")},
    )
    assert response.status_code == 400
    assert '"photo"' in response.json()["description"]


async def test_invalid_json_body_is_400(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    response = await http.post(
        f"/bot{emu.token}/sendMessage",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400


async def test_every_call_is_recorded(emu: BotApiEmulator, api: ApiCall) -> None:
    await api("sendMessage", chat_id=5, text="hi")
    await api("sendMessage", chat_id=5)
    ok, failed = emu.requests[-2:]
    assert (ok.method, ok.status, ok.chat_id, ok.params["text"]) == ("sendMessage", 200, 5, "hi")
    assert failed.status == 400 and failed.description is not None
    assert emu.stats["requests"] == 2 and emu.stats["sent_messages"] == 1


async def test_python_telegram_bot_is_accepted(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("Yes", callback_data="yes")]]
    )
    sent = await bot.send_message(
        11,
        "Plain",
        reply_markup=keyboard,
        disable_notification=True,
        link_preview_options=telegram.LinkPreviewOptions(is_disabled=True),
    )
    assert sent.chat.id == 11 and sent.from_user is not None and sent.from_user.is_bot
    assert sent.reply_markup == keyboard
    assert await bot.send_chat_action(11, "typing") is True
    assert await bot.set_my_description("Helps key workers") is True
    assert await bot.set_my_short_description("Bearings") is True
    assert (await bot.get_my_description()).description == "Helps key workers"
    chat = await bot.get_chat(11)
    assert chat.id == 11 and chat.type == "private"
    assert await bot.close() is True
    assert await bot.log_out() is True


async def test_ptb_sees_bad_request_with_telegram_text(bot: telegram.Bot) -> None:
    with pytest.raises(telegram.error.BadRequest, match="Message text is empty"):
        await bot.send_message(11, "   ")
