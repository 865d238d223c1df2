"""The C heap of a ``detente`` process: freed memory kept for reuse, not handed back.

The models work through many short-lived numpy arrays of some hundred kilobytes to a few
megabytes each (a batch of what-if runs, a chunk at a time). glibc's allocator returns such
blocks to the system as soon as they are freed (``mmap`` above ``M_MMAP_THRESHOLD``; the top of
the heap is trimmed above ``M_TRIM_THRESHOLD``), so the next array of the same size faults its
pages in afresh: ``detente advise`` on 60 actors spent about 1 s of its 5 s in the kernel
doing that (635,000 page faults). Raising both thresholds keeps the blocks for reuse (4,000
faults). The process's peak memory stays about the same (freed blocks are reused); it holds on to
it until it ends.

Only on glibc, and only when the user has not set the thresholds through glibc's own
environment variables (``MALLOC_TRIM_THRESHOLD_``, ``MALLOC_MMAP_THRESHOLD_``).
"""

from __future__ import annotations

import os
import sys

__all__ = ["keep_freed_memory"]

_M_TRIM_THRESHOLD = -1  # mallopt's parameters (glibc's malloc.h)
_M_MMAP_THRESHOLD = -3
#: Free memory at the top of the heap kept before it is trimmed (bytes).
TRIM_THRESHOLD = 512 << 20
#: Blocks from this size up get their own mapping (glibc's largest dynamic threshold, 64-bit).
MMAP_THRESHOLD = 32 << 20


def keep_freed_memory() -> bool:
    """Raise glibc's trim and mmap thresholds for this process; whether it was done."""
    if not sys.platform.startswith("linux"):
        return False
    if any(name in os.environ for name in ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_")):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    if not hasattr(libc, "gnu_get_libc_version"):  # glibc only (musl's mallopt does nothing)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    done = mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and done)
