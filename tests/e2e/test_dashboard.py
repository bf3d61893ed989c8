"""The supervisors' dashboard (issue 23.1) in a real headless Chromium, against the real bot
serving it on its own HTTP server (polling mode) with North Team at full size: 120 cases.

The page is opened as Telegram opens a Mini App (the signed launch data after ``#``); its
data request must carry that signature, fresh, and the person must be a supervisor at that
moment; each request is audited. A row's Open button asks Telegram to open a ``t.me`` link
whose ``start`` token names no case; the bot opens the case from it.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from storage.models import AuditEntry
from tests.big_team import NORTH, BigTeam
from tests.dashboard_browser import (
    DARK,
    LIGHT,
    chromium,
    free_port,
    launch_data,
    page_url,
)
from tests.e2e.conftest import Chatter, bot_settings, running

pytestmark = pytest.mark.slow

KEEP_SCREENSHOTS = os.environ.get("BEARINGS_SCREENSHOTS")
"""A folder to copy the light and dark screenshots to, to look at them."""


@pytest.fixture
def clock() -> MovableClock:
    """The dashboard checks launch data against the real time Telegram signs it at."""
    return MovableClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def served(
    big_team: BigTeam,
    emulator: BotApiEmulator,
    database: Database,
    clock: MovableClock,
    data_keys: list[str],
) -> AsyncIterator[tuple[Bearings, str]]:
    """The real bot, polling, serving the dashboard at a local PUBLIC_URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = bot_settings(emulator, database.url, data_keys).model_copy(
        update={"public_url": base, "listen_port": port}
    )
    async with running(settings, clock) as bearings:
        yield bearings, base


async def _api(base: str, init_data: str | None) -> tuple[int, str]:
    headers = {} if init_data is None else {"Authorization": f"tma {init_data}"}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{base}/app/api/dashboard", headers=headers) as response,
    ):
        return response.status, await response.text()


async def _open(browser: Any, url: str, *, dark: bool = False) -> Any:
    page = await browser.new_page(
        viewport={"width": 412, "height": 915},
        color_scheme="dark" if dark else "light",
        device_scale_factor=1,
    )
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    await page.add_init_script(
        "window.__events = [];"
        "window.TelegramWebviewProxy = {postEvent: (t, d) => window.__events.push([t, d])};"
    )
    await page.goto(url)
    await page.wait_for_selector("body[data-loaded]")
    return page


async def _column(page: Any, attribute: str) -> list[str]:
    return list(
        await page.eval_on_selector_all(
            "#caseload tbody tr[data-reference]",
            f"rows => rows.map(row => row.dataset.{attribute})",
        )
    )


async def _overdue_in_database(database: Database, today: Any) -> int:
    async with database.unit_of_work() as uow:
        team = await uow.teams.by_name(NORTH)
        assert team is not None
        cases = await uow.cases.open_for_team(team.id)
    return sum(1 for case in cases if case.next_visit_due and case.next_visit_due < today)


async def _rate_one_case(database: Database, big_team: BigTeam) -> str:
    """Last week's engagement check of one case: partly."""
    async with database.unit_of_work() as uow:
        team = await uow.teams.by_name(NORTH)
        assert team is not None
        case = sorted(await uow.cases.open_for_team(team.id), key=lambda c: c.reference)[0]
        monday = big_team.today - timedelta(days=big_team.today.weekday() + 7)
        now = datetime.now(UTC)
        check = await uow.engagement.row(
            team_id=team.id, case_id=case.id, worker_id=case.worker_id, week=monday, at=now
        )
        check.engagement = "partly"
        return case.reference


