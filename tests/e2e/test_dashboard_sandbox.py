"""The sandbox serves the dashboard too, and prints a local address with launch data signed
as Telegram signs it, so the page opens in a browser with no Telegram at all."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from urllib.parse import unquote

import aiohttp

from bot.sandbox.runner import run_sandbox

ADDRESS = re.compile(r"(http://127\.0\.0\.1:\d+/app/)#tgWebAppData=([^&\s]+)")


async def test_the_sandbox_prints_a_dashboard_address_that_works() -> None:
    output = io.StringIO()
    answers: dict[str, object] = {}

    async def lines() -> AsyncIterator[str]:
        # By the first line asked for, the sandbox has printed its welcome and the address.
        found = re.search(
            r"(http://127\.0\.0\.1:\d+/app/)#tgWebAppData=([^&\s]+)", output.getvalue()
        )
        assert found is not None, output.getvalue()
        page, init_data = found.group(1), unquote(found.group(2))
        async with aiohttp.ClientSession() as session:
            async with session.get(page) as response:
                answers["page"] = response.status
            headers = {"Authorization": f"tma {init_data}"}
            async with session.get(f"{page}api/dashboard", headers=headers) as response:
                answers["data"] = response.status, await response.json()
        yield ":quit"

    assert await run_sandbox(lines=lines(), output=output) == 0
    assert answers["page"] == 200
    status, board = answers["data"]  # type: ignore[misc]
    assert status == 200 and board["team_name"] == "Demo Team"
    assert [worker["name"] for worker in board["workers"]] == ["Alex"]
