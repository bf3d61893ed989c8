"""``bearings sandbox``: the emulator, the real bot against it over HTTP, and a terminal chat.

Everything lives in a temporary folder (a SQLite file and a fresh data key)
that is removed on exit. No token and no network are needed.
"""

from __future__ import annotations

import logging
import shutil
import socket
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from pydantic import SecretStr

from bot.app import Bearings, build
from bot.clock import SystemClock
from bot.config import Settings
from bot.domain.roles import Role
from bot.domain.webapp_auth import sign_init_data
from bot.logs import EventFormatter
from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.terminal import Persona, TerminalChat
from bot.services import onboarding
from bot.telegram.links import invite_link
from storage.crypto import generate_key

DEMO_TEAM = "Demo Team"
SUPERVISOR = Persona("supervisor", 1001, "Sam")
WORKER = Persona("worker", 1002, "Alex")
NEWCOMER = Persona("newcomer", 1003, "Jo")


@dataclass(frozen=True)
class Demo:
    """The demo team as seeded: who is in it, and an unused invite for the newcomer."""

    newcomer_invite: str


async def seed_demo(bearings: Bearings) -> Demo:
    """A demo team with a supervisor and a worker already joined (through the real services)."""
    clock, ttl = bearings.clock, bearings.settings.invite_ttl_days
    async with bearings.database.unit_of_work() as uow:
        first = await onboarding.create_team(
            uow, clock, name=DEMO_TEAM, timezone="Europe/London", invite_ttl_days=ttl
        )
        await onboarding.join_team(
            uow,
            clock,
            token=first.token,
            telegram_user_id=SUPERVISOR.user_id,
            display_name=SUPERVISOR.first_name,
        )
        worker = await onboarding.create_invite(
            uow, clock, telegram_user_id=SUPERVISOR.user_id, role=Role.WORKER, invite_ttl_days=ttl
        )
        await onboarding.join_team(
            uow,
            clock,
            token=worker.token,
            telegram_user_id=WORKER.user_id,
            display_name=WORKER.first_name,
        )
        newcomer = await onboarding.create_invite(
            uow, clock, telegram_user_id=SUPERVISOR.user_id, role=Role.WORKER, invite_ttl_days=ttl
        )
    return Demo(newcomer_invite=newcomer.token)


def sandbox_settings(emulator: BotApiEmulator, folder: Path, web_port: int = 0) -> Settings:
    """Settings that point the real bot at the emulator, with a throwaway database and key;
    with ``web_port``, the dashboard served on this machine at that port (plain HTTP, which
    the emulator lets through for local testing; Telegram itself wants HTTPS)."""
    return Settings(
        public_url=f"http://127.0.0.1:{web_port}" if web_port else None,
        listen_port=web_port,
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=SecretStr(emulator.token),
        telegram_api_base_url=emulator.base_url,
        telegram_api_file_url=emulator.base_file_url,
        database_url=f"sqlite+aiosqlite:///{folder / 'sandbox.db'}",
        bearings_data_keys=SecretStr(generate_key()),
        webhook_url=None,
        metrics_enabled=False,
    )


async def run_sandbox(
    *, port: int = 0, lines: AsyncIterator[str] | None = None, output: TextIO | None = None
) -> int:
    """Run the sandbox until the person types :quit (or input ends)."""
    folder = Path(tempfile.mkdtemp(prefix="bearings-sandbox-"))
    _log_to(folder / "sandbox.log")
    emulator = BotApiEmulator(port=port)
    await emulator.start()
    bearings = build(sandbox_settings(emulator, folder, _free_port()), clock=SystemClock())
    try:
        await bearings.prepare_database()
        demo = await seed_demo(bearings)
        await bearings.start()
        chat = TerminalChat(emulator, [WORKER, SUPERVISOR, NEWCOMER], lines=lines, output=output)
        chat.say(f"Bearings sandbox — emulator at {emulator.base_url.removesuffix('/bot')}")
        chat.say(
            f"Team {DEMO_TEAM!r}: {SUPERVISOR.first_name} supervises, "
            f"{WORKER.first_name} is a key worker."
        )
        chat.say(
            f"{NEWCOMER.first_name} can join with "
            f"{invite_link(emulator.bot_username, demo.newcomer_invite)}\n"
            f"  (as :newcomer, send /start {demo.newcomer_invite})"
        )
        chat.say(f"{SUPERVISOR.first_name}'s dashboard (open it in a browser):")
        chat.say(f"  {dashboard_link(bearings, SUPERVISOR)}")
        chat.say("  (signed as Telegram signs a Mini App's launch data; good for an hour)")
        chat.say(f"Logs: {folder / 'sandbox.log'}\n")
        await chat.run()
    finally:
        await bearings.stop()
        await emulator.stop()
        logging.getLogger().handlers.clear()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def dashboard_link(bearings: Bearings, persona: Persona) -> str:
    """The dashboard's local address with launch data signed for this person just now, after
    ``#`` as Telegram passes it to a Mini App."""
    token, url = bearings.settings.token, bearings.settings.dashboard_url
    assert token is not None and url is not None
    init_data = sign_init_data(
        token,
        user_id=persona.user_id,
        first_name=persona.first_name,
        auth_date=int(time.time()),
    )
    return f"{url}#tgWebAppData={quote(init_data, safe='')}&tgWebAppPlatform=unknown"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _log_to(path: Path) -> None:
    handler = logging.FileHandler(path)
    handler.setFormatter(EventFormatter(as_json=False))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
