"""Large buffers go back to the operating system when freed (glibc only).

A picture or a PDF is drawn in a worker thread, and each thread allocates from
its own glibc arena. After the first large buffer is freed, glibc raises its
mmap threshold and keeps later large buffers inside those arenas, where they
stay once freed: under load, with several drawing threads, the bot's resident
memory rose by over 100 MiB and stayed there. Fixing the threshold at 1 MiB
(mallopt's M_MMAP_THRESHOLD, also what the ``MALLOC_MMAP_THRESHOLD_``
environment variable sets) keeps every buffer that large in its own mapping,
returned whole on free; small objects are unaffected. Elsewhere than glibc this
does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform

M_MMAP_THRESHOLD = -3
"""mallopt's parameter number (malloc.h)."""
THRESHOLD_BYTES = 1 << 20


def return_large_buffers() -> bool:
    """Set the fixed threshold; whether it was set (False off glibc or if glibc refused)."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    return bool(libc.mallopt(M_MMAP_THRESHOLD, THRESHOLD_BYTES))
