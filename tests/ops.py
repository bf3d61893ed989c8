"""Helpers for the operations tests: free ports, webhook settings, waiting on HTTP, metrics."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable

from prometheus_client.parser import text_string_to_metric_families

from bot.config import Settings

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


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Wait until ``check()`` is true, asking again every few milliseconds; fail at timeout."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError("the condition did not come true in time")
        await asyncio.sleep(0.05)


def samples(page: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """A Prometheus text page as {(sample name, sorted labels): value}."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(page)
        for sample in family.samples
    }
