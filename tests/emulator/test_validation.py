"""Spec validation: required parameters, primitive types, unions and nested objects."""

from __future__ import annotations

import httpx
import pytest

from bot.sandbox.emulator import BotApiEmulator

from .conftest import ApiCall


def description(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["ok"] is False and body["error_code"] == 400
    return str(body["description"])


async def test_missing_required_parameter(api: ApiCall) -> None:
    response = await api("sendMessage", text="hi")
    assert description(response) == 'Bad Request: parameter "chat_id" is required'


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"chat_id": 1, "text": "x", "message_thread_id": "abc"}, "message_thread_id"),
        ({"chat_id": 1, "text": 5}, "text"),
        ({"chat_id": 1, "text": "x", "disable_notification": "maybe"}, "disable_notification"),
        ({"chat_id": [1], "text": "x"}, "chat_id"),
        ({"chat_id": True, "text": "x"}, "chat_id"),
        ({"chat_id": 1, "text": "x", "entities": {"type": "bold"}}, "entities"),
        ({"chat_id": 1, "text": "x", "reply_markup": "not json"}, "reply_markup"),
    ],
)
async def test_wrong_primitive_types_name_the_parameter(
    api: ApiCall, params: dict[str, object], name: str
) -> None:
    text = description(await api("sendMessage", **params))
    assert f'"{name}"' in text


async def test_integer_or_string_accepts_both(emu: BotApiEmulator, api: ApiCall) -> None:
    assert (await api("sendMessage", chat_id=3, text="x")).status_code == 200
    assert (await api("sendMessage", chat_id="3", text="x")).status_code == 200
    response = await api("sendMessage", chat_id="@nobody_known", text="x")
    assert description(response) == "Bad Request: chat not found"


async def test_float_and_array_of_integer(api: ApiCall) -> None:
    response = await api("getUpdates", allowed_updates=["message", 3])
    assert '"allowed_updates"' in description(response)
    response = await api("getUpdates", limit=1.5)
    assert '"limit"' in description(response)


async def test_nested_required_field(api: ApiCall) -> None:
    markup = {"inline_keyboard": [[{"callback_data": "x"}]]}
    text = description(await api("sendMessage", chat_id=1, text="x", reply_markup=markup))
    assert text == (
        'Bad Request: can\'t parse parameter "reply_markup": '
        'field "inline_keyboard[0][0].text" is required'
    )


async def test_nested_wrong_type(api: ApiCall) -> None:
    markup = {"inline_keyboard": [[{"text": 1, "callback_data": "x"}]]}
    text = description(await api("sendMessage", chat_id=1, text="x", reply_markup=markup))
    assert 'field "inline_keyboard[0][0].text" must be of type String' in text


async def test_nested_array_shape(api: ApiCall) -> None:
    markup = {"inline_keyboard": [{"text": "a", "callback_data": "x"}]}
    text = description(await api("sendMessage", chat_id=1, text="x", reply_markup=markup))
    assert "inline_keyboard[0]" in text


async def test_link_preview_options_and_reply_parameters(api: ApiCall) -> None:
    bad = {"is_disabled": "yes"}
    text = description(await api("sendMessage", chat_id=1, text="x", link_preview_options=bad))
    assert "link_preview_options" in text and "is_disabled" in text
    text = description(await api("sendMessage", chat_id=1, text="x", reply_parameters={}))
    assert 'field "message_id" is required' in text


async def test_bot_command_validation(api: ApiCall) -> None:
    text = description(await api("setMyCommands", commands=[{"command": "start"}]))
    assert 'field "[0].description" is required' in text
    scope = {"type": "chat"}
    text = description(await api("setMyCommands", commands=[], scope=scope))
    assert 'field "chat_id" is required' in text
    text = description(await api("setMyCommands", commands=[], scope={"type": "planet"}))
    assert "scope" in text and "planet" in text


async def test_input_file_must_be_a_file_or_string(api: ApiCall) -> None:
    text = description(await api("sendPhoto", chat_id=1, photo={"file": "x"}))
    assert '"photo"' in text


async def test_unknown_parameters_are_ignored(api: ApiCall) -> None:
    response = await api("sendMessage", chat_id=1, text="x", not_a_parameter={"a": 1})
    assert response.status_code == 200


async def test_reply_keyboard_markup_is_validated_and_kept_out_of_message(
    emu: BotApiEmulator, api: ApiCall
) -> None:
    markup = {"keyboard": [[{"text": "One"}, {"text": "Two"}]], "resize_keyboard": True}
    response = await api("sendMessage", chat_id=1, text="x", reply_markup=markup)
    assert response.status_code == 200
    assert "reply_markup" not in response.json()["result"]
    message = emu.last_bot_message(1)
    assert message is not None and message.keyboard == [["One", "Two"]]
