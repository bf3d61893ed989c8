"""Mini App buttons and the chat menu button, checked as Telegram checks them: HTTPS only
(the emulator also lets plain HTTP to this machine by, for local testing), web_app buttons
in private chats only, a menu button per private chat."""

from __future__ import annotations

import telegram

from bot.sandbox.emulator import BotApiEmulator

from .conftest import ApiCall

APP = "https://bearings.example.org/app/"


def web_app_keyboard(url: str) -> dict[str, object]:
    return {"inline_keyboard": [[{"text": "Dashboard", "web_app": {"url": url}}]]}


async def test_a_web_app_button_needs_https_or_this_machine(
    emu: BotApiEmulator, api: ApiCall
) -> None:
    sent = await api("sendMessage", chat_id=7, text="Team", reply_markup=web_app_keyboard(APP))
    assert sent.json()["ok"], sent.json()
    assert emu.bot_messages(7)[-1].buttons[0][0].web_app == APP
    local = web_app_keyboard("http://127.0.0.1:8080/app/")
    assert (await api("sendMessage", chat_id=7, text="Team", reply_markup=local)).json()["ok"]
    plain = web_app_keyboard("http://bearings.example.org/app/")
    refused = (await api("sendMessage", chat_id=7, text="Team", reply_markup=plain)).json()
    assert not refused["ok"] and "Only HTTPS links are allowed" in refused["description"]


async def test_a_web_app_button_is_refused_in_a_group(api: ApiCall) -> None:
    group = await api(
        "sendMessage", chat_id=-1001234, text="Team", reply_markup=web_app_keyboard(APP)
    )
    assert group.json()["description"] == "Bad Request: BUTTON_TYPE_INVALID"


async def test_the_menu_button_of_a_private_chat(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    button = telegram.MenuButtonWebApp("Dashboard", telegram.WebAppInfo(APP))
    assert await bot.set_chat_menu_button(chat_id=42, menu_button=button)
    assert emu.menu_buttons["42"] == {
        "type": "web_app",
        "text": "Dashboard",
        "web_app": {"url": APP},
    }
    assert await bot.get_chat_menu_button(chat_id=42) == button
    assert await bot.get_chat_menu_button(chat_id=43) == telegram.MenuButtonCommands()
    await bot.set_chat_menu_button(chat_id=42, menu_button=telegram.MenuButtonDefault())
    assert emu.menu_buttons["42"] == {"type": "default"}


async def test_a_menu_button_refused_for_a_group_or_plain_http(api: ApiCall) -> None:
    button = {"type": "web_app", "text": "Dashboard", "web_app": {"url": APP}}
    group = (await api("setChatMenuButton", chat_id=-1001234, menu_button=button)).json()
    assert not group["ok"]
    plain = {**button, "web_app": {"url": "http://bearings.example.org/app/"}}
    refused = (await api("setChatMenuButton", chat_id=42, menu_button=plain)).json()
    assert not refused["ok"] and "HTTPS" in refused["description"]
    no_text = {**button, "text": " "}
    assert not (await api("setChatMenuButton", chat_id=42, menu_button=no_text)).json()["ok"]
