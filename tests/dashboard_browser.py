"""Driving the dashboard in a real headless Chromium: Debian's package at /usr/bin/chromium,
through Playwright, never a downloaded browser. Without it (or Playwright) the tests that
need it skip and say why; ``make setup`` installs it when it runs as root with apt-get."""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

import pytest

from bot.domain.webapp_auth import sign_init_data

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = os.path.exists(CHROMIUM)

LIGHT = {
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#707579",
    "link_color": "#2481cc",
    "button_color": "#2481cc",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#efeff4",
}
DARK = {
    "bg_color": "#17212b",
    "text_color": "#f5f5f5",
    "hint_color": "#708499",
    "link_color": "#6ab3f3",
    "button_color": "#5288c1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#232e3c",
    "section_separator_color": "#111921",
    "destructive_text_color": "#ec3942",
    "accent_text_color": "#6ab2f2",
}


def free_port() -> int:
    """A port nothing listens on just now (for PUBLIC_URL, known before the bot starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def launch_data(token: str, user_id: int, *, age: int = 0, name: str = "Test") -> str:
    """Launch data signed with ``token`` for ``user_id``, ``age`` seconds old."""
    return sign_init_data(token, user_id=user_id, first_name=name, auth_date=int(time.time()) - age)


def page_url(base: str, init_data: str, theme: dict[str, str] | None = None) -> str:
    """The dashboard's address as Telegram opens it: the launch parameters after ``#``."""
    fragment = f"tgWebAppData={quote(init_data, safe='')}&tgWebAppVersion=8.0"
    fragment += "&tgWebAppPlatform=android"
    if theme is not None:
        fragment += f"&tgWebAppThemeParams={quote(json.dumps(theme), safe='')}"
    return f"{base}/app/#{fragment}"


@asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    """Debian's Chromium, headless, driven by Playwright."""
    if not HAVE_CHROMIUM:
        pytest.skip("no chromium: install Debian's chromium package (make setup does, as root)")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.skip("playwright is not installed (make setup installs the dev tools)")
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        try:
            yield browser
        finally:
            await browser.close()
