"""Joining a team over the real bot: invites, the privacy notice, /help, strangers, groups."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select, text

from bot.app import Bearings
from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from storage.models import Member
from tests.e2e.conftest import Chatter

BIN = Path(sys.executable).parent


def create_team_with_the_cli(database: Database, keys: list[str], name: str = "North Team") -> str:
    """Run `bearings team create` for real and return the printed invite token."""
    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "BEARINGS_DATA_KEYS": ",".join(keys),
        "BOT_USERNAME": "bearings_sandbox_bot",
    }
    env.pop("TELEGRAM_BOT_TOKEN", None)
    result = subprocess.run(
        [str(BIN / "bearings"), "team", "create", name, "--timezone", "Europe/London"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    link = re.search(r"https://t\.me/bearings_sandbox_bot\?start=([A-Za-z0-9_-]+)", result.stdout)
    assert link is not None, result.stdout
    assert f"token: {link.group(1)}" in result.stdout
    return link.group(1)


async def members(database: Database) -> list[tuple[int, str]]:
    async with database.unit_of_work() as uow:
        rows = (await uow.session.execute(select(Member.telegram_user_id, Member.role))).all()
    return [(row[0], row[1]) for row in rows]


async def test_team_create_then_supervisor_joins_and_invites_a_worker(
    bot: Bearings, emulator: BotApiEmulator, database: Database, data_keys: list[str]
) -> None:
    token = create_team_with_the_cli(database, data_keys)
    sam = Chatter(emulator, 1001, "Sam")

    preview = await sam.send(f"/start {token}")
    assert "North Team" in preview.text and "supervisor" in preview.text
    assert "not an emergency service" in preview.text
    assert preview.labels == ["Yes, join North Team", "Not now"]
    assert await members(database) == []  # nothing until they confirm

    joined = await sam.press("Yes, join North Team")
    assert "You're in" in joined.text and joined.buttons == []
    assert await members(database) == [(1001, "supervisor")]
    await emulator.wait_until(lambda: "chat:1001" in emulator.commands)
    assert "invite" in [c["command"] for c in emulator.commands["chat:1001"]]

    invite = await sam.send("/invite worker")
    worker_token = re.search(r"\?start=([A-Za-z0-9_-]+)", invite.text)
    assert worker_token is not None and "key worker" not in invite.text

    alex = Chatter(emulator, 1002, "Alex")
    preview = await alex.send(f"/start {worker_token.group(1)}")
    assert "as a <b>worker</b>" in (preview.html or "")
    await alex.press("Yes, join North Team")
    assert await members(database) == [(1001, "supervisor"), (1002, "worker")]

    worker_help = await alex.send("/help")
    supervisor_help = await sam.send("/help")
    assert "key workers" in worker_help.text and "/invite" not in worker_help.text
    assert "supervisors" in supervisor_help.text and "/invite worker" in supervisor_help.text


async def test_invite_buttons_and_a_worker_cannot_invite(
    bot: Bearings, emulator: BotApiEmulator, database: Database, data_keys: list[str]
) -> None:
    sam = Chatter(emulator, 1001, "Sam")
    await sam.send(f"/start {create_team_with_the_cli(database, data_keys)}")
    await sam.press("Yes, join")
    question = await sam.send("/invite")
    assert question.labels == ["A key worker", "A supervisor"]
    made = await sam.press("A supervisor")
    assert "supervisor" in made.text and "?start=" in made.text

    token = re.search(r"\?start=([A-Za-z0-9_-]+)", made.text)
    assert token is not None
    kim = Chatter(emulator, 1003, "Kim")
    await kim.send(f"/start {token.group(1)}")
    await kim.press("Yes, join")
    refusal = await Chatter(emulator, 1003, "Kim").send("/help")
    assert "supervisors" in refusal.text  # Kim joined as a supervisor

    sam_worker_token = re.search(
        r"\?start=([A-Za-z0-9_-]+)", (await sam.send("/invite worker")).text
    )
    assert sam_worker_token is not None
    alex = Chatter(emulator, 1002, "Alex")
    await alex.send(f"/start {sam_worker_token.group(1)}")
    await alex.press("Yes, join")
    assert "Only supervisors" in (await alex.send("/invite worker")).text


async def test_strangers_and_bad_tokens_get_an_explanation_and_nothing_is_stored(
    bot: Bearings, emulator: BotApiEmulator, database: Database, data_keys: list[str]
) -> None:
    token = create_team_with_the_cli(database, data_keys)
    stranger = Chatter(emulator, 666, "Zed Unknownperson")
    assert "invite link from your supervisor" in (await stranger.send("/start")).text
    assert "don't recognise" in (await stranger.send("/start " + "A" * 43)).text
    assert "don't recognise" in (await stranger.send("/start hello")).text
    assert "invite link" in (await stranger.send("what is this?")).text
    assert "invite link" in (await stranger.send("/cases")).text

    sam = Chatter(emulator, 1001, "Sam")
    await sam.send(f"/start {token}")
    await sam.press("Yes, join")
    assert "already been used" in (await stranger.send(f"/start {token}")).text

    await bot.inbox.wait_idle() if bot.inbox else None
    assert await members(database) == [(1001, "supervisor")]
    async with database.engine.connect() as connection:
        payloads = (await connection.execute(text("SELECT payload, replies FROM inbox"))).all()
    assert payloads
    for payload, replies in payloads:
        assert "Zed" not in (payload or "") and "Unknownperson" not in (replies or "")


async def test_declining_keeps_nothing_and_a_second_press_changes_nothing(
    bot: Bearings, emulator: BotApiEmulator, database: Database, data_keys: list[str]
) -> None:
    token = create_team_with_the_cli(database, data_keys)
    sam = Chatter(emulator, 1001, "Sam")
    preview = await sam.send(f"/start {token}")
    declined = await sam.press("Not now")
    assert "haven't kept anything" in declined.text
    assert await members(database) == []

    await sam.send(f"/start {token}")
    await sam.press("Yes, join")
    # Press the old Join button again (a double press): answered, nothing changes.
    press = emulator.press(1001, preview.message_id, f"j:{token}")
    answer = await emulator.wait_for_callback_answer(press["callback_query"]["id"])
    assert answer.get("text") == "Already done."
    assert await members(database) == [(1001, "supervisor")]


async def test_members_get_a_short_menu_for_anything_unknown(
    bot: Bearings, emulator: BotApiEmulator, database: Database, data_keys: list[str]
) -> None:
    sam = Chatter(emulator, 1001, "Sam")
    await sam.send(f"/start {create_team_with_the_cli(database, data_keys)}")
    await sam.press("Yes, join")
    for text_sent in ("/frobnicate", "hello there"):
        reply = await sam.send(text_sent)
        assert "not sure what you meant" in reply.text and "/invite" in reply.text
    after = len(emulator.bot_messages(1001))
    emulator.send_media(1001, "sticker")
    sticker_reply = await emulator.wait_for_bot_message(1001, after=after)
    assert "not sure what you meant" in sticker_reply.text
    assert "Welcome back, Sam" in (await sam.send("/start")).text


async def test_group_linking_and_commands_in_the_wrong_place(
    bot: Bearings, emulator: BotApiEmulator, database: Database, data_keys: list[str]
) -> None:
    sam = Chatter(emulator, 1001, "Sam")
    await sam.send(f"/start {create_team_with_the_cli(database, data_keys)}")
    await sam.press("Yes, join")
    assert "in your team's group" in (await sam.send("/linkgroup")).text

    group = -100500
    after = len(emulator.bot_messages(group))
    emulator.send_message(666, "/linkgroup", chat_id=group, chat_type="group", chat_title="North")
    refusal = await emulator.wait_for_bot_message(group, after=after)
    assert "not a member" in refusal.text

    emulator.send_message(
        1001,
        "/linkgroup@bearings_sandbox_bot",
        chat_id=group,
        chat_type="group",
        chat_title="North",
    )
    linked = await emulator.wait_for_bot_message(group, after=after + 1)
    assert "team chat for North Team" in linked.text
    async with database.unit_of_work() as uow:
        team = await uow.teams.by_group_chat(group)
        assert team is not None and team.name == "North Team"

    emulator.send_message(1001, "/help", chat_id=group, chat_type="group", chat_title="North")
    pointer = await emulator.wait_for_bot_message(group, after=after + 2)
    assert "private chat" in pointer.text
    emulator.send_message(
        1001, "/start@someotherbot", chat_id=group, chat_type="group", chat_title="North"
    )
    emulator.send_message(
        1001, "just chatting", chat_id=group, chat_type="group", chat_title="North"
    )
    emulator.send_message(1001, "/help", chat_id=group, chat_type="group", chat_title="North")
    last = await emulator.wait_for_bot_message(group, after=after + 3)
    assert "private chat" in last.text
    assert (
        len(emulator.bot_messages(group)) == after + 4
    )  # the other bot's command and chat got nothing


async def test_the_command_menus_are_registered(bot: Bearings, emulator: BotApiEmulator) -> None:
    assert [c["command"] for c in emulator.commands["all_private_chats"]] == ["start", "help"]
    assert [c["command"] for c in emulator.commands["all_group_chats"]] == ["linkgroup"]


async def test_an_error_is_caught_and_nothing_a_member_sent_is_lost(
    bot: Bearings, emulator: BotApiEmulator, database: Database, data_keys: list[str]
) -> None:
    token = create_team_with_the_cli(database, data_keys)
    sam = Chatter(emulator, 1001, "Sam")
    await sam.send(f"/start {token}")
    await sam.press("Yes, join")
    async with database.engine.begin() as connection:
        await connection.execute(text("ALTER TABLE invites RENAME TO invites_gone"))
    reply = await sam.send("/invite worker")
    assert "something went wrong" in reply.text and "Nothing you sent was lost" in reply.text
    assert bot.inbox is not None
    await bot.inbox.wait_idle()
    async with database.unit_of_work() as uow:
        rows = (await uow.session.execute(text("SELECT update_id, failed FROM inbox"))).all()
        failed = await uow.inbox.get(rows[-1][0])
    assert rows[-1][1]
    assert failed is not None and failed.payload["message"]["text"] == "/invite worker"
    assert failed.chat_key == 1001  # erasure finds it


async def test_a_strangers_failed_updates_keep_only_their_id_and_outcome(
    bot: Bearings, emulator: BotApiEmulator, database: Database, data_keys: list[str]
) -> None:
    """Issue 19.3: a stranger's update that fails (a handler's error, or one that cannot
    even be read) is kept as its id and "failed", nothing of the person: not their id,
    name, username or what they wrote, and they are not told it was kept."""
    token = create_team_with_the_cli(database, data_keys)
    async with database.engine.begin() as connection:
        await connection.execute(text("ALTER TABLE invites RENAME TO invites_gone"))
    zed = Chatter(emulator, 86_420_531, "Zedekiah")
    reply = await zed.send(f"/start {token}")
    assert "something went wrong" in reply.text and "haven't kept what you sent" in reply.text
    # An update python-telegram-bot cannot read (a message with no chat), from a stranger.
    emulator.add_update(
        {
            "update_id": 990_001,
            "message": {
                "message_id": 5,
                "date": 1,
                "from": {
                    "id": 86_420_532,
                    "is_bot": False,
                    "first_name": "Ysolde",
                    "username": "ysolde_x",
                },
                "text": "Ysolde wrote this",
            },
        }
    )
    assert bot.inbox is not None
    await emulator.wait_until(lambda: bot.inbox is not None and bot.inbox.handled >= 2)
    await bot.inbox.wait_idle()
    async with database.unit_of_work() as uow:
        rows = (await uow.session.execute(text("SELECT update_id FROM inbox"))).all()
        kept = [await uow.inbox.get(update_id) for (update_id,) in rows]
    failed = [row for row in kept if row is not None and row.failed]
    assert len(failed) == 2
    for row in failed:
        assert (row.chat_key, row.payload, row.replies) == (0, {}, None), row.update_id
    dump = []
    async with database.engine.connect() as connection:
        for table in ("inbox", "members", "audit_log", "outbox"):
            dump += [str(row) for row in (await connection.execute(text(f"SELECT * FROM {table}")))]
    for trace in ("86420531", "86420532", "Zedekiah", "Ysolde", "ysolde_x"):
        assert trace not in "\n".join(dump), trace
