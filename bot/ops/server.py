"""Bearings' HTTP server (aiohttp): the webhook, ``/healthz``, ``/metrics`` and the dashboard.

In webhook mode it serves Telegram's POSTs on the path of ``WEBHOOK_URL``;
with ``METRICS_ENABLED`` (the default) it also serves the health check and the
metrics, in polling mode too, so any deployment can be watched. Stopping it
stops accepting connections first and lets requests in flight finish (each
webhook request ends with its update committed), then closes.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.ops.metrics import CONTENT_TYPE

HealthCheck = Callable[[], Awaitable[tuple[bool, dict[str, Any]]]]
MetricsPage = Callable[[], Awaitable[bytes]]
Handler = Callable[[web.Request], Awaitable[web.Response]]

# How long a stop waits for requests in flight (a webhook request is one short transaction).
SHUTDOWN_TIMEOUT = 5.0
MAX_BODY = 1024 * 1024


class OpsServer:
    """Serves the webhook (if given) and, if given, the health check, metrics and more routes."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        webhook: tuple[str, Handler] | None = None,
        health: HealthCheck | None = None,
        metrics: MetricsPage | None = None,
        routes: list[web.RouteDef] | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._health = health
        self._metrics = metrics
        app = web.Application(client_max_size=MAX_BODY)
        if webhook is not None:
            path, handler = webhook
            app.router.add_post(path, handler)
        if health is not None:
            app.router.add_get("/healthz", self._healthz)
        if metrics is not None:
            app.router.add_get("/metrics", self._metrics_page)
        # More routes served here: the dashboard (bot/webapp).
        app.router.add_routes(routes or [])
        # No access log: request lines are not events Bearings logs (and carry no ids).
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
        self.port: int | None = None

    async def start(self) -> None:
        """Listen on host:port (port 0: any free port, then in ``port``)."""
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        address = self._runner.addresses[0]
        self.port = int(address[1])

    async def stop(self) -> None:
        """Stop listening, let requests in flight finish, then close."""
        await self._runner.cleanup()

    async def _healthz(self, request: web.Request) -> web.Response:
        assert self._health is not None
        healthy, report = await self._health()
        return web.Response(
            status=200 if healthy else 503,
            text=json.dumps(report, indent=1),
            content_type="application/json",
        )

    async def _metrics_page(self, request: web.Request) -> web.Response:
        assert self._metrics is not None
        return web.Response(body=await self._metrics(), headers={"Content-Type": CONTENT_TYPE})
