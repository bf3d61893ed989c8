"""getUpdates: offsets, limit, long polling, allowed_updates and conflicts."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
import telegram

from bot.sandbox.emulator import BotApiEmulator

from .conftest import ApiCall


async def result(api: ApiCall, method: str, **params: object) -> Any:
    response = await api(method, **params)
    assert response.status_code == 200, response.text
    return response.json()["result"]


async def test_update_ids_increase_by_one(emu: BotApiEmulator) -> None:
    first = emu.send_message(1, "a")["update_id"]
    assert first >= 100_000
    assert emu.send_message(1, "b")["update_id"] == first + 1
    assert emu.add_update({"poll": {"id": "p"}})["update_id"] == first + 2


async def test_offset_confirms_and_forgets(emu: BotApiEmulator, api: ApiCall) -> None:
    ids = [emu.send_message(1, str(n))["update_id"] for n in range(3)]
    assert [u["update_id"] for u in await result(api, "getUpdates")] == ids
    assert emu.pending_updates() == 3
    updates = await result(api, "getUpdates", offset=ids[1])
    assert [u["update_id"] for u in updates] == ids[1:]
    assert emu.confirmed_update_ids == {ids[0]}
    assert await result(api, "getUpdates", offset=ids[2] + 1) == []
    assert emu.pending_updates() == 0 and emu.confirmed_update_ids == set(ids)


async def test_negative_offset_counts_from_the_end(emu: BotApiEmulator, api: ApiCall) -> None:
    ids = [emu.send_message(1, str(n))["update_id"] for n in range(4)]
    updates = await result(api, "getUpdates", offset=-1)
    assert [u["update_id"] for u in updates] == ids[-1:]
    assert emu.pending_updates() == 1


async def test_limit(emu: BotApiEmulator, api: ApiCall) -> None:
    for n in range(5):
        emu.send_message(1, str(n))
    assert len(await result(api, "getUpdates", limit=2)) == 2
    assert len(await result(api, "getUpdates", limit=0)) == 1
    assert len(await result(api, "getUpdates", limit=500)) == 5


async def test_long_poll_wakes_promptly(emu: BotApiEmulator, api: ApiCall) -> None:
    poll = asyncio.create_task(api("getUpdates", timeout=5))
    await emu.wait_until(lambda: emu.state.updates.polling, timeout=5)
    started = time.monotonic()
    sent = emu.send_message(1, "wake up")
    response = await poll
    assert time.monotonic() - started < 0.5
    assert response.json()["result"] == [sent]


async def test_waiting_for_polling_sees_a_long_poll_before_it_runs_out(
    emu: BotApiEmulator, api: ApiCall
) -> None:
    seen, since = len(emu.requests), time.monotonic()
    poll = asyncio.create_task(api("getUpdates", timeout=5))
    arrived = await emu.wait_for_polling(after=seen, since=since, timeout=2)
    assert since <= arrived <= time.monotonic()
    assert not poll.done()  # the long poll is still waiting: nothing was recorded yet
    assert not any(r.method == "getUpdates" for r in emu.requests[seen:])
    emu.send_message(1, "done")
    assert (await poll).status_code == 200
    # A poll that began before `since` does not count; an answered call after `after` does.
    later = time.monotonic()
    await result(api, "getUpdates", timeout=0)
    answered = await emu.wait_for_polling(after=len(emu.requests) - 1, since=later, timeout=2)
    assert answered >= later
    with pytest.raises(TimeoutError):
        await emu.wait_for_polling(after=len(emu.requests), since=time.monotonic(), timeout=0.2)


async def test_long_poll_times_out_empty(api: ApiCall) -> None:
    started = time.monotonic()
    assert await result(api, "getUpdates", timeout=1) == []
    assert 0.9 <= time.monotonic() - started < 3


async def test_newer_poll_terminates_older_with_conflict(emu: BotApiEmulator, api: ApiCall) -> None:
    older = asyncio.create_task(api("getUpdates", timeout=5))
    await emu.wait_until(lambda: emu.state.updates.polling, timeout=5)
    assert await result(api, "getUpdates") == []
    response = await older
    assert response.status_code == 409
    assert response.json()["description"].startswith("Conflict: terminated by other getUpdates")


async def test_allowed_updates_filter_and_are_remembered(emu: BotApiEmulator, api: ApiCall) -> None:
    emu.send_message(1, "text")
    query = emu.add_update({"callback_query": {"id": "1", "from": {}, "chat_instance": "1"}})
    updates = await result(api, "getUpdates", allowed_updates=["callback_query"])
    assert updates == [query]
    emu.send_message(1, "still filtered")
    assert await result(api, "getUpdates", offset=query["update_id"] + 1) == []
    message = emu.send_message(1, "all again")
    assert await result(api, "getUpdates", allowed_updates=[]) == [message]


async def test_default_excludes_chat_member_updates(emu: BotApiEmulator, api: ApiCall) -> None:
    emu.add_update({"chat_member": {"chat": {}}})
    shown = emu.add_update({"some_future_update": {"x": 1}})
    assert await result(api, "getUpdates") == [shown]


async def test_get_updates_while_webhook_is_set_is_409(api: ApiCall) -> None:
    assert await result(api, "setWebhook", url="http://127.0.0.1:9/hook") is True
    response = await api("getUpdates")
    assert response.status_code == 409
    assert response.json()["description"] == (
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first"
    )
    assert await result(api, "deleteWebhook") is True
    assert await result(api, "getUpdates") == []


async def test_delete_webhook_can_drop_pending(emu: BotApiEmulator, api: ApiCall) -> None:
    emu.send_message(1, "old")
    await result(api, "deleteWebhook", drop_pending_updates=False)
    assert emu.pending_updates() == 1
    await result(api, "deleteWebhook", drop_pending_updates=True)
    assert emu.pending_updates() == 0


async def test_ptb_decodes_every_user_action(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.send_message(5, "/start@bearings_sandbox_bot now", username="sam", last_name="Lee")
    for kind in ("photo", "sticker", "voice", "video", "document", "location", "contact"):
        emu.send_media(5, kind)
    for kind in ("animation", "audio", "video_note"):
        emu.send_media(5, kind)
    emu.send_edited_message(5, 1, "edited")
    emu.send_channel_post(-1001234, "news")
    emu.add_member_to_group(6, -500, chat_title="Team")
    emu.bot_added_to_group(-500, "Team", by_user_id=5)
    updates = await bot.get_updates(allowed_updates=telegram.Update.ALL_TYPES)
    assert len(updates) == 16
    first = updates[0].message
    assert first is not None and first.text is not None
    assert first.entities[0].type == "bot_command" and first.entities[0].length == 27
    assert first.from_user is not None and first.from_user.username == "sam"
    assert updates[1].message is not None and len(updates[1].message.photo) == 2
    assert updates[8].message is not None and updates[8].message.animation is not None
    assert updates[11].edited_message is not None
    assert updates[12].channel_post is not None and updates[12].channel_post.text == "news"
    assert updates[13].message is not None and updates[13].message.new_chat_members[0].id == 6
    assert updates[14].my_chat_member is not None
    assert updates[14].my_chat_member.new_chat_member.status == "member"


async def test_long_poll_ends_when_emulator_stops(emu: BotApiEmulator) -> None:
    async with httpx.AsyncClient(base_url=emu.url) as client:
        poll = asyncio.create_task(client.post(f"/bot{emu.token}/getUpdates", json={"timeout": 30}))
        await emu.wait_until(lambda: emu.state.updates.polling, timeout=5)
        started = time.monotonic()
        await emu.stop()
        response = await poll
        assert response.json()["result"] == []
        assert time.monotonic() - started < 2
