"""Shared fixtures for the Bot API emulator tests: a running emulator, HTTP and PTB clients."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import httpx
import pytest
import telegram

from bot.sandbox.emulator import BotApiEmulator

ApiCall = Callable[..., Coroutine[Any, Any, httpx.Response]]


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """A started emulator with default settings (no limits, no latency)."""
    emulator = BotApiEmulator()
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
async def http(emu: BotApiEmulator) -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client pointed at the emulator's root URL."""
    async with httpx.AsyncClient(base_url=emu.url, timeout=10.0) as client:
        yield client


@pytest.fixture
def api(emu: BotApiEmulator, http: httpx.AsyncClient) -> ApiCall:
    """Call a Bot API method with JSON parameters and return the raw HTTP response."""

    async def call(method: str, **params: Any) -> httpx.Response:
        return await http.post(f"/bot{emu.token}/{method}", json=params)

    return call


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[telegram.Bot]:
    """A real python-telegram-bot Bot talking to the emulator over HTTP."""
    client = telegram.Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url)
    async with client:
        yield client


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def png_bytes() -> bytes:
    """A real 3x2 red PNG image."""
    return _png(3, 2)
