"""Hardening over the real bot: what it asks Telegram for, and what it leaves alone (edited
messages, channel posts, groups)."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from bot.services import onboarding
from prompts import render
from storage.db import Database
from storage.models import Base, FlowSession, InboxUpdate
from storage.schema import upgrade_to_head
from tests.e2e.conftest import Chatter, add_case, bot_settings, member, running, stored_case
from tests.e2e.test_backup_restore import environment, kept_beside, run_bearings
from tests.team import SUPERVISOR_ID, WORKER_ID, seed_team
from tests.waiting import eventually

GROUP = -100600


async def handle_directly(bot: Bearings, raw: dict[str, Any]) -> None:
    """Put an update into the inbox as if Telegram had sent it anyway (a webhook set up by
    hand, say) and wait until it is handled."""
    assert bot.inbox is not None
    assert await bot.inbox.receive([raw]) == 1
    await bot.inbox.wait_idle()


async def row_counts(database: Database) -> dict[str, int]:
    """Rows in every table but the inbox and the periodic job's own record of its runs."""
    async with database.unit_of_work() as uow:
        return {
            table.name: int(await uow.session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
            if table.name not in ("inbox", "job_runs")
        }


async def test_polling_asks_telegram_only_for_the_update_kinds_the_bot_handles(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, WORKER_ID, "Alex")
    sent = emulator.send_message(WORKER_ID, "/help", first_name="Alex")
    edited = emulator.send_edited_message(WORKER_ID, sent["message"]["message_id"], "/cases")
    post = emulator.send_channel_post(-100777, "news")
    await alex.send("/cases")  # handled after the others, in order

    polls = [r for r in emulator.requests if r.method == "getUpdates"]
    assert polls and all(
        sorted(json.loads(r.params["allowed_updates"]))
        == ["callback_query", "message", "my_chat_member"]
        for r in polls
    )
    async with database.unit_of_work() as uow:
        for update in (edited, post):
            assert await uow.inbox.get(update["update_id"]) is None  # never even delivered
        assert await uow.inbox.get(sent["update_id"]) is not None

    # my_chat_member is asked for because it is handled: unblocking the bot, with no message,
    # makes someone marked unreachable reachable again.
    async with database.unit_of_work() as uow:
        (await member(uow, WORKER_ID)).unreachable_at = clock.now()
    emulator.block(WORKER_ID)
    emulator.unblock(WORKER_ID)

    async def reachable() -> bool:
        async with database.unit_of_work() as uow:
            return (await member(uow, WORKER_ID)).unreachable_at is None

    await eventually(reachable)


async def test_an_edited_message_never_answers_changes_or_advances_a_flow(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, WORKER_ID, "Alex")
    await add_case(alex, "FAM-0142")
    after = len(emulator.bot_messages(WORKER_ID))
    visit = emulator.send_message(WORKER_ID, "/visit", first_name="Alex")
    await emulator.wait_for_bot_message(WORKER_ID, after=after)
    await alex.tap("FAM-0142")
    asked = await alex.tap("Today")
    assert "step 3 of 5" in asked.text

    async def open_flow() -> tuple[str, int, dict[str, Any]]:
        async with database.unit_of_work() as uow:
            session = await uow.flows.open_for((await member(uow, WORKER_ID)).id)
            assert isinstance(session, FlowSession)
            return session.step, session.version, dict(session.answers)

    before, said = await open_flow(), len(emulator.bot_messages(WORKER_ID))
    for text in ("Went badly", "/cancel", "/newcase"):
        await handle_directly(
            bot,
            emulator.send_edited_message(WORKER_ID, visit["message"]["message_id"], text),
        )
    assert await open_flow() == before
    assert len(emulator.bot_messages(WORKER_ID)) == said  # not a word in answer

    risk = await alex.send("Went well")  # the flow carries on from where it was
    assert "step 4 of 5" in risk.text
    assert (await open_flow())[2]["values"]["how"] == "Went well"


async def test_a_channel_post_gets_no_answer_and_nothing_is_stored(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    before = await row_counts(database)
    post = emulator.send_channel_post(-100777, "/cases")
    await handle_directly(bot, post)
    assert emulator.bot_messages(-100777) == []
    assert await row_counts(database) == before
    async with database.unit_of_work() as uow:
        row = await uow.inbox.get(post["update_id"])
        assert isinstance(row, InboxUpdate)
        assert (row.status, row.payload, row.chat_key) == ("done", {}, 0)


async def test_in_a_group_the_bot_answers_only_its_commands_and_never_shows_a_case(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    async with database.unit_of_work() as uow:
        await onboarding.link_group(uow, clock, telegram_user_id=SUPERVISOR_ID, chat_id=GROUP)
    await add_case(Chatter(emulator, WORKER_ID, "Alex"), "FAM-0142")
    async with database.unit_of_work() as uow:
        case_id = (await stored_case(uow, WORKER_ID, "FAM-0142")).id

    def say_in_group(text: str) -> None:
        emulator.send_message(
            SUPERVISOR_ID, text, chat_id=GROUP, chat_type="group", chat_title="North"
        )

    for text in ("/cases", "FAM-0142 how is it going?", "/cases@someotherbot", "/flags"):
        say_in_group(text)
    await emulator.wait_for_bot_message(GROUP, after=1)
    pointer = render("private_only", bot_username=emulator.bot_username)
    assert [m.html for m in emulator.bot_messages(GROUP)] == [pointer, pointer]

    # A button pressed (or forged) on a message in the group shows nothing there.
    message_id = emulator.bot_messages(GROUP)[0].message_id
    for data in (f"cc:{case_id}", f"cn:{case_id}", "cl"):
        update = emulator.press(SUPERVISOR_ID, message_id, data, chat_id=GROUP)
        answer = await emulator.wait_for_callback_answer(update["callback_query"]["id"])
        assert answer.get("text") == render("button_private_only")
    assert [m.html for m in emulator.bot_messages(GROUP)] == [pointer, pointer]
    assert not [r for r in emulator.requests if r.method.startswith("edit") and r.chat_id == GROUP]


@contextmanager
def umask(mask: int) -> Iterator[None]:
    """Run with this umask (the bot in this process and the commands it starts)."""
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_database_its_wal_backups_and_exports_are_readable_by_the_bot_only(
    emulator: BotApiEmulator, tmp_path: Path, data_keys: list[str]
) -> None:
    live = tmp_path / "bearings.db"
    beside = [live.with_name(live.name + suffix) for suffix in ("-wal", "-shm", ".lock")]
    clock = MovableClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    env = environment(live, data_keys)
    backup, out = tmp_path / "monday.db", tmp_path / "fam-0142.pdf"
    with umask(0):  # the most permissive there is: every file would be 0666 or 0644
        database = Database(f"sqlite+aiosqlite:///{live}")
        await upgrade_to_head(database.engine)
        await seed_team(database, clock)
        assert mode(live) == 0o600
        await database.dispose()
        live.chmod(0o644)  # a database made before: narrowed when the bot opens it
        alex = Chatter(emulator, WORKER_ID, "Alex")
        async with running(bot_settings(emulator, database.url, data_keys), clock):
            await add_case(alex, "FAM-0142")
            assert all(path.exists() for path in beside)
            assert {path.name: mode(path) for path in [live, *beside]} == {
                path.name: 0o600 for path in [live, *beside]
            }
            code, _, err = await run_bearings("backup", str(backup), env=env)
            assert code == 0, err
        out.write_bytes(b"an old file in the way")
        out.chmod(0o644)
        args = ("export", "--case", "FAM-0142", "--team", "North Team", "--out", str(out))
        code, _, err = await run_bearings(*args, env=env)
        assert code == 0, err
        code, _, err = await run_bearings("restore", str(backup), env=env)
        assert code == 0, err
    assert out.read_bytes().startswith(b"%PDF")
    (kept,) = kept_beside(live)
    assert {path.name: mode(path) for path in (live, backup, out, kept)} == {
        path.name: 0o600 for path in (live, backup, out, kept)
    }
