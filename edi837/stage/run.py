"""The pipeline stage (`edi837 run INBOX --out OUTBOX`): answer every file dropped in an inbound
folder exactly once, whatever happens to the process or the machine.

Theory of operation. The parent process owns the ledger (edi837.ledger) and the control numbers;
a process pool does the reading and writing. For each settled input in INBOX:

1. a worker hashes it (SHA-256, streamed);
2. the parent looks the hash up: new content is *claimed* (its control numbers and the clock of
   its answers reserved and committed to the ledger); content claimed by a run that was killed is
   claimed again with the numbers and clock it already has; content already answered is a
   duplicate (or, when its archived copy is missing, the original, killed before its move);
3. a worker writes its answers (acks/STEM.999, acks/STEM.277ca, forward/STEM.accepted.837) and
   results/STEM.json, each under a temporary name in its folder, fsynced, renamed, the folder fsynced:
   the same answer code as `ack` (edi837.acknowledge.answer_into);
4. the parent records the outcome (answered, or quarantined: not a readable 837I), then moves the
   input to archive/STEM (or quarantine/STEM with a STEM.reason beside it), last.

A kill at any moment leaves a ledger row that says how far the input got; the next run removes
leftover temporaries and finishes or redoes it (see edi837.ledger). Every file written is 0600 and
every folder 0700: answers carry patient data. Log lines name files, counts, control numbers and
rule ids only, never claim contents.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import dataclasses
import datetime as dt
import errno
import fcntl
import fnmatch
import functools
import hashlib
import json
import multiprocessing
import os
import signal
import stat
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from . import acknowledge, api
from .acknowledge import AnsweredSet, Read, Targets
from .control import ControlNumbers, Settings
from .durable import fsync_folder, private_fd, temporary
from .durable import write_atomic as write_private
from .ledger import ANSWERED, CLAIMED, QUARANTINED, Ledger, Row
from .read import DEFAULT_DELIMITERS, EdiError, printable
from .write.report import Summary

INCLUDE = ("*.837", "*.edi", "*.txt", "*.x12")
ARRIVING = (".part", ".tmp", ".filepart")  # names of files still being written (and any name starting with .)
FOLDERS = ("acks", "forward", "results", "archive", "quarantine", "runs")
EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE, EXIT_INTERRUPTED = 0, 1, 2, 130


class Unusable(Exception):
    """INBOX or OUTBOX cannot be used (exit 2)."""


# -- the OUTBOX layout ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Outbox:
    root: Path

    def folder(self, name: str) -> Path:
        return self.root / name

    def targets(self, stem: str) -> Targets:
        return Targets(self.root / "acks" / f"{stem}.999", self.root / "acks" / f"{stem}.277ca",
                       self.root / "forward" / f"{stem}.accepted.837")

    def result(self, stem: str) -> Path:
        return self.root / "results" / f"{stem}.json"

    def archived(self, stem: str) -> Path:
        return self.root / "archive" / stem

    def quarantined(self, stem: str) -> Path:
        return self.root / "quarantine" / stem

    def prepare(self) -> None:
        """Make the folders (0700); raises Unusable when OUTBOX cannot be written."""
        try:
            for sub in ("", *FOLDERS, "archive/duplicates"):
                folder = self.root / sub
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                if not os.access(folder, os.W_OK | os.X_OK):
                    raise Unusable(f"{printable(str(folder))}: cannot write there")
        except OSError as exc:
            raise Unusable(f"{printable(str(self.root))}: cannot make the OUTBOX folders: {exc.strerror or exc}") from None

    def lock(self) -> int:
        """Hold OUTBOX for this run (a second run on it would hand out the same inputs): the lock's fd."""
        fd = os.open(self.root / ".lock", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise Unusable(f"{printable(str(self.root))}: another `edi837 run` is using this OUTBOX") from None
        return fd

    def remove_temporaries(self) -> int:
        """Delete what a killed run left half-written (hidden .tmp files); how many."""
        removed = 0
        for sub in ("", *FOLDERS, "archive/duplicates"):
            for path in (self.root / sub).glob(".*.tmp"):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed += 1
        return removed


def move(source: Path, target: Path) -> None:
    """Rename `source` to `target` (OUTBOX is on the same file system as INBOX, or the move is a copy
    then a removal), durably, made private first (an input dropped 0644 is archived 0600, even when
    a kill comes straight after the rename)."""
    with contextlib.suppress(OSError):
        if not source.is_symlink():
            source.chmod(0o700 if source.is_dir() else 0o600)
    try:
        os.rename(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        with open(source, "rb") as fh:
            tmp = temporary(target)
            with open(private_fd(tmp), "wb") as out:
                while chunk := fh.read(1 << 20):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        source.unlink()
    fsync_folder(target.parent)
    fsync_folder(source.parent)


# -- what the workers do --------------------------------------------------------------------------

@dataclass(frozen=True)
class Hashed:
    name: str
    sha256: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Job:
    """One input to answer, with what the ledger reserved for it."""

    path: str
    name: str
    sha256: str
    stem: str
    control: int
    when: dt.datetime
    profile: str
    settings: Settings
    outbox: Path


@dataclass
class Outcome:
    stem: str
    sha256: str
    claims: int = 0
    accepted: int = 0
    rejected_sets: int = 0
    forwarded: int = 0
    error: str | None = None  # why it is quarantined (a located reading error)


def _worker_start() -> None:
    # The parent decides when to stop (a signal finishes the files in hand): workers ignore the
    # signals a terminal or a service manager sends the whole process group.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def hash_file(path: str) -> Hashed:
    """The input's SHA-256, size and mtime (read as the hash is taken: the file must not change)."""
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)  # a FIFO named like an input: no wait
    with open(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "not a regular file")
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return Hashed(Path(path).name, digest.hexdigest(), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _checker(profile: str, today: dt.date) -> Any:
    return api.checker(profile, today, keep_segments=True)


class Reserved:
    """The control numbers the ledger holds for one input (acknowledge.Numbering)."""

    def __init__(self, first: int) -> None:
        self.first = first

    def take(self, count: int = 1) -> int:
        return self.first


def answer_job(job: Job) -> Outcome:
    """Write one input's answers and its result (in a worker process)."""
    outbox = Outbox(job.outbox)
    settings = dataclasses.replace(job.settings, fixed_time=job.when)  # a redo writes the same bytes
    summary = Summary()
    sets: list[dict[str, Any]] = []

    def watching(read: Read) -> Read:
        def items(render: Callable[..., AnsweredSet]) -> Iterator[object]:
            for item in read(render):
                if isinstance(item, AnsweredSet):
                    ak2 = item.ik[0].split(DEFAULT_DELIMITERS.element)
                    sets.append({"st02": ak2[2] if len(ak2) > 2 else "", "ik501": item.ack, "claims": item.claims,
                                 "accepted": item.accepted, "forwarded": item.forwarded})
                yield item
        return items

    result = acknowledge.answer_into(job.path, _checker(job.profile, job.when.date()), settings,
                                     Reserved(job.control), outbox.targets(job.stem), summary, durable=True,
                                     read=watching)
    error = str(result.error) if result.error is not None else None
    outcome = Outcome(job.stem, job.sha256, summary.claims, summary.accepted, summary.rejected_sets,
                      sum(s["forwarded"] for s in sets), error)
    written = [str(p.relative_to(job.outbox)) for p in outbox.targets(job.stem) if p.exists()]
    record = {"name": job.name, "stem": job.stem, "sha256": job.sha256,
              "outcome": QUARANTINED if error else ANSWERED,
              "control_numbers": {"999": job.control, "277CA": job.control + 1, "837": job.control + 2},
              "answered_at": job.when.isoformat(timespec="seconds"), "claims": summary.claims,
              "accepted": summary.accepted, "rejected": summary.rejected, "rejected_sets": summary.rejected_sets,
              "envelope_errors": summary.envelope_errors, "sets": sets, "error": error, "outputs": written}
    write_private(outbox.result(job.stem), (json.dumps(record, indent=1) + "\n").encode())
    return outcome


# -- the parent: scanning, the ledger, the pool ---------------------------------------------------

@dataclass
class Tally:
    answered: int = 0
    quarantined: int = 0
    duplicates: int = 0
    redone: int = 0  # claimed by a killed run, answered again with its numbers
    moved: int = 0  # answered by a killed run before its move: moved now
    left_alone: int = 0
    failed: int = 0  # could not be answered (a full disk): left in INBOX, claimed, for the next run
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
class Stage:
    options: Options
    log: Callable[[str], None]  # a line per file (and recovery notes)
    warn: Callable[[str], None]  # errors, on standard error
    counted: Callable[[int, int], None] = lambda claims, rejected: None  # a file done: moves a progress bar
    tally: Tally = field(default_factory=Tally)
    summary_line: str = ""
    stopping: bool = False
    interrupted: bool = False
    changed: bool = False  # an input changed while it was hashed: INBOX is looked at again

    def run(self) -> int:
        """Answer what INBOX holds (and, with --watch, what arrives, until a signal); the exit code."""
        opts = self.options
        if not opts.inbox.is_dir():
            raise Unusable(f"{printable(str(opts.inbox))}: INBOX is not a folder")
        inbox, outbox_root = opts.inbox.resolve(), opts.outbox.resolve()
        if outbox_root == inbox:
            raise Unusable("OUTBOX must not be INBOX")
        self.outbox = Outbox(opts.outbox)
        self.outbox.prepare()
        lock = self.outbox.lock()
        try:
            self.ledger = Ledger(self.outbox.root / "ledger.sqlite")
            self.numbers = ControlNumbers(opts.settings)
        except (OSError, EdiError) as exc:
            os.close(lock)
            raise Unusable(str(exc)) from None
        self.inside = outbox_root.name if outbox_root.parent == inbox else ""  # an OUTBOX inside INBOX is not read
        started = time.monotonic()
        started_at = dt.datetime.now(dt.UTC)
        run_id = self.ledger.run_started()
        self._recover()
        previous = {sig: signal.signal(sig, self._signalled) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self._loop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        code = self.exit_code()
        summary = self._summary(started_at, time.monotonic() - started, code)
        text = json.dumps(summary, indent=1) + "\n"
        write_private(self.outbox.folder("runs") / f"{started_at:%Y%m%dT%H%M%SZ}-{os.getpid()}.json", text.encode())
        self.ledger.run_finished(run_id, text)
        self.ledger.close()
        os.close(lock)
        t = self.tally
        self.summary_line = (
            f"{t.answered + t.quarantined} file{'s' * (t.answered + t.quarantined != 1)}: {t.answered} answered,"
            f" {t.quarantined} quarantined, {t.duplicates} duplicate{'s' * (t.duplicates != 1)};"
            f" {t.claims} claim{'s' * (t.claims != 1)}: {t.accepted} accepted, {t.rejected} rejected"
            + (f"; {t.failed} not answered (see the errors above)" if t.failed else "")
            + (" (interrupted: the rest stays in INBOX for the next run)" if code == EXIT_INTERRUPTED else ""))
        return code

    def exit_code(self) -> int:
        if self.interrupted and not self.options.watch:
            return EXIT_INTERRUPTED
        t = self.tally
        if t.failed:
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
                "claims": t.claims, "accepted": t.accepted, "rejected": t.rejected, "rejected_sets": t.rejected_sets}

    def _signalled(self, signum: int, frame: FrameType | None) -> None:
        if self.stopping:  # asked twice: stop now (the ledger makes this safe; the next run redoes it)
            raise KeyboardInterrupt
        self.stopping = self.interrupted = True
        self.log(f"{signal.Signals(signum).name}: finishing the files in hand, then stopping")

    def _recover(self) -> None:
        removed = self.outbox.remove_temporaries() + self.numbers.remove_temporaries()
        if removed:
            self.log(f"recovery: removed {removed} temporary file{'s' * (removed != 1)} a stopped run left")
        flight = self.ledger.in_flight()
        if flight:
            self.log(f"recovery: {len(flight)} input{'s' * (len(flight) != 1)} in flight when a run stopped;"
                     " each is answered again with its reserved control numbers when found in INBOX")

    # -- the loop ---------------------------------------------------------------------------------

    def _loop(self) -> None:
        opts = self.options
        context = multiprocessing.get_context("fork")
        reported: set[str] = set()  # names reported as left alone
        busy: set[str] = set()  # names hashed or answered now
        queue: deque[tuple[str, int, int]] = deque()  # (name, size, mtime_ns) settled, waiting for a worker
        hashing: dict[cf.Future[Hashed], tuple[str, int, int]] = {}
        answering: dict[cf.Future[Outcome], Job] = {}
        self.claimed_now: set[str] = set()
        limit = 2 * opts.workers  # files in hand at once: what a signal waits for
        next_scan = 0.0
        with cf.ProcessPoolExecutor(opts.workers, mp_context=context, initializer=_worker_start) as pool:
            while True:
                pending = 0
                if not self.stopping and time.monotonic() >= next_scan:
                    ready, pending = self._scan(reported, busy)
                    queue.extend(ready)
                    busy.update(name for name, _, _ in ready)
                    next_scan = time.monotonic() + (opts.interval if opts.watch or pending else 0.0)
                    if not opts.watch and not pending:
                        next_scan = float("inf")  # one pass: what arrives later waits for the next run
                if self.changed and next_scan == float("inf"):
                    self.changed = False
                    next_scan = time.monotonic() + opts.interval
                while queue and not self.stopping and len(hashing) + len(answering) < limit:
                    entry = queue.popleft()
                    hashing[pool.submit(hash_file, str(opts.inbox / entry[0]))] = entry
                if not hashing and not answering:
                    if self.stopping or (not opts.watch and not queue and next_scan == float("inf")):
                        return
                    self._sleep(max(0.0, min(next_scan - time.monotonic(), opts.interval)))
                    continue
                in_hand: list[cf.Future[Any]] = [*hashing, *answering]
                cf.wait(in_hand, timeout=0.5, return_when=cf.FIRST_COMPLETED)
                for hashed in [f for f in hashing if f.done()]:
                    entry = hashing.pop(hashed)
                    job = self._hashed(entry, hashed)
                    if job is None:
                        busy.discard(entry[0])
                    else:
                        answering[pool.submit(answer_job, job)] = job
                for answered in [f for f in answering if f.done()]:
                    job = answering.pop(answered)
                    self._answered(job, answered)
                    busy.discard(job.name)
                if self.stopping:
                    queue.clear()
                    for future in list(hashing):  # not claimed yet: left for the next run
                        if future.done() or future.cancel():
                            entry = hashing.pop(future)
                            busy.discard(entry[0])

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < end:
            time.sleep(min(0.2, end - time.monotonic()))

    def _scan(self, reported: set[str], busy: set[str]) -> tuple[list[tuple[str, int, int]], int]:
        """INBOX's settled inputs not in hand yet (name, size, mtime), and how many are still settling."""
        opts = self.options
        ready: list[tuple[str, int, int]] = []
        pending = 0
        try:
            names = sorted(os.listdir(opts.inbox))
        except OSError as exc:
            self.warn(f"error: {printable(str(opts.inbox))}: cannot list INBOX: {exc.strerror or exc}")
            return [], 1 if opts.watch else 0
        now = time.time()
        for name in names:
            if name in busy or name.startswith(".") or name.lower().endswith(ARRIVING) or name == self.inside:
                continue
            path = opts.inbox / name
            if not any(fnmatch.fnmatch(name.lower(), pattern.lower()) for pattern in opts.include):
                if name not in reported:
                    reported.add(name)
                    self.tally.left_alone += 1
                    what = "a folder" if path.is_dir() else "not an input (--include)"
                    self.log(f"{printable(name)}: left alone: {what}")
                continue
            try:
                st = path.lstat()
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(st.st_mode):  # a folder or a link named like an input: quarantined by the hash
                ready.append((name, -1, -1))
            elif now - st.st_mtime >= opts.settle:
                ready.append((name, st.st_size, st.st_mtime_ns))
            else:
                pending += 1
        return ready, pending

    def _hashed(self, entry: tuple[str, int, int], future: cf.Future[Hashed]) -> Job | None:
        """Claim a hashed input (or settle it at once: a duplicate, a move to finish, unreadable);
        the Job to hand a worker, or None."""
        name, size, mtime_ns = entry
        path = self.options.inbox / name
        try:
            hashed = future.result()
        except OSError as exc:
            if isinstance(exc, FileNotFoundError) and not path.is_symlink() and not path.exists():
                return None  # gone (taken by somebody else): nothing to do
            why = "not a regular file" if exc.errno in (errno.EISDIR, errno.ELOOP) else f"cannot be read: {exc.strerror or exc}"
            self._quarantine_unreadable(name, why)
            return None
        if (hashed.size, hashed.mtime_ns) != (size, mtime_ns):
            self.changed = True
            return None  # it changed since the scan: still arriving, looked at again next time
        row = self.ledger.find(hashed.sha256)
        if row is None:
            stem = self.ledger.free_stem(name, hashed.sha256)
            control = self.numbers.take(3)  # committed to the state file before the ledger row names it
            when = self.options.settings.now.replace(microsecond=0)
            self.ledger.claim(hashed.sha256, name, stem, hashed.size, control, when)
            self.claimed_now.add(hashed.sha256)
            return self._job(name, hashed.sha256, stem, control, when)
        if row.state == CLAIMED and hashed.sha256 not in self.claimed_now:
            self.claimed_now.add(hashed.sha256)
            self.tally.redone += 1
            assert row.control is not None and row.answer_time is not None
            self.log(f"{printable(name)}: in flight when a run stopped: answering it again with control numbers"
                     f" {row.control:09d}-{row.control + 2:09d}")
            return self._job(name, hashed.sha256, row.stem, row.control, row.answer_time)
        if row.state in (ANSWERED, QUARANTINED) and hashed.sha256 not in self.claimed_now:
            home = self.outbox.archived(row.stem) if row.state == ANSWERED else self.outbox.quarantined(row.stem)
            if not home.exists():  # the run that answered it was stopped before the move
                if row.state == QUARANTINED:
                    write_private(home.with_name(home.name + ".reason"), _reason(row.reason or "").encode())
                move(path, home)
                self.tally.moved += 1
                self.log(f"{printable(name)}: {row.state} by a run that stopped before moving it: moved to"
                         f" {home.relative_to(self.outbox.root)}")
                return None
        self._duplicate(name, hashed, row)
        return None

    def _job(self, name: str, sha256: str, stem: str, control: int, when: dt.datetime) -> Job:
        return Job(str(self.options.inbox / name), name, sha256, stem, control, when, self.options.profile,
                   self.options.settings, self.outbox.root)

    def _duplicate(self, name: str, hashed: Hashed, row: Row) -> None:
        folder = self.outbox.folder("archive/duplicates")
        target = folder / name
        n = 1
        while target.exists() or target.is_symlink():
            n += 1
            target = folder / f"{name}.{n}"
        move(self.options.inbox / name, target)
        self.ledger.duplicate(hashed.sha256, name, hashed.size, str(target.relative_to(self.outbox.root)))
        self.tally.duplicates += 1
        self.log(f"{printable(name)}: duplicate of {printable(row.stem)} ({row.state}): not answered again,"
                 f" moved to {target.relative_to(self.outbox.root)}")

    def _quarantine_unreadable(self, name: str, why: str) -> None:
        """An entry that cannot even be hashed: quarantined with its reason, without answers."""
        stem = self.ledger.free_stem(name, None)
        home = self.outbox.quarantined(stem)
        write_private(home.with_name(home.name + ".reason"), _reason(f"{name}: {why}").encode())
        move(self.options.inbox / name, home)
        self.ledger.quarantined(None, name, stem, None, why)
        self.tally.quarantined += 1
        self.counted(0, 0)
        self.log(f"{printable(name)}: quarantined: {why}")

    def _answered(self, job: Job, future: cf.Future[Outcome]) -> None:
        try:
            outcome = future.result()
        except Exception as exc:  # noqa: BLE001 (a full disk, a worker killed): the row stays claimed
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
            self.warn(f"error: {printable(job.name)}: not answered ({why}): it stays in INBOX, claimed; the next run"
                      " answers it with the same control numbers")
            self.tally.failed += 1
            self.claimed_now.discard(job.sha256)  # a later look answers it again, with the same numbers
            return
        t = self.tally
        t.claims += outcome.claims
        t.accepted += outcome.accepted
        t.rejected_sets += outcome.rejected_sets
        self.counted(outcome.claims, outcome.claims - outcome.accepted)
        numbers = f"control numbers {job.control:09d}-{job.control + 2:09d}"
        if outcome.error is not None:
            self.ledger.quarantined(job.sha256, job.name, job.stem, None, outcome.error,
                                    (outcome.claims, outcome.accepted, outcome.rejected_sets, outcome.forwarded))
            home = self.outbox.quarantined(job.stem)
            write_private(home.with_name(home.name + ".reason"), _reason(outcome.error).encode())
            move(Path(job.path), home)
            t.quarantined += 1
            self.log(f"{printable(job.name)}: quarantined ({numbers}): {outcome.error}")
            return
        self.ledger.answered(job.sha256, outcome.claims, outcome.accepted, outcome.rejected_sets, outcome.forwarded)
        move(Path(job.path), self.outbox.archived(job.stem))
        t.answered += 1
        self.log(f"{printable(job.name)}: answered ({numbers}): {outcome.claims} claim{'s' * (outcome.claims != 1)},"
                 f" {outcome.accepted} accepted" + (f", {outcome.rejected_sets} set(s) rejected" if outcome.rejected_sets
                                                    else ""))


def _reason(why: str) -> str:
    return f"{why}\n"


# -- the ledger, printed --------------------------------------------------------------------------

def status_lines(outbox: Path) -> Iterable[str]:
    """What the ledger of `outbox` says: one line per input, per duplicate, then the counts."""
    path = outbox / "ledger.sqlite"
    if not path.is_file():
        raise Unusable(f"{printable(str(outbox))}: no ledger here (ledger.sqlite): not an OUTBOX of `edi837 run`")
    ledger = Ledger(path)
    counts = {ANSWERED: 0, QUARANTINED: 0, CLAIMED: 0}
    try:
        for row in ledger.rows():
            counts[row.state] += 1
            controls = (f"{row.control:09d}-{row.control + 2:09d}" if row.control is not None else "-")
            when = row.finished_at or row.claimed_at
            what = (f"{row.claims} claim{'s' * (row.claims != 1)}, {row.accepted} accepted" if row.state == ANSWERED
                    else "in flight: answered again by the next run" if row.state == CLAIMED
                    else f"reason: {(row.reason or '').splitlines()[0] if row.reason else ''}")
            yield f"{row.state:<11} {when}  {printable(row.stem)}  control {controls}  {what}"
        duplicates = ledger.duplicates()
        for seen, name, archived, stem in duplicates:
            yield f"{'duplicate':<11} {seen}  {printable(name)}  of {printable(stem)}  archived as {printable(archived)}"
    finally:
        ledger.close()
    yield (f"{counts[ANSWERED]} answered, {counts[QUARANTINED]} quarantined, {counts[CLAIMED]} in flight,"
           f" {len(duplicates)} duplicates")
