"""A real python-telegram-bot Application polling the emulator, end to end."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.sandbox.emulator import BotApiEmulator, FaultRule


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Save note", callback_data="save")]])
    await context.bot.send_message(
        update.effective_chat.id, "<b>Welcome</b>, ready?", parse_mode="HTML", reply_markup=keyboard
    )


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Saved")
    await query.edit_message_text(f"Saved ({query.data})")


@pytest.fixture
async def application(emu: BotApiEmulator) -> AsyncIterator[Application]:
    app = (
        Application.builder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        yield app
        await app.updater.stop()
        await app.stop()


async def test_command_button_and_edit(emu: BotApiEmulator, application: Application) -> None:
    emu.send_message(21, "/start")
    welcome = await emu.wait_for_bot_message(21, after=0, timeout=5)
    assert welcome.text == "Welcome, ready?" and welcome.html == "<b>Welcome</b>, ready?"
    update = emu.press_button(21, "Save")
    answer = await emu.wait_for_callback_answer(update["callback_query"]["id"], timeout=5)
    assert answer["text"] == "Saved"
    edited = await emu.wait_for_edit(
        21, welcome.message_id, timeout=5, predicate=lambda m: "Saved" in m.text
    )
    assert edited.text == "Saved (save)" and edited.buttons == []
    assert [m.from_bot for m in emu.transcript(21)] == [False, True]


async def test_updates_are_confirmed_after_processing(
    emu: BotApiEmulator,
    application: Application,
) -> None:
    first = emu.send_message(22, "/start")
    await emu.wait_for_bot_message(22, after=0, timeout=5)
    emu.send_message(22, "/start")
    await emu.wait_for_bot_message(22, after=1, timeout=5)
    await emu.wait_until(lambda: first["update_id"] in emu.confirmed_update_ids, timeout=5)


async def test_polling_survives_a_server_error(
    emu: BotApiEmulator,
    application: Application,
) -> None:
    emu.faults.add(FaultRule(method="getUpdates", status=502, times=1))
    emu.send_message(23, "/start")
    message = await emu.wait_for_bot_message(23, after=0, timeout=10)
    assert message.text == "Welcome, ready?"
