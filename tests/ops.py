"""Helpers for the operations tests: free ports, webhook settings, waiting on HTTP, metrics."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.config import Settings
from bot.sandbox.emulator import BotApiEmulator
from tests.waiting import eventually

WEBHOOK_SECRET = "s3cret-Token_for-tests"


def free_port() -> int:
    """A TCP port nobody listens on just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def with_webhook(settings: Settings, port: int, *, secret: str | None = WEBHOOK_SECRET) -> Settings:
    """The same settings in webhook mode, listening on ``port``."""
    return Settings(
        **{
            **settings.model_dump(),
            "webhook_url": f"http://127.0.0.1:{port}/telegram/webhook",
            "webhook_secret": secret,
            "listen_port": port,
        },
        _env_file=None,  # type: ignore[call-arg]
    )


def with_ops_server(settings: Settings, port: int = 0) -> Settings:
    """The same settings with /healthz and /metrics served (any free port by default)."""
    return Settings(
        **{**settings.model_dump(), "metrics_enabled": True, "listen_port": port},
        _env_file=None,  # type: ignore[call-arg]
    )


def with_ops_address(settings: Settings, port: int, host: str = "127.0.0.1") -> Settings:
    """The same settings with /healthz and /metrics moved to their own address."""
    return Settings(
        **{
            **settings.model_dump(),
            "metrics_enabled": True,
            "ops_listen_host": host,
            "ops_listen_port": port,
        },
        _env_file=None,  # type: ignore[call-arg]
    )


def samples(page: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """A Prometheus text page as {(sample name, sorted labels): value}."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(page)
        for sample in family.samples
    }


class BotProcess:
    """``bearings run`` as a real process, with a clean environment and its own folder."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.process: asyncio.subprocess.Process | None = None

    @property
    def port(self) -> int:
        """Where its HTTP server listens (health, metrics, webhook)."""
        return int(self.env["LISTEN_PORT"])

    async def start(self) -> BotProcess:
        """Start it and wait until /healthz says it is up and healthy."""
        self.folder.mkdir(parents=True, exist_ok=True)
        base = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("TELEGRAM_", "BEARINGS_", "DATABASE_", "WEBHOOK_", "LISTEN_"))
        }
        with (self.folder / "output.log").open("ab") as output:
            self.process = await asyncio.create_subprocess_exec(
                str(Path(sys.executable).parent / "bearings"),
                "run",
                env={**base, **self.env},
                cwd=self.folder,
                stdout=output,
                stderr=output,
            )

        async def up() -> bool:
            assert self.process is not None
            if self.process.returncode is not None:
                raise AssertionError(f"bearings run exited:\n{self.output()}")
            return (await self.get("/healthz"))[0] == 200

        await eventually(up, timeout=60)
        return self

    async def get(self, path: str) -> tuple[int, str]:
        """GET a page from its server: (status, body); (0, "") while nothing listens."""
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.get(f"http://127.0.0.1:{self.port}{path}") as response,
            ):
                return response.status, await response.text()
        except aiohttp.ClientConnectionError:
            return 0, ""

    async def stop(self, timeout: float = 30.0) -> tuple[int, float]:  # noqa: ASYNC109
        """Send SIGTERM; return its exit code and how many seconds it took to exit."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise AssertionError(f"bearings run did not stop:\n{self.output()}") from None
        return code, time.monotonic() - started

    async def kill(self) -> None:
        """Stop it hard if it still runs (after a failed test)."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    def output(self) -> str:
        """What it printed (its logs)."""
        return (self.folder / "output.log").read_text(errors="replace")


def process_env(
    emulator: BotApiEmulator, database_url: str, keys: list[str], **extra: str
) -> dict[str, str]:
    """The environment of a ``bearings run`` pointed at the emulator, serving health on a
    free port, polling unless WEBHOOK_URL is given."""
    return {
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_API_BASE_URL": emulator.base_url,
        "TELEGRAM_API_FILE_URL": emulator.base_file_url,
        "DATABASE_URL": database_url,
        "BEARINGS_DATA_KEYS": ",".join(keys),
        "LISTEN_PORT": str(free_port()),
        "METRICS_ENABLED": "true",
        "NUDGES_ENABLED": "false",
        "TICK_SECONDS": "0.5",
        "LOG_LEVEL": "INFO",
        **extra,
    }
