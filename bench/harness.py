"""What the chat and memory benchmarks share: a bot in its own process, and simulated people.

``BotProcess`` starts one of the bots in ``bench/chat_bots.py`` against the
emulator and reads its counters back when stopped; ``BearingsRun`` starts the
real ``bearings run`` command. ``People`` act in the
emulator (write, press a button) and wait for the bot's next message in their
chat, woken by the emulator's listener rather than by polling, so that
thousands of them cost the emulator little. ``reply_latencies`` pairs each
update with the bot's first call about that chat after it.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import json
import os
import signal
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bot.sandbox.emulator import BotApiEmulator, ChatMessage

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class Step:
    """One thing a person does: write ``text``, or press the button labelled ``text``."""

    text: str
    press: bool = False


# Bots measured side by side open no health/metrics port, and the simulated workers,
# answering at machine speed, are not slowed by flood control (meant for people).
BOT_ENV = {"METRICS_ENABLED": "false", "FLOOD_BURST": "10000"}


class BotProcess:
    """One bot from ``bench.chat_bots`` running in a subprocess against an emulator."""

    def __init__(self, kind: str, emulator: BotApiEmulator, env: Mapping[str, str]) -> None:
        self.kind = kind
        self._emulator = emulator
        self._env = env
        self._process: asyncio.subprocess.Process | None = None
        self._log: IO[bytes] | None = None

    @property
    def pid(self) -> int:
        """The bot's process id."""
        assert self._process is not None
        return self._process.pid

    async def start(self, *args: str) -> None:
        """Start the bot; return once it polls for updates, its counters reset."""
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": self._emulator.token,
            "TELEGRAM_API_BASE_URL": self._emulator.base_url,
            "TELEGRAM_API_FILE_URL": self._emulator.base_file_url,
            "LOG_LEVEL": "WARNING",
            **BOT_ENV,
            **self._env,
        }
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _stop, after the bot)
        seen, since = len(self._emulator.requests), time.monotonic()
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.chat_bots",
            self.kind,
            *args,
            cwd=REPO,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=self._log,
        )
        try:
            await self._emulator.wait_for_polling(after=seen, since=since, timeout=START_TIMEOUT)
        except TimeoutError:
            raise RuntimeError(
                f"the {self.kind} bot did not start:\n{await self._stop()}"
            ) from None
        self._process.send_signal(signal.SIGUSR1)

    async def stop(self) -> dict[str, Any]:
        """Stop the bot; return the counters it printed."""
        output = await self._stop()
        for line in output.splitlines():
            if line.startswith("STATS "):
                stats: dict[str, Any] = json.loads(line.removeprefix("STATS "))
                return stats
        raise RuntimeError(f"the {self.kind} bot printed no counters:\n{output}")

    async def _stop(self) -> str:
        process = self._process
        assert process is not None and self._log is not None
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        stdout, _ = await process.communicate()
        self._log.seek(0)
        errors = self._log.read().decode(errors="replace")
        self._log.close()
        if process.returncode != 0:
            return f"exit code {process.returncode}\n{errors[-4000:]}"
        return stdout.decode()


class BearingsRun:
    """``bearings run`` itself, in a subprocess against the emulator (start-up, memory)."""

    def __init__(self, emulator: BotApiEmulator, env: Mapping[str, str]) -> None:
        self._emulator = emulator
        self._env = env
        self._process: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int:
        """The bot's process id."""
        assert self._process is not None
        return self._process.pid

    async def start(self) -> float:
        """Start it; return the seconds from starting the process to its first getUpdates."""
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": self._emulator.token,
            "TELEGRAM_API_BASE_URL": self._emulator.base_url,
            "TELEGRAM_API_FILE_URL": self._emulator.base_file_url,
            "LOG_LEVEL": "WARNING",
            **BOT_ENV,
            **self._env,
        }
        seen = len(self._emulator.requests)
        started = time.monotonic()
        self._process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "bearings"),
            "run",
            cwd=REPO,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            first = await self._emulator.wait_for_polling(
                after=seen, since=started, timeout=START_TIMEOUT
            )
        except TimeoutError:
            _, errors = await self._process.communicate()
            raise RuntimeError(f"bearings run did not start:\n{errors.decode()[-4000:]}") from None
        return first - started

    def resident_mib(self) -> tuple[float, float]:
        """Its resident memory now and at its peak, in MiB (from /proc)."""
        found: dict[str, float] = {}
        with open(f"/proc/{self.pid}/status", encoding="ascii") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    found[key] = int(value.split()[0]) / 1024
        return found["VmRSS"], found["VmHWM"]

    async def stop(self) -> None:
        """Stop it (SIGTERM, as a service manager would) and wait for it to exit."""
        process = self._process
        assert process is not None
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        _, errors = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(
                f"bearings run failed ({process.returncode}):\n{errors.decode()[-4000:]}"
            )


