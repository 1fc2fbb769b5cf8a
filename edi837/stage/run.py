"""The pipeline stage (`edi837 run INBOX --out OUTBOX`): answer every file dropped in an inbound
folder exactly once, whatever happens to the files, the processes or the disk.

Theory of operation. The parent process owns the ledger (stage/ledger.py), the control numbers and
both locks (OUTBOX's lock file, INBOX's folder); worker processes (stage/worker.py) hash and answer.
Its loop is stage/scheduler.py, its steps for each file stage/steps.py, the OUTBOX layout and the
moves stage/outbox.py, what it prints stage/status.py; this module opens and closes the run.
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
5. the parent records the outcome (answered, or quarantined: not a readable 837), then moves the
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

import contextlib
import datetime as dt
import json
import os
import signal
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from .. import durable
from ..answers.control import ControlNumbers, Settings
from ..engine.inputs import INCLUDE as CLAIMS_INCLUDE
from ..engine.inputs import RESPONSE_INCLUDE
from ..engine.results import EXIT_INTERRUPTED, exit_code
from ..errors import Edi837Error, printable
from . import payer
from .inbox import Inbox, Unusable
from .ledger import Ledger
from .outbox import Outbox
from .scheduler import Pace, Scheduler, Stop
from .status import Tally, count, run_summary, summary_line
from .steps import Steps, Stopped

INCLUDE = CLAIMS_INCLUDE + RESPONSE_INCLUDE  # what INBOX's files must be named: 837s and a payer's answers


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


class Stage:
    """One `edi837 run`: `run()` answers INBOX into OUTBOX and returns the exit code; `summary_line`
    is then what to print last. What the run opens (the locks, the ledger, the pool) lives only
    while `run()` does."""

    def __init__(self, options: Options, log: Callable[[str], None], warn: Callable[[str], None],
                 counted: Callable[[int, int], None] = lambda claims, rejected: None) -> None:
        self.options = options
        self.log = log  # a line per file (and recovery notes)
        self.warn = warn  # errors, on standard error
        self.counted = counted  # a file done: moves a progress bar
        self.tally = Tally()
        self.summary_line = ""
        self.stop = Stop()  # what signals asked
        self.interrupted = False
        self.stopped_by = ""  # why the run could not go on (Stopped)

    def run(self) -> int:
        """Answer what INBOX holds (and, with --watch, what arrives, until a signal); the exit code."""
        opts = self.options
        if not opts.inbox.is_dir():
            raise Unusable(f"{printable(str(opts.inbox))}: INBOX is not a folder")
        inbox_root, outbox_root = opts.inbox.resolve(), opts.outbox.resolve()
        if outbox_root == inbox_root:
            raise Unusable("OUTBOX must not be INBOX")
        outbox = Outbox(opts.outbox)
        outbox.prepare()
        inbox = Inbox(opts.inbox, opts.include, opts.settle, outbox_root.name if outbox_root.parent == inbox_root else "")
        with contextlib.ExitStack() as held:
            held.callback(os.close, outbox.lock())
            held.callback(os.close, inbox.lock())
            try:
                ledger = Ledger(outbox.root / "ledger.sqlite")
                held.callback(ledger.close)
                numbers = ControlNumbers(opts.settings, floor=ledger.highest_control())
            except (OSError, Edi837Error, sqlite3.Error) as exc:  # Edi837Error: NumbersUsedUp too
                raise Unusable(f"{printable(str(outbox.root))}: {exc}") from None
            steps = Steps(outbox, ledger, numbers, opts.settings, opts.profile, self.tally, self.log, self.warn,
                          self.counted)
            return self._run(steps, inbox)

    def _run(self, steps: Steps, inbox: Inbox) -> int:
        started, started_at = time.monotonic(), dt.datetime.now(dt.UTC)
        try:
            run_id = steps.ledger.run_started()
            self._recover(steps, inbox)
        except sqlite3.Error as exc:
            raise Unusable(f"{printable(str(steps.outbox.root))}: the ledger cannot be written: {exc}") from None
        # Signals are the stage's until its summary is written: a second one after the loop ended
        # must not kill the process before it says how the run went.
        previous = {sig: signal.signal(sig, self._signalled) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            return self._finish(steps, inbox, started, started_at, run_id)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _finish(self, steps: Steps, inbox: Inbox, started: float, started_at: dt.datetime, run_id: int) -> int:
        """The loop, then the run's summary (OUTBOX/runs/, the ledger, the summary line); the exit code."""
        opts = self.options
        try:
            Scheduler(inbox, steps, Pace(opts.workers, opts.watch, opts.interval, opts.settle), self.stop).run()
        except Stopped as exc:
            self.stopped_by = str(exc)
            self.warn(f"error: {exc}: stopping; the files in hand stay claimed for the next run")
        code = self.exit_code()
        summary = json.dumps(run_summary(self.tally, started_at=started_at, elapsed=time.monotonic() - started,
                                         code=code, interrupted=self.interrupted, stopped_by=self.stopped_by,
                                         workers=opts.workers, watch=opts.watch), indent=1) + "\n"
        with contextlib.suppress(OSError, sqlite3.Error):  # a full disk: the summary line still prints
            durable.write_atomic(steps.outbox.folder("runs") / f"{started_at:%Y%m%dT%H%M%SZ}-{os.getpid()}.json",
                                 summary.encode())
            steps.ledger.run_finished(run_id, summary)
        self.summary_line = summary_line(self.tally, code == EXIT_INTERRUPTED)
        return code

    def exit_code(self) -> int:
        return exit_code(self.tally.summary(stopped=bool(self.stopped_by)),
                         interrupted=self.interrupted and not self.options.watch)

    def _signalled(self, signum: int, frame: FrameType | None) -> None:
        if self.stop.stopping:  # asked twice: stop at once; what is in hand stays claimed
            self.stop.aborting = True
            return
        self.stop.stopping = self.interrupted = True
        self.log(f"{signal.Signals(signum).name}: finishing the files in hand, then stopping"
                 " (signal again to stop at once)")

    def _recover(self, steps: Steps, inbox: Inbox) -> None:
        payer.backfill(steps.ledger, steps.outbox, self.log)  # a ledger of an earlier release
        removed = steps.outbox.remove_temporaries() + steps.numbers.remove_temporaries()
        removed += durable.remove_temporaries(inbox.claims)
        if removed:
            self.log(f"recovery: removed {count(removed, 'temporary file')} a stopped run left")
        flight = steps.ledger.in_flight()
        if flight:
            self.log(f"recovery: {count(len(flight), 'input')} in flight when a run stopped;"
                     " each is answered again with its reserved control numbers")
