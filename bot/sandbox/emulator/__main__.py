"""Run the emulator standalone: python -m bot.sandbox.emulator --port 8081."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .emulator import BotApiEmulator
from .ratelimit import RateLimits


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description="Local Telegram Bot API emulator for Bearings.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--username", default="bearings_sandbox_bot")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to answers")
    parser.add_argument(
        "--rate-limits", action="store_true", help="enforce Telegram's flood limits"
    )
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Start the emulator, print how to reach it, and serve until cancelled."""
    emu = BotApiEmulator(
        token=args.token,
        bot_username=args.username,
        host=args.host,
        port=args.port,
        rate_limits=RateLimits() if args.rate_limits else None,
        latency=args.latency,
        seed=args.seed,
    )
    async with emu:
        print(f"Bot API emulator: base_url={emu.base_url} token={emu.token}", flush=True)
        print(f"Test API: {emu.url}/_emulator/  (send_message, press, transcript, ...)", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