async def test_the_table_renders_sorts_and_filters_for_the_supervisor(
    served: tuple[Bearings, str], big_team: BigTeam, database: Database
) -> None:
    bearings, base = served
    token = bearings.settings.token
    assert token is not None
    rated = await _rate_one_case(database, big_team)
    url = page_url(base, launch_data(token, big_team.supervisor), LIGHT)
    async with chromium() as browser:
        page = await _open(browser, url)
        assert await page.get_attribute("body", "data-loaded") == "200"
        # The engagement column: last week's check for the one case rated, "–" elsewhere.
        row = page.locator(f'#caseload tbody tr[data-reference="{rated}"] td.engagement')
        assert await row.inner_text() == "◐ partly"
        others = await page.eval_on_selector_all(
            "#caseload tbody td.engagement", "cells => cells.map(c => c.textContent)"
        )
        assert sorted(others) == ["–"] * 119 + ["◐ partly"]
        assert await page.text_content("#team-name") == NORTH
        references = await _column(page, "reference")
        assert sorted(references) == sorted(big_team.references)
        # Soonest visit first by default; the address no longer holds the launch data.
        visits = await _column(page, "nextVisit")
        assert visits == sorted(visits)
        assert "tgWebAppData" not in page.url
        # Sorting: Open flags, most first after a second tap.
        await page.click("button[data-sort=open_flags]")
        await page.click("button[data-sort=open_flags]")
        flags = [int(n) for n in await _column(page, "openFlags")]
        assert flags == sorted(flags, reverse=True) and flags[0] > 0
        assert await page.get_attribute("th:has(button[data-sort=open_flags])", "aria-sort") == (
            "descending"
        )
        await page.click("button[data-sort=next_visit]")
        assert await _column(page, "nextVisit") == sorted(visits)
        # The overdue filter: exactly the cases whose visit is overdue in the database.
        overdue = await _overdue_in_database(database, big_team.today)
        assert 0 < overdue < 120
        await page.check("#filter-overdue")
        assert set(await _column(page, "visitState")) == {"overdue"}
        assert len(await _column(page, "reference")) == overdue
        assert f"Showing {overdue} of 120 cases" in (await page.text_content("#showing") or "")
        await page.uncheck("#filter-overdue")
        # One worker's fifteen.
        worker = big_team.workers[3]
        await page.select_option("#filter-worker", big_team.names[worker])
        assert sorted(await _column(page, "reference")) == sorted(big_team.cases[worker])
        await page.select_option("#filter-worker", "")
        await page.select_option("#filter-stage", "closing")
        assert set(await _column(page, "stage")) == {"closing"}
        # Flags, the week and the workers' lines are there, South Team nowhere.
        text = await page.inner_text("body")
        assert len(await page.query_selector_all("#flags tbody tr")) == big_team.open_flags
        assert len(await page.query_selector_all("#workers li")) == len(big_team.workers)
        for name in (big_team.names[w] for w in big_team.workers):
            assert name in text
        assert "STH-" not in text and big_team.south_word not in text
        for name in (big_team.names[w] for w in big_team.other_team):
            assert name not in text
        await page.close()


async def test_a_rows_button_opens_the_case_in_the_chat_by_a_token_that_names_nothing(
    served: tuple[Bearings, str], big_team: BigTeam, emulator: BotApiEmulator
) -> None:
    bearings, base = served
    token = bearings.settings.token
    assert token is not None
    async with chromium() as browser:
        page = await _open(browser, page_url(base, launch_data(token, big_team.supervisor)))
        reference = big_team.long_references[0]
        await page.click(f'tr[data-reference="{reference}"] button.open')
        events = await page.evaluate("window.__events")
        await page.close()
    opened = [data for kind, data in events if kind == "web_app_open_tg_link"]
    assert len(opened) == 1
    path = json.loads(opened[0])["path_full"]
    username, start = path.removeprefix("/").split("?start=")
    assert username == emulator.bot_username and start.startswith("c_")
    assert reference not in path and "FAM" not in path
    supervisor = Chatter(emulator, big_team.supervisor, "Samira")
    card = await supervisor.send_until(f"/start {start}", reference)
    assert reference in card.text
    # The same link is nobody else's: a worker of the team is told it has run out.
    worker = Chatter(emulator, big_team.worker_of(reference), "Worker")
    refused = await worker.send_until(f"/start {start}", "run out")
    assert reference not in refused.text


