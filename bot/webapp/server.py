"""The dashboard's routes: the page and its assets, and the one data request.

The page (``static/``) is plain HTML, CSS and JavaScript served from here: no third-party
script, style or font, and a Content-Security-Policy that allows nothing else. It reads
the launch data Telegram puts in the page's address after ``#`` (``tgWebAppData``; never
sent to any server in the URL) and sends it in the ``Authorization`` header as
``tma <initData>``. The data request checks its signature and age (401, no data, for
anything wrong), then asks the dashboard service, which decides from the database whether
this person may see a team now (403 and a reason if not) and audits every request.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.clock import Clock
from bot.domain.case_links import link_key
from bot.domain.errors import Refusal
from bot.domain.webapp_auth import LaunchUser, check_init_data
from bot.services import dashboard
from storage.db import Database

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
ASSETS = {
    "app.js": "text/javascript",
    "app.css": "text/css",
    "icon.svg": "image/svg+xml",
}
AUTH_SCHEME = "tma "
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        # Telegram Web shows Mini Apps in a frame of its own page; the apps use web views.
        "frame-ancestors https://web.telegram.org",
    )
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class DashboardRoutes:
    """Serves the dashboard under ``/app/``."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        bot_token: str,
        bot_username: str,
        max_age: int,
    ) -> None:
        self._database = database
        self._clock = clock
        self._token = bot_token
        self._username = bot_username
        self._max_age = max_age
        self._link_key = link_key(bot_token)

    def routes(self) -> list[web.RouteDef]:
        """The page, its assets and the data request."""
        return [
            web.get("/app", self._to_page),
            web.get("/app/", self._page),
            web.get("/app/static/{name}", self._asset),
            web.get("/app/api/dashboard", self._data),
        ]

    async def _to_page(self, request: web.Request) -> web.Response:
        # Relative, so that it also works under a path a reverse proxy adds in front.
        raise web.HTTPMovedPermanently("app/", headers=HEADERS)

    async def _page(self, request: web.Request) -> web.Response:
        return _file("index.html", "text/html")

    async def _asset(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in ASSETS:
            raise web.HTTPNotFound(headers=HEADERS)
        return _file(name, ASSETS[name])

    async def _data(self, request: web.Request) -> web.Response:
        user = self._launch_user(request)
        if user is None:
            return _json({"error": "unauthorised"}, status=401)
        try:
            async with self._database.unit_of_work() as uow:
                board = await dashboard.team_dashboard(
                    uow,
                    self._clock,
                    telegram_user_id=user.telegram_user_id,
                    link_key=self._link_key,
                )
        except Refusal as refusal:
            async with self._database.unit_of_work() as uow:
                await dashboard.record_refused(
                    uow, self._clock, telegram_user_id=user.telegram_user_id
                )
            log.info("webapp.refused", extra={"reason": refusal.code})
            return _json({"error": refusal.code}, status=403)
        return _json({"bot_username": self._username, **_plain(board)}, status=200)

    def _launch_user(self, request: web.Request) -> LaunchUser | None:
        header = request.headers.get("Authorization", "")
        init_data = header[len(AUTH_SCHEME) :] if header.startswith(AUTH_SCHEME) else None
        now = int(self._clock.now().timestamp())
        checked = check_init_data(init_data, self._token, now=now, max_age=self._max_age)
        if isinstance(checked, LaunchUser):
            return checked
        log.warning("webapp.unauthorised", extra={"reason": checked.value})
        return None


def _file(name: str, content_type: str) -> web.Response:
    body = (STATIC / name).read_bytes()
    return web.Response(
        body=body,
        content_type=content_type,
        charset="utf-8" if content_type.startswith("text/") else None,
        headers={**HEADERS, "Cache-Control": "no-cache"},
    )


def _json(payload: dict[str, Any], *, status: int) -> web.Response:
    return web.Response(
        text=json.dumps(payload, default=_default, ensure_ascii=False),
        status=status,
        content_type="application/json",
        headers={**HEADERS, "Cache-Control": "no-store"},
    )


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _plain(board: dashboard.Dashboard) -> dict[str, Any]:
    """The dashboard as JSON-ready data (dataclasses to objects)."""
    return asdict(board)
