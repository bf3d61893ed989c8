"""Start-up imports only what the first update needs (issue 24): the web server library
comes with the webhook or the metrics page, not with ``bearings run`` itself."""

from __future__ import annotations

import subprocess
import sys


def test_the_bot_imports_no_web_server_until_it_starts_one() -> None:
    probe = "import sys, bot.cli, bot.app; print('aiohttp' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