@pytest.mark.parametrize("who", ["worker", "other_supervisor"])
async def test_a_worker_or_another_teams_supervisor_gets_no_team_data(
    served: tuple[Bearings, str], big_team: BigTeam, database: Database, who: str
) -> None:
    bearings, base = served
    token = bearings.settings.token
    assert token is not None
    user = big_team.workers[0] if who == "worker" else big_team.other_supervisors[0]
    status, body = await _api(base, launch_data(token, user))
    if who == "worker":
        assert status == 403 and "supervisors_only" in body
        assert not any(reference in body for reference in big_team.references)
    else:  # a supervisor sees their own team only: South, never North
        assert status == 200
        assert "South Team" in body and NORTH not in body
        assert not any(f'"{reference}"' in body for reference in big_team.references[10:])
    async with chromium() as browser:
        page = await _open(browser, page_url(base, launch_data(token, user)))
        text = await page.inner_text("body")
        if who == "worker":
            assert "The dashboard is for supervisors" in text
            assert not await page.query_selector_all("#caseload tbody tr")
        assert big_team.references[0] not in text or who == "other_supervisor"
        await page.close()
    async with database.unit_of_work() as uow:
        actions = (await uow.session.scalars(select(AuditEntry.action))).all()
    assert ("dashboard.refused" if who == "worker" else "dashboard.read") in actions


@pytest.mark.parametrize("case", ["forged", "stale", "missing", "altered"])
async def test_a_forged_or_stale_signature_gets_401_and_no_data(
    served: tuple[Bearings, str], big_team: BigTeam, case: str
) -> None:
    bearings, base = served
    token = bearings.settings.token
    assert token is not None
    init_data: str | None = {
        "forged": launch_data("123:another-bots-token", big_team.supervisor),
        "stale": launch_data(token, big_team.supervisor, age=2 * 3600),
        "missing": None,
        "altered": launch_data(token, big_team.workers[0]).replace(
            str(big_team.workers[0]), str(big_team.supervisor)
        ),
    }[case]
    status, body = await _api(base, init_data)
    assert status == 401
    assert body == '{"error": "unauthorised"}'
    if init_data is not None:
        async with chromium() as browser:
            page = await _open(browser, page_url(base, init_data))
            assert await page.get_attribute("body", "data-loaded") == "401"
            assert "could not check" in await page.inner_text("body")
            await page.close()


async def test_the_page_is_locked_down_and_themed(
    served: tuple[Bearings, str], big_team: BigTeam, tmp_path: Path
) -> None:
    bearings, base = served
    token = bearings.settings.token
    assert token is not None
    async with aiohttp.ClientSession() as session, session.get(f"{base}/app/") as response:
        csp = response.headers["Content-Security-Policy"]
        html = await response.text()
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "<script>" not in html and "style=" not in html and "https://" not in html
    backgrounds = {}
    async with chromium() as browser:
        for name, theme, dark in (("light", LIGHT, False), ("dark", DARK, True)):
            url = page_url(base, launch_data(token, big_team.supervisor), theme)
            page = await _open(browser, url, dark=dark)
            backgrounds[name] = await page.evaluate(
                "getComputedStyle(document.body).backgroundColor"
            )
            path = tmp_path / f"dashboard-{name}.png"
            await page.screenshot(path=str(path))
            assert path.stat().st_size > 10_000
            if KEEP_SCREENSHOTS:  # to look at them (and for docs/images/dashboard.png)
                await page.screenshot(path=os.path.join(KEEP_SCREENSHOTS, path.name))
            assert page.console_errors == []  # nothing the CSP blocked, no script error
            await page.close()
    # Telegram's theme parameters, not the phone's scheme alone, colour the page.
    assert backgrounds == {"light": "rgb(239, 239, 244)", "dark": "rgb(35, 46, 60)"}


async def test_team_and_the_menu_button_open_the_dashboard(
    served: tuple[Bearings, str], big_team: BigTeam, emulator: BotApiEmulator
) -> None:
    _, base = served
    supervisor = Chatter(emulator, big_team.supervisor, "Samira")
    team = await supervisor.send_until("/team", NORTH)
    web_apps = [button.web_app for row in team.buttons for button in row if button.web_app]
    assert web_apps == [f"{base}/app/"]
    await emulator.wait_until(lambda: str(big_team.supervisor) in emulator.menu_buttons)
    assert emulator.menu_buttons[str(big_team.supervisor)] == {
        "type": "web_app",
        "text": "Dashboard",
        "web_app": {"url": f"{base}/app/"},
    }
