"""`bearings run` as a real child process, pointed at the in-test emulator, that a test can
SIGKILL and start again (the emulator lives in the test process and outlives every kill)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

from bot.sandbox.emulator import BotApiEmulator

BEARINGS = str(Path(sys.executable).with_name("bearings"))
READY_WITHIN = 60.0


class BotProcess:
    """One Bearings bot as an operator runs it: ``bearings run`` with its environment."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        database_url: str,
        keys: list[str],
        workdir: Path,
        **environment: str,
    ) -> None:
        self._emulator = emulator
        self._workdir = workdir
        self._log_path = workdir / "bearings.log"
        self._env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": emulator.token,
            "TELEGRAM_API_BASE_URL": emulator.base_url,
            "TELEGRAM_API_FILE_URL": emulator.base_file_url,
            "DATABASE_URL": database_url,
            "BEARINGS_DATA_KEYS": ",".join(keys),
            "TICK_SECONDS": "1",
            "NUDGES_ENABLED": "false",
            "LOG_LEVEL": "INFO",
            # Several bots run side by side: no health/metrics port. The simulated people
            # answer at machine speed, which flood control would (rightly) slow down.
            "METRICS_ENABLED": "false",
            "FLOOD_BURST": "10000",
            **environment,
        }
        self._process: asyncio.subprocess.Process | None = None
        self.kills = 0

    @property
    def pid(self) -> int:
        """The running process's id."""
        assert self._process is not None, "the bot is not running"
        return self._process.pid

    async def start(self) -> None:
        """Start ``bearings run`` and wait until it says it has started (start-up recovery is
        done and polling begun by then)."""
        with self._log_path.open("a", encoding="utf-8") as log:
            begins_at = log.tell()
            self._process = await asyncio.create_subprocess_exec(
                BEARINGS,
                "run",
                cwd=self._workdir,
                env=self._env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        process = self._process
        try:
            await self._emulator.wait_until(
                lambda: process.returncode is not None or self._has_started(begins_at),
                timeout=READY_WITHIN,
            )
        except TimeoutError:
            await self.kill()
            raise
        if process.returncode is not None:
            raise RuntimeError(f"bearings run exited with {process.returncode}: {self.tail()}")

    def _has_started(self, begins_at: int) -> bool:
        """Whether this run (its log from ``begins_at`` on) has logged that it started."""
        with self._log_path.open("rb") as log:
            log.seek(begins_at)
            return b'"bearings.started"' in log.read()

    async def kill(self) -> None:
        """SIGKILL: no clean-up, no flushing, exactly like a power cut."""
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        os.kill(process.pid, signal.SIGKILL)
        await process.wait()
        self.kills += 1

    async def restart(self) -> None:
        """Kill the bot and start it again."""
        await self.kill()
        await self.start()

    async def stop(self) -> None:
        """Ask the bot to stop as an operator would (SIGTERM), and wait for it."""
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()

    def rss_kib(self) -> int:
        """The process's resident memory in KiB (Linux)."""
        status = Path(f"/proc/{self.pid}/status").read_text(encoding="utf-8")
        line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
        return int(line.split()[1])

    def log_events(self) -> list[dict[str, object]]:
        """Every JSON log event the bot wrote, across all its runs."""
        events = []
        for line in self._log_path.read_text(encoding="utf-8").splitlines():
            if line.startswith("{"):
                events.append(json.loads(line))
        return events

    def errors(self) -> list[dict[str, object]]:
        """Logged errors (level error or critical) across all runs."""
        return [e for e in self.log_events() if e.get("level") in ("error", "critical")]

    def tail(self, lines: int = 20) -> str:
        """The end of the bot's log, for a failure message."""
        return "\n".join(self._log_path.read_text(encoding="utf-8").splitlines()[-lines:])
