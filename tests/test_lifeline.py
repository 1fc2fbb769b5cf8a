"""A worker bound to its parent dies with it, however the parent dies and whichever thread forked it.

Each test starts a real parent process (`python -c PARENT`) that forks one child, prints the child's
pid and sleeps; the test then kills the parent (or lets it exit) and watches the child in /proc.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from edi837 import lifeline

PARENT = """
import os, sys, threading, time
from edi837.lifeline import bind_to_parent

how = sys.argv[1]
parent = os.getpid()

def fork(by_main_thread):
    bound, done = os.pipe()
    pid = os.fork()
    if pid == 0:
        if how == "late":
            time.sleep(0.3)  # the parent exits meanwhile
        if how != "unbound":
            bind_to_parent(parent, forked_by_main_thread=by_main_thread)
        os.write(done, b"!")
        time.sleep(60)
        os._exit(0)
    if how != "late":
        os.read(bound, 1)  # the forking thread ends only once the child is bound
    return pid

if how.startswith("thread"):  # forked by a helper thread, which then ends
    got = []
    helper = threading.Thread(target=lambda: got.append(fork(how == "thread-pdeathsig")))
    helper.start()
    helper.join()
    child = got[0]
else:
    child = fork(True)
print(child, flush=True)
if how != "late":
    time.sleep(60)
"""


def alive(pid: int) -> bool:
    """Running or sleeping: neither gone nor a zombie (a killed orphan waits for init to reap it)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rpartition(")")[2].split()[0] not in ("Z", "X")
    except OSError:
        return False


def alive_after(pid: int, seconds: float) -> bool:
    """Whether `pid` is still alive after `seconds` (False as soon as it has died)."""
    deadline = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return alive(pid)


def parent_and_child(how: str) -> tuple[subprocess.Popen[str], int]:
    parent = subprocess.Popen([sys.executable, "-c", PARENT, how], stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    assert parent.stdout is not None
    return parent, int(parent.stdout.readline())


def kill(*pids: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and prctl: Linux only")


@pytest.mark.parametrize("how", ["main", "thread"])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_bound_child_dies_with_its_parent(how: str, sig: int) -> None:
    """Forked by the main thread (PR_SET_PDEATHSIG) or by a helper thread (the watch): the child
    outlives neither kill -9 nor SIGTERM of its parent."""
    parent, child = parent_and_child(how)
    try:
        assert alive_after(child, 0.1)  # a helper thread's end does not take the child with it
        os.kill(parent.pid, sig)
        parent.wait(timeout=5)
        assert not alive_after(child, lifeline.WATCH_EVERY + 2)
    finally:
        kill(parent.pid, child)
        parent.communicate()


def test_an_unbound_child_outlives_its_parent() -> None:
    """What the binding prevents (and what the test above would see without it): an orphan."""
    parent, child = parent_and_child("unbound")
    try:
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=5)
        assert alive_after(child, 0.5)
    finally:
        kill(parent.pid, child)
        parent.communicate()


def test_pdeathsig_follows_the_forking_thread() -> None:
    """Why `forked_by_main_thread` exists: PR_SET_PDEATHSIG kills the child of a helper thread when
    that thread ends, though the parent process lives on."""
    parent, child = parent_and_child("thread-pdeathsig")
    try:
        assert not alive_after(child, 2) and parent.poll() is None
    finally:
        kill(parent.pid, child)
        parent.communicate()


def test_a_child_whose_parent_died_before_it_was_bound_exits() -> None:
    """The parent exits between the fork and the bind (PR_SET_PDEATHSIG would never fire): the
    parent check ends the child."""
    parent, child = parent_and_child("late")
    try:
        parent.wait(timeout=5)
        assert not alive_after(child, 2)
    finally:
        kill(parent.pid, child)
        parent.communicate()
