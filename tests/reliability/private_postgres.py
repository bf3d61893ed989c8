"""A PostgreSQL server of one test's own, so that the test can restart it.

The machine's server is shared by every test running beside this one; restarting it would
break them. This one is made with ``initdb`` in a temporary directory, listens on a free
port of 127.0.0.1 (trust authentication, its socket in the same directory) and is stopped
and removed afterwards. PostgreSQL refuses to run as root, so under root its commands run
as the ``postgres`` user.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

STARTS_WITHIN = 30


def _bindir() -> Path:
    """Where initdb and pg_ctl are: Debian keeps them out of PATH, under pg_config's bindir."""
    try:
        found = subprocess.run(
            ["pg_config", "--bindir"], check=True, capture_output=True, text=True
        ).stdout.strip()
        if (Path(found) / "pg_ctl").exists():
            return Path(found)
    except (OSError, subprocess.CalledProcessError):
        pass
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl is None:
        raise RuntimeError("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    return Path(pg_ctl).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivateServer:
    """initdb, start, restart and remove a throwaway PostgreSQL server."""

    def __init__(self) -> None:
        self._bin = _bindir()
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self._home = Path(tempfile.mkdtemp(prefix="bearings-pg-"))
        self._data = self._home / "data"
        self.port = _free_port()
        self.restarts = 0

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of its ``postgres`` database."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    async def _run(self, *command: str) -> None:
        process = await asyncio.create_subprocess_exec(
            *self._as_postgres,
            *command,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {output.decode(errors='replace')[-2000:]}")

    async def start(self) -> None:
        """Make the cluster (the first time) and start the server; wait until it listens."""
        if self._as_postgres:
            shutil.chown(self._home, "postgres", "postgres")
        if not self._data.exists():
            await self._run(
                str(self._bin / "initdb"),
                "-D",
                str(self._data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "--encoding=UTF8",
                "--locale=C",
            )
        await self._pg_ctl("start")

    async def _pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self._home} -c listen_addresses=127.0.0.1 -c fsync=off"
        await self._run(
            str(self._bin / "pg_ctl"),
            action,
            "-D",
            str(self._data),
            "-w",
            "-t",
            str(STARTS_WITHIN),
            "-o",
            options,
            "-l",
            str(self._home / "server.log"),
            *extra,
        )

    async def restart(self) -> None:
        """Stop the server at once (every connection cut, nothing waited for) and start it."""
        await self._run(str(self._bin / "pg_ctl"), "stop", "-D", str(self._data), "-m", "fast")
        await self._pg_ctl("start")
        self.restarts += 1

    async def remove(self) -> None:
        """Stop the server (if it runs) and delete everything it had."""
        if (self._data / "postmaster.pid").exists():
            await self._run(
                str(self._bin / "pg_ctl"), "stop", "-D", str(self._data), "-m", "immediate"
            )
        shutil.rmtree(self._home, ignore_errors=True)
