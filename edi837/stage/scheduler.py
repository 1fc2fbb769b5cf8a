"""The stage's scheduler: the loop of the parent process that scans INBOX, claims files, hands them
to a pool of worker processes (hash, then answer) and takes in what they finish.

Theory of operation. What the run holds between looks at the workers is a handful of queues, each
a place on a file's way (run.py says what happens to a file at each step; steps.py does it):

    ready      settled in INBOX; claimed (renamed into the claims folder) when a worker is free
    claimed    claimed already: left by a stopped run, or handed back by a broken pool
    later      changed while it was read: hashed again once it has been left alone a while
    hashing    in a worker: its SHA-256   ──► reserved, or settled at once (duplicate, not X12)
    answering  in a worker: its answers   ──► recorded and moved
    redo       in hand when a worker died: answered again (with the numbers it has)

`_fill` hands out redos first, then `later` once due, `claimed`, `ready`: at most 2 x workers files
in hand (hashing + answering), which is what a first signal waits for. A dead worker breaks the
whole pool; every file it held goes back to its queue and a new pool takes them (`_renew_pool`); a
pool that keeps breaking before anything is done ends the run (Stopped).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import time
from collections import deque
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..errors import printable
from . import worker
from .inbox import Claimed, Inbox, Unusable
from .steps import Steps, Stopped
from .worker import Changed, Hashed, Job, Outcome

POOL_BREAKS = 5  # worker deaths in a row with no file hashed or answered between them: the run stops
WAIT = 0.2  # seconds between looks at the workers (what a second signal may wait)
NEVER = float("inf")


class Stop:
    """What signals asked of the run: after the first, `stopping` (finish the files in hand, take no
    more); after the second, `aborting` (stop at once: what is in hand stays claimed)."""

    def __init__(self) -> None:
        self.stopping = False
        self.aborting = False


class Pace:
    """How the run paces itself (from the command line)."""

    def __init__(self, workers: int, watch: bool, interval: float, settle: float) -> None:
        self.workers = workers
        self.watch = watch  # go on until a signal, scanning every `interval` seconds
        self.interval = interval
        self.settle = settle  # seconds a file must be left alone before it is read


class Scheduler:
    """One run's loop (`run`), over INBOX, the file steps and a pool of workers."""

    def __init__(self, inbox: Inbox, steps: Steps, pace: Pace, stop: Stop) -> None:
        self.inbox = inbox
        self.steps = steps
        self.pace = pace
        self.stop = stop
        self.ready: deque[str] = deque()  # settled in INBOX, not yet claimed
        self.claimed: deque[Claimed] = deque(inbox.claimed())  # left by a stopped run: taken first
        self.later: list[tuple[float, Claimed]] = []  # changed while hashed: hashed again once settled
        self.hashing: dict[cf.Future[Hashed], Claimed] = {}
        self.answering: dict[cf.Future[Outcome], tuple[Job, Claimed]] = {}
        self.redo: deque[tuple[Job, Claimed]] = deque()  # in hand when a worker died: answered again
        self.limit = 2 * pace.workers  # files in hand at once
        self.next_scan = 0.0
        self.breaks = 0  # worker deaths since a file was last hashed or answered
        self.pool = self._new_pool()  # its processes start with the first file handed to it
        self.broken = False  # a worker died: the pool takes no more work

    def busy(self) -> int:
        return len(self.hashing) + len(self.answering)

    # -- the loop ---------------------------------------------------------------------------------

    def run(self) -> None:
        """Until INBOX is done (without --watch) or a signal; the pool is shut down when it returns."""
        try:
            while not self.stop.aborting and self._turn():
                pass
        finally:
            if self.stop.aborting or self.broken:
                self._kill_pool()
            else:
                self.pool.shutdown(wait=True, cancel_futures=True)

    def _turn(self) -> bool:
        """One look: scan when due, hand out work, wait a little for the workers; False when done."""
        if not self.stop.stopping and time.monotonic() >= self.next_scan:
            self._scan()
        if not self.stop.stopping:
            self._fill()
        if not self.busy() and not self.broken:
            if self.stop.stopping or self._nothing_left():
                return False
            self._sleep(min(max(0.0, self.next_scan - time.monotonic()), self.pace.interval, 0.5))
            return True
        in_hand: list[cf.Future[Any]] = [*self.hashing, *self.answering]
        cf.wait(in_hand, timeout=WAIT, return_when=cf.FIRST_COMPLETED)
        self._collect()
        if self.broken and not self.stop.aborting:
            self._renew_pool()
        return True

    def _nothing_left(self) -> bool:
        """Without --watch: nothing waits and no scan is due."""
        return (not self.pace.watch and not self.ready and not self.claimed and not self.later and not self.redo
                and self.next_scan == NEVER)

    def _scan(self) -> None:
        said: list[str] = []
        try:
            found, pending = self.inbox.scan(set(self.ready), said)
        except Unusable as exc:
            if not self.pace.watch:
                raise
            self.steps.warn(f"error: {exc}; looking again in {self.pace.interval:g} s")  # a service goes on
            found, pending = [], 1
        self.steps.tally.left_alone += len(said)
        for line in said:
            self.steps.log(line)
        self.ready.extend(found)
        again = self.pace.watch or pending or self.later
        self.next_scan = time.monotonic() + self.pace.interval if again else NEVER

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.stop.stopping and not self.stop.aborting and time.monotonic() < end:
            time.sleep(min(0.1, max(0.0, end - time.monotonic())))

    # -- handing out work -------------------------------------------------------------------------

    def _fill(self) -> None:
        """Hand workers what is waiting, up to `limit` files: redos, files claimed earlier, new ones."""
        while self.busy() < self.limit and not self.broken:
            if self.redo:
                self._answer(*self.redo.popleft())
                continue
            claimed = self._next_to_hash()
            if claimed is None:
                return
            self._hash(claimed)

    def _next_to_hash(self) -> Claimed | None:
        """A file settled again, else one claimed earlier, else a new one claimed now; None when none."""
        now = time.monotonic()
        due = [entry for entry in self.later if entry[0] <= now]
        if due:
            self.later.remove(due[0])
            return due[0][1]
        if self.claimed:
            return self.claimed.popleft()
        while self.ready:
            taken = self._claim(self.ready.popleft())
            if taken is not None:
                return taken
        return None

    def _claim(self, name: str) -> Claimed | None:
        try:
            claimed = self.inbox.claim(name)
            worker.failpoint("claimed")
            return claimed
        except OSError as exc:
            self.steps.warn(f"error: {printable(name)}: cannot take it from INBOX: {exc.strerror or exc}; left there")
            return None

    def _hash(self, claimed: Claimed) -> None:
        try:
            self.hashing[self.pool.submit(worker.hash_file, str(claimed.path))] = claimed
        except BrokenProcessPool:
            self.broken = True
            self.claimed.appendleft(claimed)

    def _answer(self, job: Job, claimed: Claimed) -> None:
        try:
            self.answering[self.pool.submit(worker.answer_job, job)] = job, claimed
        except BrokenProcessPool:
            self.broken = True
            self.redo.appendleft((job, claimed))

    def _later(self, claimed: Claimed) -> None:
        """A file that something still writes to: hashed again once it has been left alone a while."""
        self.later.append((time.monotonic() + max(self.pace.settle, 0.5), claimed))

    # -- taking in what the workers finished -------------------------------------------------------

    def _collect(self) -> None:
        """Take in what the workers finished (a worker's death marks the pool broken)."""
        for hashing in [f for f in self.hashing if f.done()]:
            self._hashed(hashing, self.hashing.pop(hashing))
        for answering in [f for f in self.answering if f.done()]:
            self._answered(answering, *self.answering.pop(answering))

    def _hashed(self, future: cf.Future[Hashed], claimed: Claimed) -> None:
        steps = self.steps
        try:
            hashed = future.result()
        except BrokenProcessPool:
            self.broken = True
            self.claimed.appendleft(claimed)
            return
        except Changed:
            self._later(claimed)
            return
        except OSError as exc:
            steps.guarded(claimed, steps.quarantine_unreadable, claimed, exc)
            return
        except Exception as exc:  # noqa: BLE001 (a defect of ours): said, and the file stays claimed
            steps.not_hashed(claimed, exc)
            return
        self.breaks = 0
        try:
            job = steps.guarded(claimed, steps.hashed, claimed, hashed)
        except Changed:  # an answer file a sender wrote to while it was read: nothing recorded, read later
            self._later(claimed)
            return
        if job is not None:
            self._answer(job, claimed)

    def _answered(self, future: cf.Future[Outcome], job: Job, claimed: Claimed) -> None:
        steps = self.steps
        try:
            outcome = future.result()
        except BrokenProcessPool:
            self.broken = True
            if steps.died(job, claimed):
                self.redo.append((job, claimed))
            return
        except Changed:  # answered, but the file changed meanwhile: not those bytes' answers
            steps.guarded(claimed, steps.withdraw, job)
            self._later(claimed)
            return
        except Exception as exc:  # noqa: BLE001 (a full disk in the worker): the row stays reserved
            steps.not_answered(job, exc)
            return
        self.breaks = 0
        steps.guarded(claimed, steps.answered, job, claimed, outcome)

    # -- the pool ---------------------------------------------------------------------------------

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        # fork (from this, the main thread: PR_SET_PDEATHSIG follows the forking thread); each worker
        # first closes its copies of our locks and ledger, then binds itself to us (worker.start)
        return cf.ProcessPoolExecutor(self.pace.workers, mp_context=multiprocessing.get_context("fork"),
                                      initializer=worker.start,
                                      initargs=(os.getpid(), str(self.inbox.root.resolve()),
                                                str(self.steps.outbox.root.resolve())))

    def _kill_pool(self) -> None:
        """SIGKILL what is left of the pool's processes (they ignore SIGTERM, which a pool's shutdown
        sends when a worker died: without this it would wait on them for ever), then reap them."""
        for process in list((getattr(self.pool, "_processes", None) or {}).values()):
            with contextlib.suppress(OSError, AttributeError):
                process.kill()
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _renew_pool(self) -> None:
        """A worker died: the pool is broken. Every file it held goes back to be hashed or answered
        again, by a new pool; a pool that keeps breaking before anything is done ends the run."""
        self.steps.tally.worker_deaths += 1
        self.breaks += 1
        self.steps.warn("error: a worker process died (killed by the system: out of memory?);"
                        " the files in hand are answered again by new workers")
        self._kill_pool()
        self._collect()  # every future of the broken pool is done now: back into the queues
        if self.breaks >= POOL_BREAKS:
            raise Stopped(f"worker processes died {POOL_BREAKS} times in a row before finishing a file")
        self.pool, self.broken = self._new_pool(), False
