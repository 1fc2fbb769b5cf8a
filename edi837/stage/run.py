"""The pipeline stage (`edi837 run INBOX --out OUTBOX`): answer every file dropped in an inbound
folder exactly once, whatever happens to the files, the processes or the disk.

Theory of operation. The parent process owns the ledger (stage/ledger.py), the control numbers and
both locks (OUTBOX's lock file, INBOX's folder); worker processes (stage/worker.py) hash and answer.
For each input:

1. INBOX's scan finds it settled; it is *claimed*: renamed into INBOX/.edi837-claimed/ (inbox.py).
   From here on the stage works on that file only, never on a path in INBOX that may since point
   elsewhere.
2. a worker hashes it (SHA-256 of the bytes read through one descriptor);
3. the parent looks the hash up: new content is *reserved* (its control numbers and the clock of its
   answers committed to the ledger; a file that is not X12 at all, empty or binary, is quarantined
   without numbers); content reserved by a run that was killed is answered again with the numbers and
   clock it already has; content already answered is a duplicate (or, when its archived copy is
   missing, the original, killed before its move);
4. a worker writes its answers (acks/STEM.999, acks/STEM.277ca, forward/STEM.accepted.837) and
   results/STEM.json, each private, under a temporary name, fsynced, renamed, its folder fsynced;
5. the parent records the outcome (answered, or quarantined: not a readable 837I), then moves the
   claimed file to archive/STEM (or quarantine/STEM with a STEM.reason beside it), last.

A kill at any of these points leaves the file claimed and a ledger row that says how far it got; the
next run removes leftover temporaries, takes the claimed files first and finishes or redoes each.
A worker that dies (the OOM killer) breaks only the files in hand: they are answered again by new
workers; one in hand at three deaths is quarantined. A first SIGINT/SIGTERM finishes the files in
hand; a second stops at once, leaving them claimed. An error writing one file's answers or moving it
(a full disk) leaves that file claimed for the next run and the run goes on; a ledger that cannot be
written ends the run (exit 2). Every file written is 0600 and every folder 0700: answers carry
patient data. Log lines name files, counts, control numbers and rule ids only, never claim contents.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import errno
import fcntl
import json
import multiprocessing
import os
import signal
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from .. import durable
from ..answers.control import ControlNumbers, NumbersUsedUp, Settings
from ..answers.write.report import claims_phrase
from ..check.inputs import INCLUDE
from ..x12.read import EdiError, printable
from . import worker
from .inbox import Claimed, Inbox, Unusable
from .ledger import ANSWERED, CLAIMED, QUARANTINED, Ledger, Row
from .worker import Changed, Hashed, Job, Outcome

FOLDERS = ("", "acks", "forward", "results", "archive", "archive/duplicates", "quarantine", "runs")  # of OUTBOX
EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE, EXIT_INTERRUPTED = 0, 1, 2, 130
WORKER_DEATHS = 3  # a file in hand when a worker died this many times is quarantined, not retried
POOL_BREAKS = 5  # worker deaths in a row with no file hashed or answered between them: the run stops
WAIT = 0.2  # seconds between looks at the workers (what a second signal may wait)


class Stopped(Exception):
    """The run cannot go on: the ledger cannot be written (a full disk, a broken database), or no
    control number is left. The files in hand stay claimed."""


# -- the OUTBOX layout ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Outbox:
    root: Path

    def folder(self, name: str) -> Path:
        return self.root / name

    def archived(self, stem: str) -> Path:
        return self.root / "archive" / stem

    def quarantined(self, stem: str) -> Path:
        return self.root / "quarantine" / stem

    def prepare(self) -> None:
        """Make the folders (0700); raises Unusable when OUTBOX cannot be written."""
        try:
            for sub in FOLDERS:
                folder = self.root / sub
                folder.mkdir(mode=durable.PRIVATE_FOLDER, parents=True, exist_ok=True)
                if not os.access(folder, os.W_OK | os.X_OK):
                    raise Unusable(f"{printable(str(folder))}: cannot write there")
        except OSError as exc:
            raise Unusable(f"{printable(str(self.root))}: cannot make the OUTBOX folders: {exc.strerror or exc}") from None

    def lock(self) -> int:
        """Hold OUTBOX for this run (a second run on it would hand out the same numbers): the lock's fd."""
        fd = os.open(self.root / ".lock", os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, durable.PRIVATE_FILE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise Unusable(f"{printable(str(self.root))}: another `edi837 run` is using this OUTBOX") from None
        return fd

    def remove_temporaries(self) -> int:
        """Delete what a killed run left half-written (hidden .tmp files); how many."""
        return sum(durable.remove_temporaries(self.root / sub) for sub in FOLDERS)


# -- the run ----------------------------------------------------------------------------------------

@dataclass
class Tally:
    answered: int = 0
    quarantined: int = 0
    duplicates: int = 0
    redone: int = 0  # reserved by a killed run, answered again with its numbers
    moved: int = 0  # answered by a killed run before its move: moved now
    left_alone: int = 0
    failed: int = 0  # could not be answered or moved (a full disk): left claimed for the next run
    worker_deaths: int = 0
    claims: int = 0
    accepted: int = 0
    rejected_sets: int = 0

    @property
    def rejected(self) -> int:
        return self.claims - self.accepted


@dataclass
class Options:
    inbox: Path
    outbox: Path
    settings: Settings
    profile: str = "medicare"
    workers: int = 1
    watch: bool = False
    interval: float = 2.0
    settle: float = 5.0
    include: tuple[str, ...] = INCLUDE


@dataclass
class InHand:
    """What the run holds between looks at the workers."""

    claimed: deque[Claimed]  # taken (or left by a stopped run), waiting for a worker to hash them
    later: list[tuple[float, Claimed]]  # changed while hashed: hashed again once settled
    hashing: dict[cf.Future[Hashed], Claimed]
    answering: dict[cf.Future[Outcome], tuple[Job, Claimed]]
    redo: deque[tuple[Job, Claimed]]  # in hand when a worker died: answered again

    def busy(self) -> int:
        return len(self.hashing) + len(self.answering)


class Stage:
    def __init__(self, options: Options, log: Callable[[str], None], warn: Callable[[str], None],
                 counted: Callable[[int, int], None] = lambda claims, rejected: None) -> None:
        self.options = options
        self.log = log  # a line per file (and recovery notes)
        self.warn = warn  # errors, on standard error
        self.counted = counted  # a file done: moves a progress bar
        self.tally = Tally()
        self.summary_line = ""
        self.stopping = False  # first signal: finish the files in hand
        self.aborting = False  # second signal: stop now
        self.interrupted = False
        self.stopped_by = ""  # why the run could not go on (Stopped)
        self.claimed_now: set[str] = set()  # content reserved or answered by this run
        self.deaths: dict[str, int] = {}  # worker deaths per content in hand
        self.breaks = 0  # worker deaths since a file was last hashed or answered

    # -- start and end --------------------------------------------------------------------------

    def run(self) -> int:
        """Answer what INBOX holds (and, with --watch, what arrives, until a signal); the exit code."""
        opts = self.options
        if not opts.inbox.is_dir():
            raise Unusable(f"{printable(str(opts.inbox))}: INBOX is not a folder")
        inbox_root, outbox_root = opts.inbox.resolve(), opts.outbox.resolve()
        if outbox_root == inbox_root:
            raise Unusable("OUTBOX must not be INBOX")
        self.outbox = Outbox(opts.outbox)
        self.outbox.prepare()
        self.inbox = Inbox(opts.inbox, opts.include, opts.settle,
                           outbox_root.name if outbox_root.parent == inbox_root else "")
        with contextlib.ExitStack() as held:
            held.callback(os.close, self.outbox.lock())
            held.callback(os.close, self.inbox.lock())
            try:
                self.ledger = Ledger(self.outbox.root / "ledger.sqlite")
                held.callback(self.ledger.close)
                self.numbers = ControlNumbers(opts.settings, floor=self.ledger.highest_control())
            except (OSError, EdiError, NumbersUsedUp, sqlite3.Error) as exc:
                raise Unusable(f"{printable(str(self.outbox.root))}: {exc}") from None
            return self._run()

    def _run(self) -> int:
        started, started_at = time.monotonic(), dt.datetime.now(dt.UTC)
        try:
            run_id = self.ledger.run_started()
            self._recover()
        except sqlite3.Error as exc:
            raise Unusable(f"{printable(str(self.outbox.root))}: the ledger cannot be written: {exc}") from None
        # Signals are the stage's until its summary is written: a second one after the loop ended
        # must not kill the process before it says how the run went.
        previous = {sig: signal.signal(sig, self._signalled) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            return self._finish(started, started_at, run_id)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _finish(self, started: float, started_at: dt.datetime, run_id: int) -> int:
        """The loop, then the run's summary (OUTBOX/runs/, the ledger, the summary line); the exit code."""
        try:
            self._loop()
        except Stopped as exc:
            self.stopped_by = str(exc)
            self.warn(f"error: {exc}: stopping; the files in hand stay claimed for the next run")
        code = self.exit_code()
        summary = json.dumps(self._summary(started_at, time.monotonic() - started, code), indent=1) + "\n"
        with contextlib.suppress(OSError, sqlite3.Error):  # a full disk: the summary line still prints
            durable.write_atomic(self.outbox.folder("runs") / f"{started_at:%Y%m%dT%H%M%SZ}-{os.getpid()}.json",
                                 summary.encode())
            self.ledger.run_finished(run_id, summary)
        self.summary_line = self._summary_line(code)
        return code

    def exit_code(self) -> int:
        if self.interrupted and not self.options.watch:
            return EXIT_INTERRUPTED
        t = self.tally
        if t.failed or self.stopped_by:
            return EXIT_UNUSABLE
        return EXIT_REJECTED if t.quarantined or t.rejected or t.rejected_sets else EXIT_OK

    def _summary(self, started_at: dt.datetime, elapsed: float, code: int) -> dict[str, Any]:
        t = self.tally
        return {"started_at": started_at.isoformat(timespec="seconds"),
                "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "seconds": round(elapsed, 3), "workers": self.options.workers, "watch": self.options.watch,
                "interrupted": self.interrupted, "exit_code": code,
                "files": {"answered": t.answered, "quarantined": t.quarantined, "duplicates": t.duplicates,
                          "redone_after_a_crash": t.redone, "moved_after_a_crash": t.moved,
                          "left_alone": t.left_alone, "not_answered": t.failed},
                "worker_deaths": t.worker_deaths, "stopped_by": self.stopped_by or None,
                "claims": t.claims, "accepted": t.accepted, "rejected": t.rejected, "rejected_sets": t.rejected_sets}

    def _summary_line(self, code: int) -> str:
        t = self.tally
        files = t.answered + t.quarantined
        return (f"{_count(files, 'file')}: {t.answered} answered, {t.quarantined} quarantined,"
                f" {_count(t.duplicates, 'duplicate')}; {_count(t.claims, 'claim')}: {t.accepted} accepted,"
                f" {t.rejected} rejected"
                + (f"; {t.failed} not answered (see the errors above)" if t.failed else "")
                + (f"; {_count(t.worker_deaths, 'worker death')}" if t.worker_deaths else "")
                + (" (interrupted: what was not finished stays for the next run)" if code == EXIT_INTERRUPTED
                   else ""))

    def _signalled(self, signum: int, frame: FrameType | None) -> None:
        if self.stopping:  # asked twice: stop at once; what is in hand stays claimed
            self.aborting = True
            return
        self.stopping = self.interrupted = True
        self.log(f"{signal.Signals(signum).name}: finishing the files in hand, then stopping"
                 " (signal again to stop at once)")

    def _recover(self) -> None:
        removed = self.outbox.remove_temporaries() + self.numbers.remove_temporaries()
        removed += durable.remove_temporaries(self.inbox.claims)
        if removed:
            self.log(f"recovery: removed {_count(removed, 'temporary file')} a stopped run left")
        flight = self.ledger.in_flight()
        if flight:
            self.log(f"recovery: {_count(len(flight), 'input')} in flight when a run stopped;"
                     " each is answered again with its reserved control numbers")

    # -- the workers --------------------------------------------------------------------------------

    def _pool(self) -> cf.ProcessPoolExecutor:
        # fork (from this, the main thread: PR_SET_PDEATHSIG follows the forking thread); each worker
        # first closes its copies of our locks and ledger, then binds itself to us (worker.start)
        return cf.ProcessPoolExecutor(self.options.workers, mp_context=multiprocessing.get_context("fork"),
                                      initializer=worker.start,
                                      initargs=(os.getpid(), str(self.inbox.root.resolve()),
                                                str(self.outbox.root.resolve())))

    def _kill_pool(self) -> None:
        """SIGKILL what is left of the pool's processes (they ignore SIGTERM, which a pool's shutdown
        sends when a worker died: without this it would wait on them for ever), then reap them."""
        for process in list((getattr(self.pool, "_processes", None) or {}).values()):
            with contextlib.suppress(OSError, AttributeError):
                process.kill()
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _renew_pool(self, hand: InHand) -> None:
        """A worker died: the pool is broken. Every file it held goes back to be hashed or answered
        again, by a new pool; a pool that keeps breaking before anything is done ends the run."""
        self.tally.worker_deaths += 1
        self.breaks += 1
        self.warn("error: a worker process died (killed by the system: out of memory?);"
                  " the files in hand are answered again by new workers")
        self._kill_pool()
        self._collect(hand)  # every future of the broken pool is done now: back into the queues
        if self.breaks >= POOL_BREAKS:
            raise Stopped(f"worker processes died {POOL_BREAKS} times in a row before finishing a file")
        self.pool, self.broken = self._pool(), False

    def _hash(self, hand: InHand, claimed: Claimed) -> None:
        try:
            hand.hashing[self.pool.submit(worker.hash_file, str(claimed.path))] = claimed
        except BrokenProcessPool:
            self.broken = True
            hand.claimed.appendleft(claimed)

    def _answer(self, hand: InHand, job: Job, claimed: Claimed) -> None:
        try:
            hand.answering[self.pool.submit(worker.answer_job, job)] = job, claimed
        except BrokenProcessPool:
            self.broken = True
            hand.redo.appendleft((job, claimed))

    # -- the loop ---------------------------------------------------------------------------------

    def _loop(self) -> None:
        opts = self.options
        hand = InHand(deque(self.inbox.claimed()), [], {}, {}, deque())
        ready: deque[str] = deque()
        limit = 2 * opts.workers  # files in hand at once: what a first signal waits for
        next_scan = 0.0
        self.pool, self.broken = self._pool(), False
        try:
            while not self.aborting:
                if not self.stopping and time.monotonic() >= next_scan:
                    found, pending = self._scan(set(ready))
                    ready.extend(found)
                    again = opts.watch or pending or hand.later
                    next_scan = time.monotonic() + opts.interval if again else float("inf")
                if not self.stopping:
                    self._fill(hand, ready, limit)
                if not hand.busy() and not self.broken:
                    if self.stopping or (not opts.watch and not ready and not hand.claimed and not hand.later
                                         and not hand.redo and next_scan == float("inf")):
                        return
                    self._sleep(min(max(0.0, next_scan - time.monotonic()), opts.interval, 0.5))
                    continue
                in_hand: list[cf.Future[Any]] = [*hand.hashing, *hand.answering]
                cf.wait(in_hand, timeout=WAIT, return_when=cf.FIRST_COMPLETED)
                self._collect(hand)
                if self.broken and not self.aborting:
                    self._renew_pool(hand)
        finally:
            if self.aborting or self.broken:
                self._kill_pool()
            else:
                self.pool.shutdown(wait=True, cancel_futures=True)

    def _fill(self, hand: InHand, ready: deque[str], limit: int) -> None:
        """Hand workers what is waiting, up to `limit` files: redos, files claimed earlier, new ones."""
        while hand.busy() < limit and not self.broken:
            if hand.redo:
                self._answer(hand, *hand.redo.popleft())
                continue
            now = time.monotonic()
            due = [entry for entry in hand.later if entry[0] <= now]
            if due:
                hand.later.remove(due[0])
                claimed = due[0][1]
            elif hand.claimed:
                claimed = hand.claimed.popleft()
            elif ready:
                taken = self._claim(ready.popleft())
                if taken is None:
                    continue
                claimed = taken
            else:
                return
            self._hash(hand, claimed)

    def _claim(self, name: str) -> Claimed | None:
        try:
            claimed = self.inbox.claim(name)
            worker.failpoint("claimed")
            return claimed
        except OSError as exc:
            self.warn(f"error: {printable(name)}: cannot take it from INBOX: {exc.strerror or exc}; left there")
            return None

    def _collect(self, hand: InHand) -> None:
        """Take in what the workers finished (a worker's death marks the pool broken)."""
        for future in [f for f in hand.hashing if f.done()]:
            claimed = hand.hashing.pop(future)
            try:
                hashed = future.result()
            except BrokenProcessPool:
                self.broken = True
                hand.claimed.appendleft(claimed)
                continue
            except Changed:
                self._later(hand, claimed)
                continue
            except OSError as exc:
                self._file_step(claimed, self._quarantine_unreadable, claimed, _why(exc))
                continue
            except Exception as exc:  # noqa: BLE001 (a defect of ours): said, and the file stays claimed
                self._not_hashed(claimed, exc)
                continue
            self.breaks = 0
            job = self._file_step(claimed, self._hashed, claimed, hashed)
            if job is not None:
                self._answer(hand, job, claimed)
        for answered in [f for f in hand.answering if f.done()]:
            job, claimed = hand.answering.pop(answered)
            try:
                outcome = answered.result()
            except BrokenProcessPool:
                self.broken = True
                self._died(job, claimed, hand)
                continue
            except Changed:  # answered, but the file changed meanwhile: not those bytes' answers
                self._file_step(claimed, self._withdraw, job)
                self._later(hand, claimed)
                continue
            except Exception as exc:  # noqa: BLE001 (a full disk in the worker): the row stays reserved
                self._not_answered(job, claimed, exc)
                continue
            self.breaks = 0
            self._file_step(claimed, self._answered, job, claimed, outcome)

    def _later(self, hand: InHand, claimed: Claimed) -> None:
        """A file that something still writes to: hashed again once it has been left alone a while."""
        hand.later.append((time.monotonic() + max(self.options.settle, 0.5), claimed))

    def _file_step(self, claimed: Claimed, step: Callable[..., Any], *args: Any) -> Any:
        """Run one parent step for a file: an OSError (a full disk) leaves the file claimed for the
        next run and the run goes on; a ledger error ends the run."""
        try:
            return step(*args)
        except sqlite3.Error as exc:
            raise Stopped(f"{printable(str(self.outbox.root))}: the ledger cannot be written ({exc})") from None
        except (NumbersUsedUp, EdiError) as exc:  # no number left, or a control-number state that cannot be read
            raise Stopped(str(exc)) from None
        except OSError as exc:
            self.tally.failed += 1
            self.warn(f"error: {claimed.shown}: {exc.strerror or exc}: it stays claimed; the next run finishes it")
            return None

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.stopping and not self.aborting and time.monotonic() < end:
            time.sleep(min(0.1, max(0.0, end - time.monotonic())))

    def _scan(self, busy: set[str]) -> tuple[list[str], int]:
        said: list[str] = []
        try:
            ready, pending = self.inbox.scan(busy, said)
        except Unusable as exc:
            if not self.options.watch:
                raise
            self.warn(f"error: {exc}; looking again in {self.options.interval:g} s")  # a service goes on
            return [], 1
        self.tally.left_alone += len(said)
        for line in said:
            self.log(line)
        return ready, pending

    # -- one file's steps (in the parent) --------------------------------------------------------

    def _hashed(self, claimed: Claimed, hashed: Hashed) -> Job | None:
        """Reserve a hashed input (or settle it at once: a duplicate, a move to finish, not X12); the
        Job to hand a worker, or None."""
        worker.failpoint("hashed")
        row = self.ledger.find(hashed.sha256)
        if row is None:
            stem = self.ledger.free_stem(claimed.shown, hashed.sha256)
            if not hashed.x12:  # empty or binary: nothing to answer, no control numbers spent
                why = "an empty file" if hashed.size == 0 else "not an X12 interchange (it does not start with ISA)"
                self._quarantine(claimed, hashed.sha256, stem, hashed.size, why, None)
                return None
            control = self.numbers.take(3)  # committed to the state file before the ledger row names it
            when = self.options.settings.now.replace(microsecond=0)
            self.ledger.claim(hashed.sha256, claimed.shown, stem, hashed.size, control, when)
            worker.failpoint("reserved")
            self.claimed_now.add(hashed.sha256)
            return self._job(claimed, hashed, stem, control, when)
        if row.state == CLAIMED and hashed.sha256 not in self.claimed_now:
            self.claimed_now.add(hashed.sha256)
            self.tally.redone += 1
            assert row.control is not None and row.answer_time is not None
            self.log(f"{claimed.shown}: in flight when a run stopped: answering it again with control numbers"
                     f" {_numbers(row.control)}")
            return self._job(claimed, hashed, row.stem, row.control, row.answer_time)
        if row.state in (ANSWERED, QUARANTINED) and hashed.sha256 not in self.claimed_now:
            home = self.outbox.archived(row.stem) if row.state == ANSWERED else self.outbox.quarantined(row.stem)
            if not home.exists():  # the run that answered it was stopped before the move
                if row.state == QUARANTINED:
                    durable.write_atomic(home.with_name(home.name + ".reason"), _reason(row.reason or ""))
                durable.move(claimed.path, home)
                self.tally.moved += 1
                self.log(f"{claimed.shown}: {row.state} by a run that stopped before moving it: moved to"
                         f" {home.relative_to(self.outbox.root)}")
                return None
        self._duplicate(claimed, hashed, row)
        return None

    def _job(self, claimed: Claimed, hashed: Hashed, stem: str, control: int, when: dt.datetime) -> Job:
        return Job(str(claimed.path), claimed.shown, hashed.sha256, (hashed.size, hashed.mtime_ns), stem, control,
                   when, self.options.profile, self.options.settings, self.outbox.root)

    def _duplicate(self, claimed: Claimed, hashed: Hashed, row: Row) -> None:
        folder = self.outbox.folder("archive/duplicates")
        target = folder / claimed.shown
        n = 1
        while target.exists() or target.is_symlink():
            n += 1
            target = folder / f"{claimed.shown}.{n}"
        durable.move(claimed.path, target)
        self.ledger.duplicate(hashed.sha256, claimed.shown, hashed.size, str(target.relative_to(self.outbox.root)))
        self.tally.duplicates += 1
        state = "being answered now" if row.state == CLAIMED else row.state
        self.log(f"{claimed.shown}: duplicate of {printable(row.stem)} ({state}): not answered again,"
                 f" moved to {target.relative_to(self.outbox.root)}")

    def _quarantine_unreadable(self, claimed: Claimed, why: str) -> None:
        """A claimed file that cannot even be hashed: quarantined with its reason, without answers."""
        self._quarantine(claimed, None, self.ledger.free_stem(claimed.shown, None), None, why, None)

    def _quarantine(self, claimed: Claimed, sha256: str | None, stem: str, size: int | None, why: str,
                    control: int | None, counts: tuple[int, int, int, int] = (0, 0, 0, 0),
                    located: bool = False) -> None:
        """Record a file as quarantined, write its STEM.reason, move it to quarantine/ (that order: a
        kill after the record is finished by the next run, which writes the reason and moves it).
        `located`: `why` is a reading error that names the file already."""
        self.ledger.quarantined(sha256, claimed.shown, stem, size, why, counts)
        worker.failpoint("recorded")
        home = self.outbox.quarantined(stem)
        durable.write_atomic(home.with_name(home.name + ".reason"), _reason(why if located else f"{claimed.shown}: {why}"))
        durable.move(claimed.path, home)
        self.tally.quarantined += 1
        self.counted(counts[0], counts[0] - counts[1])
        numbers = f" (control numbers {_numbers(control)})" if control is not None else ""
        self.log(f"{claimed.shown}: quarantined{numbers}: {why}")

    def _withdraw(self, job: Job) -> None:
        """Take back a reservation whose file changed while it was answered (no answer was placed): its
        row goes, its control numbers stay used; the file is hashed again once it is settled."""
        self.ledger.release(job.sha256)
        self.claimed_now.discard(job.sha256)
        self.log(f"{job.shown}: changed while it was answered (something still wrote to it): answered again"
                 " once it is settled")

    def _unlink_answers(self, job: Job) -> None:
        for path in (*worker.targets(job.outbox, job.stem), worker.result_path(job.outbox, job.stem)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def _died(self, job: Job, claimed: Claimed, hand: InHand) -> None:
        """A worker died while this file was in hand: answer it again, unless this keeps happening."""
        deaths = self.deaths[job.sha256] = self.deaths.get(job.sha256, 0) + 1
        if deaths < WORKER_DEATHS:
            hand.redo.append((job, claimed))
            return
        self._unlink_answers(job)
        why = f"a worker process died {WORKER_DEATHS} times while answering it (out of memory?): not answered"
        self._file_step(claimed, self._quarantine, claimed, job.sha256, job.stem, None, why, job.control)

    def _not_hashed(self, claimed: Claimed, exc: BaseException) -> None:
        self.warn(f"error: {claimed.shown}: not answered (internal error {type(exc).__name__}; please report it):"
                  " it stays claimed for the next run")
        self.tally.failed += 1

    def _not_answered(self, job: Job, claimed: Claimed, exc: BaseException) -> None:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        self.warn(f"error: {job.shown}: not answered ({why}): it stays claimed; the next run answers it with"
                  " the same control numbers")
        self.tally.failed += 1
        self.claimed_now.discard(job.sha256)

    def _answered(self, job: Job, claimed: Claimed, outcome: Outcome) -> None:
        t = self.tally
        t.claims += outcome.claims
        t.accepted += outcome.accepted
        t.rejected_sets += outcome.rejected_sets
        counts = (outcome.claims, outcome.accepted, outcome.rejected_sets, outcome.forwarded)
        if outcome.error is not None:
            self._quarantine(claimed, job.sha256, job.stem, None, outcome.error, job.control, counts, located=True)
            return
        self.ledger.answered(job.sha256, *counts)
        worker.failpoint("recorded")
        durable.move(claimed.path, self.outbox.archived(job.stem))
        worker.failpoint("moved")
        t.answered += 1
        self.counted(outcome.claims, outcome.claims - outcome.accepted)
        sets = f", {outcome.rejected_sets} set(s) rejected" if outcome.rejected_sets else ""
        self.log(f"{job.shown}: answered (control numbers {_numbers(job.control)}):"
                 f" {claims_phrase(outcome.claims, outcome.accepted)}{sets}")


def _why(exc: OSError) -> str:
    if isinstance(exc, durable.NotRegular) or exc.errno in (errno.EISDIR, errno.ELOOP):
        return "not a regular file"
    return f"cannot be read: {exc.strerror or exc}"


def _reason(why: str) -> bytes:
    return f"{why}\n".encode()


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'s' * (n != 1)}"


def _numbers(control: int) -> str:
    return f"{control:09d}-{control + 2:09d}"


# -- the ledger, printed --------------------------------------------------------------------------

def status_lines(outbox: Path) -> Iterable[str]:
    """What the ledger of `outbox` says: one line per input, per duplicate, then the counts. Reads
    only: OUTBOX need not be writable."""
    path = outbox / "ledger.sqlite"
    if not path.is_file():
        raise Unusable(f"{printable(str(outbox))}: no ledger here (ledger.sqlite): not an OUTBOX of `edi837 run`")
    try:
        ledger = Ledger(path, readonly=True)
        rows, duplicates = list(ledger.rows()), ledger.duplicates()
        ledger.close()
    except sqlite3.Error as exc:
        raise Unusable(f"{printable(str(path))}: cannot read the ledger: {exc}") from None
    counts = {ANSWERED: 0, QUARANTINED: 0, CLAIMED: 0}
    for row in rows:
        counts[row.state] += 1
        controls = _numbers(row.control) if row.control is not None else "-"
        when = row.finished_at or row.claimed_at
        what = (claims_phrase(row.claims or 0, row.accepted or 0) if row.state == ANSWERED
                else "in flight: answered again by the next run" if row.state == CLAIMED
                else f"reason: {(row.reason or '').splitlines()[0] if row.reason else ''}")
        yield f"{row.state:<11} {when}  {printable(row.stem)}  control {controls}  {what}"
    for seen, name, archived, stem in duplicates:
        yield f"{'duplicate':<11} {seen}  {printable(name)}  of {printable(stem)}  archived as {printable(archived)}"
    yield (f"{counts[ANSWERED]} answered, {counts[QUARANTINED]} quarantined, {counts[CLAIMED]} in flight,"
           f" {_count(len(duplicates), 'duplicate')}")
