"""Telegram's content rules: empty and long texts (UTF-16), captions, inline buttons."""

from __future__ import annotations

import pytest
import telegram

from bot.sandbox.emulator import BotApiEmulator

from .conftest import ApiCall

TOO_LONG = "Bad Request: message is too long"


async def test_empty_text_after_parsing(api: ApiCall) -> None:
    for text, mode in (("", None), ("  \n ", None), ("<b></b>", "HTML"), ("<i> </i>", "HTML")):
        response = await api("sendMessage", chat_id=1, text=text, parse_mode=mode)
        assert response.status_code == 400
        assert response.json()["description"] == "Bad Request: message text is empty"


async def test_4096_characters_is_the_limit(api: ApiCall) -> None:
    assert (await api("sendMessage", chat_id=1, text="a" * 4096)).status_code == 200
    response = await api("sendMessage", chat_id=1, text="a" * 4097)
    assert response.status_code == 400 and response.json()["description"] == TOO_LONG


async def test_limit_counts_utf16_code_units(api: ApiCall) -> None:
    assert (await api("sendMessage", chat_id=1, text="😀" * 2048)).status_code == 200
    response = await api("sendMessage", chat_id=1, text="😀" * 2048 + "a")
    assert response.json()["description"] == TOO_LONG
    assert (await api("sendMessage", chat_id=1, text="é" * 4096)).status_code == 200


async def test_limit_applies_after_entity_parsing(api: ApiCall) -> None:
    text = "<b>" + "a" * 4096 + "</b>"
    assert (await api("sendMessage", chat_id=1, text=text, parse_mode="HTML")).status_code == 200
    text = "&amp;" * 4097
    response = await api("sendMessage", chat_id=1, text=text, parse_mode="HTML")
    assert response.json()["description"] == TOO_LONG


async def test_ptb_sees_too_long(bot: telegram.Bot) -> None:
    with pytest.raises(telegram.error.BadRequest, match="Message is too long"):
        await bot.send_message(1, "x" * 4097)


async def test_caption_limit(api: ApiCall) -> None:
    ok = await api("sendPhoto", chat_id=1, photo="https://example.org/a.png", caption="c" * 1024)
    assert ok.status_code == 200
    bad = await api("sendPhoto", chat_id=1, photo="https://example.org/a.png", caption="c" * 1025)
    assert bad.json()["description"] == "Bad Request: message caption is too long"


def keyboard(**button: object) -> dict[str, object]:
    return {"inline_keyboard": [[{"text": "B", **button}]]}


@pytest.mark.parametrize("data", ["", "x" * 65, "é" * 33])
async def test_callback_data_must_be_1_to_64_bytes(api: ApiCall, data: str) -> None:
    response = await api(
        "sendMessage", chat_id=1, text="x", reply_markup=keyboard(callback_data=data)
    )
    assert response.json()["description"] == "Bad Request: BUTTON_DATA_INVALID"


async def test_callback_data_of_64_bytes_is_fine(api: ApiCall) -> None:
    markup = keyboard(callback_data="é" * 32)
    assert (await api("sendMessage", chat_id=1, text="x", reply_markup=markup)).status_code == 200


async def test_ptb_long_callback_data_is_rejected(bot: telegram.Bot) -> None:
    markup = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("B", callback_data="d" * 65)]]
    )
    with pytest.raises(telegram.error.BadRequest, match="Button_data_invalid"):
        await bot.send_message(1, "x", reply_markup=markup)


@pytest.mark.parametrize("button", [{}, {"callback_data": "a", "url": "https://example.org"}])
async def test_button_needs_exactly_one_action(api: ApiCall, button: dict[str, object]) -> None:
    response = await api("sendMessage", chat_id=1, text="x", reply_markup=keyboard(**button))
    assert response.status_code == 400
    assert "exactly one of the optional fields" in response.json()["description"]


async def test_url_button_is_fine_and_bad_url_rejected(emu: BotApiEmulator, api: ApiCall) -> None:
    markup = keyboard(url="https://example.org")
    assert (await api("sendMessage", chat_id=1, text="x", reply_markup=markup)).status_code == 200
    message = emu.last_bot_message(1)
    assert message is not None and message.button("B").url == "https://example.org"
    response = await api("sendMessage", chat_id=1, text="x", reply_markup=keyboard(url="nope"))
    assert response.json()["description"] == "Bad Request: BUTTON_URL_INVALID"


async def test_markdown_is_not_emulated(api: ApiCall) -> None:
    response = await api("sendMessage", chat_id=1, text="*b*", parse_mode="MarkdownV2")
    assert response.status_code == 400
    assert "not supported by the Bearings emulator" in response.json()["description"]
    response = await api("sendMessage", chat_id=1, text="x", parse_mode="Klingon")
    assert response.json()["description"] == "Bad Request: unsupported parse_mode"
