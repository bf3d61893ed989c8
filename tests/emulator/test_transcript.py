"""Transcripts, message ids, button presses and the wait helpers."""

from __future__ import annotations

import asyncio

import pytest
import telegram

from bot.sandbox.emulator import BotApiEmulator, ChatMessage

from .conftest import ApiCall

KEYBOARD = {
    "inline_keyboard": [
        [{"text": "Yes, save it", "callback_data": "save"}, {"text": "No", "callback_data": "no"}],
        [{"text": "Help", "url": "https://example.org/help"}],
    ]
}


async def test_message_ids_are_per_chat_and_shared(emu: BotApiEmulator, api: ApiCall) -> None:
    assert emu.send_message(1, "hi")["message"]["message_id"] == 1
    response = await api("sendMessage", chat_id=1, text="hello")
    assert response.json()["result"]["message_id"] == 2
    assert emu.send_message(1, "again")["message"]["message_id"] == 3
    assert emu.send_message(2, "other chat")["message"]["message_id"] == 1
    transcript = emu.transcript(1)
    assert [(m.message_id, m.from_bot, m.text) for m in transcript] == [
        (1, False, "hi"),
        (2, True, "hello"),
        (3, False, "again"),
    ]


async def test_group_chat_messages(emu: BotApiEmulator) -> None:
    update = emu.send_message(7, "/note@bearings_sandbox_bot", chat_id=-42, chat_title="Team")
    chat = update["message"]["chat"]
    assert chat == {"id": -42, "type": "group", "title": "Team"}
    assert update["message"]["from"]["id"] == 7
    assert update["message"]["entities"][0]["length"] == len("/note@bearings_sandbox_bot")
    assert emu.transcript(-42)[0].user_id == 7


async def test_reply_to_in_user_message(emu: BotApiEmulator, api: ApiCall) -> None:
    await api("sendMessage", chat_id=1, text="question")
    update = emu.send_message(1, "answer", reply_to=1)
    assert update["message"]["reply_to_message"]["text"] == "question"


async def test_bot_reply_parameters(api: ApiCall, emu: BotApiEmulator) -> None:
    emu.send_message(1, "q")
    response = await api("sendMessage", chat_id=1, text="a", reply_parameters={"message_id": 1})
    assert response.json()["result"]["reply_to_message"]["text"] == "q"
    response = await api("sendMessage", chat_id=1, text="a", reply_parameters={"message_id": 99})
    assert response.json()["description"] == "Bad Request: message to be replied not found"


async def test_labels_and_button_lookup(emu: BotApiEmulator, api: ApiCall) -> None:
    await api("sendMessage", chat_id=1, text="Save?", reply_markup=KEYBOARD)
    message = emu.last_bot_message(1)
    assert message is not None
    assert message.labels == ["Yes, save it", "No", "Help"]
    assert message.button("No").callback_data == "no"
    assert message.button("save").callback_data == "save"
    with pytest.raises(LookupError):
        message.button("maybe")


async def test_press_button_by_label(emu: BotApiEmulator, api: ApiCall, bot: telegram.Bot) -> None:
    await api("sendMessage", chat_id=1, text="old", reply_markup=KEYBOARD)
    await api("sendMessage", chat_id=1, text="new", reply_markup=KEYBOARD)
    update = emu.press_button(1, "yes, SAVE")
    query = update["callback_query"]
    assert query["data"] == "save" and query["message"]["message_id"] == 2
    assert query["message"]["text"] == "new" and query["from"]["id"] == 1
    updates = await bot.get_updates()
    callback = updates[-1].callback_query
    assert callback is not None and callback.data == "save"
    assert await callback.answer("Saved") is True
    assert (await emu.wait_for_callback_answer(query["id"], timeout=1))["text"] == "Saved"
    with pytest.raises(telegram.error.BadRequest, match="Query is too old"):
        await callback.answer("again")
    with pytest.raises(LookupError):
        emu.press_button(1, "Nonexistent")
    with pytest.raises(LookupError, match="no callback_data"):
        emu.press_button(1, "Help")


async def test_answer_unknown_query(api: ApiCall) -> None:
    response = await api("answerCallbackQuery", callback_query_id="nope")
    assert response.json()["description"] == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )


async def test_press_unknown_message(emu: BotApiEmulator) -> None:
    with pytest.raises(LookupError):
        emu.press(1, 99, "x")


async def test_query_ids_are_unique(emu: BotApiEmulator, api: ApiCall) -> None:
    await api("sendMessage", chat_id=1, text="x", reply_markup=KEYBOARD)
    ids = {emu.press(1, 1, "save")["callback_query"]["id"] for _ in range(50)}
    assert len(ids) == 50


async def test_wait_for_next_bot_message(emu: BotApiEmulator, api: ApiCall) -> None:
    await api("sendMessage", chat_id=1, text="before")
    waiter = asyncio.create_task(emu.wait_for_bot_message(1, timeout=5))
    await asyncio.sleep(0)
    await api("sendMessage", chat_id=1, text="after")
    assert (await waiter).text == "after"


async def test_wait_with_predicate_and_after(emu: BotApiEmulator, api: ApiCall) -> None:
    for text in ("one", "two", "three"):
        await api("sendMessage", chat_id=1, text=text)
    found = await emu.wait_for_bot_message(1, lambda m: m.text.startswith("t"), after=0)
    assert found.text == "two"
    found = await emu.wait_for_bot_message(1, after=2, timeout=1)
    assert found.text == "three"


async def test_wait_timeout_lists_recent_messages(emu: BotApiEmulator, api: ApiCall) -> None:
    await api("sendMessage", chat_id=1, text="the last thing said")
    with pytest.raises(TimeoutError, match="the last thing said"):
        await emu.wait_for_bot_message(1, lambda m: "never" in m.text, timeout=0.1)


async def test_wait_until(emu: BotApiEmulator, api: ApiCall) -> None:
    task = asyncio.create_task(api("sendMessage", chat_id=3, text="x"))
    await emu.wait_until(lambda: emu.stats["sent_messages"] == 1, timeout=5)
    await task
    with pytest.raises(TimeoutError):
        await emu.wait_until(lambda: False, timeout=0.05)


async def test_snapshots_do_not_change(emu: BotApiEmulator, api: ApiCall) -> None:
    await api("sendMessage", chat_id=1, text="v1")
    before = emu.last_bot_message(1)
    await api("editMessageText", chat_id=1, message_id=1, text="v2")
    assert before is not None and before.text == "v1"
    after = emu.last_bot_message(1)
    assert after is not None and after.text == "v2"


async def test_listener_sees_events(emu: BotApiEmulator, api: ApiCall) -> None:
    seen: list[tuple[str, str]] = []

    def listener(event: str, message: ChatMessage) -> None:
        seen.append((event, message.text))

    unsubscribe = emu.add_listener(listener)
    await api("sendMessage", chat_id=1, text="a")
    await api("editMessageText", chat_id=1, message_id=1, text="b")
    await api("deleteMessage", chat_id=1, message_id=1)
    unsubscribe()
    await api("sendMessage", chat_id=1, text="c")
    assert seen == [("message", "a"), ("edit", "b"), ("delete", "b")]


async def test_send_media_records_kind(emu: BotApiEmulator) -> None:
    emu.send_media(1, "voice", caption="listen")
    message = emu.transcript(1)[0]
    assert (message.kind, message.text, message.from_bot) == ("voice", "listen", False)
    assert message.file_bytes is not None
    with pytest.raises(ValueError):
        emu.send_media(1, "hologram")
