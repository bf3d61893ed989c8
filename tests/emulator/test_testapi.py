"""The HTTP test API under /_emulator/, for processes that did not start the emulator."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx

from bot.sandbox.emulator import BotApiEmulator

from .conftest import ApiCall

ROOT = Path(__file__).resolve().parents[2]
KEYBOARD = {"inline_keyboard": [[{"text": "Save", "callback_data": "save"}]]}


async def test_act_and_read_over_http(
    emu: BotApiEmulator, http: httpx.AsyncClient, api: ApiCall
) -> None:
    sent = (
        await http.post("/_emulator/send_message", json={"user_id": 3, "text": "/start"})
    ).json()
    assert sent["ok"] and sent["result"]["message"]["entities"][0]["type"] == "bot_command"
    await api("sendMessage", chat_id=3, text="Save it?", reply_markup=KEYBOARD)
    pressed = (
        await http.post("/_emulator/press_button", json={"user_id": 3, "label": "save"})
    ).json()
    assert pressed["result"]["callback_query"]["data"] == "save"
    pressed = (
        await http.post("/_emulator/press", json={"user_id": 3, "message_id": 2, "data": "x"})
    ).json()
    assert pressed["result"]["callback_query"]["data"] == "x"
    media = (await http.post("/_emulator/send_media", json={"user_id": 3, "kind": "photo"})).json()
    assert "photo" in media["result"]["message"]
    transcript = (await http.get("/_emulator/transcript", params={"chat_id": 3})).json()["result"]
    assert [(m["from_bot"], m["kind"]) for m in transcript] == [
        (False, "text"),
        (True, "text"),
        (False, "photo"),
    ]
    assert transcript[1]["labels"] == ["Save"] and transcript[2]["file_size"] > 0
    requests = (await http.get("/_emulator/requests", params={"method": "sendMessage"})).json()
    assert [r["params"]["text"] for r in requests["result"]] == ["Save it?"]
    info = (await http.get("/_emulator/info")).json()["result"]
    assert info["token"] == emu.token and info["pending_updates"] == 4


async def test_faults_and_block_over_http(http: httpx.AsyncClient, api: ApiCall) -> None:
    added = await http.post("/_emulator/faults", json={"method": "sendMessage", "status": 502})
    assert added.json()["result"]["status"] == 502
    assert len((await http.get("/_emulator/faults")).json()["result"]) == 1
    assert (await api("sendMessage", chat_id=1, text="x")).status_code == 502
    await http.post("/_emulator/faults", json={"method": "sendMessage", "times": None})
    await http.delete("/_emulator/faults")
    assert (await api("sendMessage", chat_id=1, text="x")).status_code == 200
    await http.post("/_emulator/block", json={"user_id": 1})
    assert (await api("sendMessage", chat_id=1, text="x")).status_code == 403
    await http.post("/_emulator/unblock", json={"user_id": 1})
    assert (await api("sendMessage", chat_id=1, text="x")).status_code == 200


async def test_wait_for_bot_message_over_http(http: httpx.AsyncClient, api: ApiCall) -> None:
    waiter = asyncio.create_task(
        http.post(
            "/_emulator/wait_for_bot_message",
            json={"chat_id": 4, "text_contains": "ready", "timeout": 5},
        )
    )
    await api("sendMessage", chat_id=4, text="not yet")
    await api("sendMessage", chat_id=4, text="ready now")
    assert (await waiter).json()["result"]["text"] == "ready now"
    timed_out = await http.post(
        "/_emulator/wait_for_bot_message", json={"chat_id": 4, "timeout": 0.05}
    )
    assert timed_out.status_code == 408


async def test_bad_input_is_a_400(http: httpx.AsyncClient) -> None:
    response = await http.post("/_emulator/send_message", json={"text": "no user"})
    assert response.status_code == 400 and not response.json()["ok"]
    response = await http.post("/_emulator/press_button", json={"user_id": 1, "label": "x"})
    assert response.status_code == 400 and "LookupError" in response.json()["error"]
    response = await http.post("/_emulator/faults", json={"colour": "red"})
    assert response.status_code == 400


async def test_standalone_command_line() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.sandbox.emulator",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
        assert "token=123456:TEST-TOKEN" in line
        base_url = line.split("base_url=")[1].split()[0]
        async with httpx.AsyncClient() as client:
            response = await client.get(f"{base_url}123456:TEST-TOKEN/getMe")
        assert response.json()["result"]["username"] == "bearings_sandbox_bot"
    finally:
        process.terminate()
        await process.wait()