class People:
    """Simulated people in the emulator's process: each acts, then waits for the bot's answer."""

    def __init__(self, emulator: BotApiEmulator, *, timeout: float = 60.0) -> None:
        self.emulator = emulator
        self.timeout = timeout
        self.sent: list[tuple[int, int]] = []  # (update_id, chat), in the order sent
        self.failures = 0
        self._messages: dict[int, int] = defaultdict(int)
        self._waiting: dict[int, tuple[int, asyncio.Future[None]]] = {}
        emulator.add_listener(self._on_change)

    def _on_change(self, event: str, message: ChatMessage) -> None:
        if event != "message" or not message.from_bot:
            return
        chat = message.chat_id
        self._messages[chat] += 1
        waiting = self._waiting.get(chat)
        if waiting is not None and self._messages[chat] >= waiting[0] and not waiting[1].done():
            waiting[1].set_result(None)

    async def act(self, user_id: int, step: Step) -> bool:
        """Do the step; return whether the bot answered with a new message in time."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[user_id] = (self._messages[user_id] + 1, future)
        try:
            if step.press:
                update = self.emulator.press_button(user_id, step.text)
            else:
                update = self.emulator.send_message(user_id, step.text, first_name="Bench")
            self.sent.append((int(update["update_id"]), user_id))
            await asyncio.wait_for(future, self.timeout)
            return True
        except (TimeoutError, LookupError):
            self.failures += 1
            return False
        finally:
            del self._waiting[user_id]

    async def follow(
        self,
        user_id: int,
        steps: Sequence[Step],
        when: Callable[[int], float] | None = None,
    ) -> None:
        """Do the steps in order, each once the previous one was answered (and not before
        ``when(k)`` on the loop's clock, when pacing is asked for); stop at a failure."""
        loop = asyncio.get_running_loop()
        for k, step in enumerate(steps):
            if when is not None:
                delay = when(k) - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            if not await self.act(user_id, step):
                return


@dataclass(frozen=True)
class Replies:
    """For each answered update: when it became available, and seconds until the reply."""

    starts: list[float]
    latencies: list[float]

    @property
    def rate(self) -> float:
        """Answered updates per second, from the first update available to the last reply."""
        if not self.starts:
            return float("nan")
        ends = [start + latency for start, latency in zip(self.starts, self.latencies, strict=True)]
        return len(self.starts) / (max(ends) - min(self.starts))


def reply_latencies(emulator: BotApiEmulator, sent: Sequence[tuple[int, int]]) -> Replies:
    """Time from each update being available to the bot's first call about its chat.

    The bot's call counts when it reaches the emulator, before any simulated latency.
    """
    calls: dict[int, list[float]] = defaultdict(list)
    for record in emulator.requests:
        if record.chat_id is not None and record.status == 200:
            calls[record.chat_id].append(record.received_at)
    for times in calls.values():
        times.sort()
    available = emulator.update_available_at
    replies = Replies([], [])
    for update_id, chat in sent:
        start = available[update_id]
        times = calls.get(chat, [])
        index = bisect.bisect_left(times, start)
        if index < len(times):
            replies.starts.append(start)
            replies.latencies.append(times[index] - start)
    return replies
