"""bot/heap.py: drawing pictures in several threads leaves the bot's memory where it was.

Run in a fresh interpreter, because the setting is for the whole process and the
figure is the process's resident memory.
"""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(
    platform.libc_ver()[0] != "glibc", reason="the setting is glibc's (nothing to test elsewhere)"
)

DRAW_IN_THREADS = """
import sys
from concurrent.futures import ThreadPoolExecutor

from bot.charts import PairBars, Slider, Words, bearings_png
from bot.heap import return_large_buffers

def resident_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))

set_ = return_large_buffers() if sys.argv[1] == "set" else None
pairs = [PairBars(f"Q{i}", "A", "B", (4, 2), (3, 3), (False, True)) for i in range(4)]
sliders = [Slider("S", "Low", "High", 3, 2, True)]
words = Words("Title", "Now", "Look", "Before")
bearings_png(pairs, sliders, words)
before = resident_kib()
with ThreadPoolExecutor(6) as threads:
    list(threads.map(lambda _: bearings_png(pairs, sliders, words), range(60)))
print(set_, (resident_kib() - before) // 1024)
"""


def _growth(mode: str) -> tuple[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", DRAW_IN_THREADS, mode],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()
    return out[0], int(out[1])


def test_sixty_pictures_in_six_threads_leave_memory_flat() -> None:
    was_set, growth_mib = _growth("set")
    assert was_set == "True"
    assert growth_mib <= 15, f"resident memory grew by {growth_mib} MiB"


def test_without_the_setting_the_same_drawings_keep_much_more() -> None:
    """The measurement above can tell: without the setting, glibc keeps the buffers."""
    _, growth_mib = _growth("unset")
    assert growth_mib > 40, f"resident memory grew by only {growth_mib} MiB"
