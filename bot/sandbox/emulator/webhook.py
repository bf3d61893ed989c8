"""Webhook mode: pushes each pending update to the bot's URL, in order, retrying until a 2xx."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter

import aiohttp

from .models import WebhookState
from .updates import UpdateQueue

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookPusher:
    """A background task delivering updates one at a time with capped exponential backoff."""

    def __init__(self, queue: UpdateQueue, state: WebhookState, stats: Counter[str]) -> None:
        self.queue = queue
        self.state = state
        self.stats = stats
        self.retry_initial = 0.1
        self.retry_max = 2.0
        self.request_timeout = 10.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start pushing (restarting the task so a new URL or secret takes effect)."""
        self.cancel()
        self._task = asyncio.get_running_loop().create_task(self._run())

    def cancel(self) -> None:
        """Stop pushing; an update being delivered stays pending."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()

    async def stop(self) -> None:
        """Stop pushing and wait for the task to finish."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self.request_timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            delay = self.retry_initial
            while True:
                batch = self.queue.take(1)
                if not batch:
                    await self.queue.wait(None)
                    continue
                update = batch[0]
                error = await self._post(session, update)
                if error is None:
                    self.queue.confirm(update["update_id"])
                    self.stats["webhook_delivered"] += 1
                    delay = self.retry_initial
                    continue
                self.stats["webhook_failures"] += 1
                self.state.last_error_date = int(time.time())
                self.state.last_error_message = error
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.retry_max)

    async def _post(self, session: aiohttp.ClientSession, update: dict[str, object]) -> str | None:
        """POST one update; return None on a 2xx answer, else Telegram-style error text."""
        headers = {SECRET_HEADER: self.state.secret_token} if self.state.secret_token else {}
        try:
            async with session.post(self.state.url, json=update, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except (aiohttp.ClientError, OSError) as exc:
            return f"Connection failed: {exc.__class__.__name__}"
