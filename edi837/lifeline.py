"""Worker processes that cannot outlive the process that started them.

A pool's workers are forked children. When their parent dies without shutting the pool down (kill -9
of its PID, the OOM killer, a SIGTERM it does not handle), nothing tells them: they wait on the pool's
queue for ever, sitting on inherited locks, descriptors and database connections. `bind_to_parent`,
run first in each worker, asks Linux to SIGKILL the worker when its parent dies (prctl
PR_SET_PDEATHSIG), and then checks that the parent is still the one it was forked by (it may have
died between the fork and the prctl).

PR_SET_PDEATHSIG fires when the *thread* that forked the worker ends, not the process: right for a
fork from the main thread (which lasts as long as the process), wrong for one from a helper thread,
whose end would kill a worker of a parent still alive. A worker forked from another thread, or on a
system without prctl, watches instead: a daemon thread in the worker that ends it once its parent
pid is no longer the one that forked it (within WATCH_EVERY seconds).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable

PR_SET_PDEATHSIG = 1
WATCH_EVERY = 0.5  # seconds between a watching worker's looks at its parent pid


def _prctl() -> Callable[..., int] | None:
    """libc's prctl, from the symbols already loaded (ctypes.util.find_library would run ldconfig in a
    subprocess, from every worker); imported here, not at the top: the CLI imports this module at
    start-up and most runs never start a worker."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # noqa: PLC0415

    try:
        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
        return prctl
    except (OSError, AttributeError):
        return None


def bind_to_parent(parent: int, *, forked_by_main_thread: bool = True) -> None:
    """Die with `parent` (the pid that forked this process): call first thing in a worker. Say
    `forked_by_main_thread=False` when the fork came from another thread of the parent (then the worker
    watches its parent pid instead of relying on PR_SET_PDEATHSIG, which follows the forking thread)."""
    prctl = _prctl() if forked_by_main_thread else None
    if prctl is None or prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        watch_parent(parent)
    if os.getppid() != parent:  # the parent died before the prctl (or the watch) took hold
        os._exit(1)


def watch_parent(parent: int, every: float = WATCH_EVERY) -> None:
    """End this process, from a daemon thread, once its parent is no longer `parent` (it died, and this
    process went to init or a subreaper)."""

    import threading  # noqa: PLC0415 (only a watching worker needs it)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="edi837-lifeline", daemon=True).start()
