"""The ``bearings`` command line: run, sandbox, migrate, team create, invite."""

from __future__ import annotations

import argparse
import asyncio
import html
import re
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from bot.app import StartupError, build, ensure_schema
from bot.clock import SystemClock
from bot.config import ConfigError, Settings, load_settings
from bot.domain.errors import Refusal
from bot.domain.roles import Role
from bot.logs import configure_logging
from bot.services import onboarding
from bot.telegram.links import invite_link
from prompts import render
from storage.crypto import install_keys
from storage.db import Database
from storage.schema import upgrade_to_head

T = TypeVar("T")

NO_TOKEN = """\
TELEGRAM_BOT_TOKEN is not set, so there is no Telegram bot to run.

To get a token: open Telegram, talk to @BotFather, send /newbot and follow
the steps; put the token it gives you in .env as TELEGRAM_BOT_TOKEN=...

To try Bearings without Telegram, run:  bearings sandbox"""

NO_KEYS = """\
BEARINGS_DATA_KEYS is not set: Bearings encrypts notes at rest and needs a key.
Generate one and put it in .env as BEARINGS_DATA_KEYS=...:
  python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())\""""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``bearings`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "action"):
        parser.print_help()
        return 2
    try:
        settings = load_settings()
        configure_logging(settings.log_level)
        result: int = args.action(settings, args)
        return result
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    except StartupError as error:
        print(f"Bearings cannot start: {error}", file=sys.stderr)
        return 1
    except Refusal as refusal:
        print(_plain(render(f"refusal_{refusal.code}", **refusal.details)), file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bearings", description="Bearings: a Telegram assistant for key workers."
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser(
        "run", help="run the bot (long polling, or a webhook if WEBHOOK_URL is set)"
    )
    run.set_defaults(action=_run)

    sandbox = commands.add_parser(
        "sandbox",
        help="try Bearings with no token: local Bot API emulator, the bot, a terminal chat",
    )
    sandbox.add_argument(
        "--port", type=int, default=0, help="emulator port (default: any free port)"
    )
    sandbox.set_defaults(action=_sandbox)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(action=_migrate)

    team = commands.add_parser("team", help="manage teams").add_subparsers(
        title="team commands", metavar="COMMAND"
    )
    create = team.add_parser("create", help="create a team and print its first supervisor's invite")
    create.add_argument("name", help='the team\'s name, e.g. "North Team"')
    create.add_argument("--timezone", required=True, help="IANA time zone, e.g. Europe/London")
    create.set_defaults(action=_team_create)

    invite = commands.add_parser("invite", help="print a one-time invite link for a team")
    invite.add_argument("--team", required=True, help="the team's name")
    invite.add_argument("--role", required=True, choices=[r.value for r in Role])
    invite.set_defaults(action=_invite)
    return parser


def _run(settings: Settings, args: argparse.Namespace) -> int:
    if settings.token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    if not settings.data_keys:
        print(NO_KEYS, file=sys.stderr)
        return 2
    return asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> int:
    bearings = build(settings)
    await bearings.start()
    await _wait_for_stop_signal()
    await bearings.stop()
    return 0


async def _wait_for_stop_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


def _sandbox(settings: Settings, args: argparse.Namespace) -> int:
    from bot.sandbox.runner import run_sandbox

    return asyncio.run(run_sandbox(port=args.port))


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    async def migrate(database: Database) -> None:
        await upgrade_to_head(database.engine)

    _with_database(settings, migrate)
    print("The database is up to date.")
    return 0


def _team_create(settings: Settings, args: argparse.Namespace) -> int:
    async def create(database: Database) -> onboarding.IssuedInvite:
        async with database.unit_of_work() as uow:
            return await onboarding.create_team(
                uow,
                SystemClock(),
                name=args.name,
                timezone=args.timezone,
                invite_ttl_days=settings.invite_ttl_days,
            )

    issued = _with_database(settings, create)
    print(f"Created team {issued.team_name!r} ({args.timezone}).")
    _print_invite(settings, issued)
    return 0


def _invite(settings: Settings, args: argparse.Namespace) -> int:
    async def create(database: Database) -> onboarding.IssuedInvite:
        async with database.unit_of_work() as uow:
            return await onboarding.create_invite_for_team(
                uow,
                SystemClock(),
                team_name=args.team,
                role=Role(args.role),
                invite_ttl_days=settings.invite_ttl_days,
            )

    _print_invite(settings, _with_database(settings, create))
    return 0


def _print_invite(settings: Settings, issued: onboarding.IssuedInvite) -> None:
    username = asyncio.run(_bot_username(settings))
    print(f"One-time invite for a {issued.role.value} (expires in {issued.expires_in_days} days):")
    print(f"  {invite_link(username, issued.token)}")
    print(f"  token: {issued.token}")
    print("Send it privately; it works once. In Telegram, tapping the link sends /start <token>.")


async def _bot_username(settings: Settings) -> str:
    """The bot's username from BOT_USERNAME, else from Telegram's getMe, else a placeholder."""
    if settings.bot_username:
        return settings.bot_username
    if settings.token is None:
        return "<your_bot_username>"
    from telegram import Bot

    try:
        async with Bot(settings.token, base_url=settings.telegram_api_base_url) as bot:
            return bot.username
    except Exception:
        return "<your_bot_username>"


def _with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    if not settings.data_keys:
        print(NO_KEYS, file=sys.stderr)
        raise SystemExit(2)
    install_keys(settings.data_keys)

    async def session() -> T:
        database = Database(settings.database_url)
        try:
            if work.__name__ != "migrate":
                await ensure_schema(database, auto_migrate=settings.is_sqlite)
            return await work(database)
        finally:
            await database.dispose()

    return asyncio.run(session())


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))
