"""Worker processes that cannot outlive the process that started them.

A pool's workers are forked children. When their parent dies without shutting the pool down (kill -9
of its PID, the OOM killer), nothing tells them: they sit on inherited locks, descriptors and
database connections for ever. `bind_to_parent`, run first in each worker, asks Linux to SIGKILL the
worker when the parent thread that forked it dies (prctl PR_SET_PDEATHSIG), and then checks that the
parent is still the one it was forked by (it may have died between the fork and the prctl).
Elsewhere (no prctl) it does the check only.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def _prctl() -> object | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl
    except (OSError, AttributeError):
        return None


def bind_to_parent(parent: int) -> None:
    """Die with `parent` (the pid that forked this process): call first thing in a worker."""
    prctl = _prctl()
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # type: ignore[operator]
    if os.getppid() != parent:  # the parent died before the prctl took hold
        os._exit(1)
