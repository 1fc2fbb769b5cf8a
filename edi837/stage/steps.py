"""One file's steps in the stage's parent process: what it records in the ledger, moves in OUTBOX,
counts and logs when a worker has hashed or answered a file (the order is run.py's theory of
operation). The scheduler (stage/scheduler.py) decides when each step runs; `guarded` decides what
an error in one means: a file's (an OSError: it stays claimed) or the run's (the ledger: Stopped).
"""

from __future__ import annotations

import datetime as dt
import errno
import sqlite3
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from .. import durable
from ..answers.control import AnswerNumbers, ControlNumbers, Settings
from ..answers.write.report import claims_phrase
from ..errors import Edi837Error, printable
from . import payer, worker
from .inbox import Claimed
from .ledger import ANSWERED, CLAIMED, QUARANTINED, Ledger, Row
from .outbox import Outbox
from .status import Tally, count, numbers
from .worker import Hashed, Job, Outcome

WORKER_DEATHS = 3  # a file in hand when a worker died this many times is quarantined, not retried

P = ParamSpec("P")
T = TypeVar("T")
Counts = tuple[int, int, int, int]  # claims, accepted, rejected sets, forwarded


class Stopped(Exception):
    """The run cannot go on: the ledger cannot be written (a full disk, a broken database), or no
    control number is left. The files in hand stay claimed."""


class Steps:
    """The parent's steps for each file, over what the run holds: the ledger, the control numbers,
    OUTBOX, the tally. `claimed_now` and `deaths` are what the run remembers between a file's steps."""

    def __init__(self, outbox: Outbox, ledger: Ledger, numbers: ControlNumbers, settings: Settings, profile: str,
                 tally: Tally, log: Callable[[str], None], warn: Callable[[str], None],
                 counted: Callable[[int, int], None]) -> None:
        self.outbox = outbox
        self.ledger = ledger
        self.numbers = numbers
        self.settings = settings
        self.profile = profile
        self.tally = tally
        self.log = log  # a line per file
        self.warn = warn  # errors
        self.counted = counted  # a file done: claims, rejected claims
        self.claimed_now: set[str] = set()  # content reserved or answered by this run
        self.deaths: dict[str, int] = {}  # worker deaths per content in hand

    def guarded(self, claimed: Claimed, step: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        """Run one parent step for a file: an OSError (a full disk) leaves the file claimed for the
        next run and the run goes on (None); a ledger error ends the run."""
        try:
            return step(*args, **kwargs)
        except sqlite3.Error as exc:
            raise Stopped(f"{printable(str(self.outbox.root))}: the ledger cannot be written ({exc})") from None
        except Edi837Error as exc:  # no number left (NumbersUsedUp), or a control-number state that cannot be read
            raise Stopped(str(exc)) from None
        except OSError as exc:
            self.tally.failed += 1
            self.warn(f"error: {claimed.shown}: {exc.strerror or exc}: it stays claimed; the next run finishes it")
            return None

    # -- hashed ------------------------------------------------------------------------------------

    def hashed(self, claimed: Claimed, hashed: Hashed) -> Job | None:
        """Reserve a hashed input (or settle it at once: a duplicate, a move to finish, not X12); the
        Job to hand a worker, or None."""
        worker.failpoint("hashed")
        if hashed.response:
            self._response(claimed, hashed)
            return None
        row = self.ledger.find(hashed.sha256)
        if row is None:
            return self._reserve(claimed, hashed)
        if hashed.sha256 not in self.claimed_now:
            if row.state == CLAIMED:
                return self._redo(claimed, hashed, row)
            if self._move_unfinished(claimed, row):
                return None
        self._duplicate(claimed, hashed, row)
        return None

    def _reserve(self, claimed: Claimed, hashed: Hashed) -> Job | None:
        """New content: its control numbers and clock committed to the ledger (none for a file that is
        not X12 at all: quarantined at once)."""
        stem = self.ledger.free_stem(claimed.shown, hashed.sha256)
        if not hashed.x12:  # empty or binary: nothing to answer, no control numbers spent
            why = "an empty file" if hashed.size == 0 else "not an X12 interchange (it does not start with ISA)"
            self.quarantine(claimed, hashed.sha256, stem, hashed.size, why, None)
            return None
        reserved = AnswerNumbers.take(self.numbers)  # committed to the state file before the ledger row names it
        when = self.settings.now.replace(microsecond=0)
        self.ledger.claim(hashed.sha256, claimed.shown, stem, hashed.size, reserved.first, when)
        worker.failpoint("reserved")
        self.claimed_now.add(hashed.sha256)
        return self._job(claimed, hashed, stem, reserved.first, when)

    def _redo(self, claimed: Claimed, hashed: Hashed, row: Row) -> Job:
        """Content reserved by a run that stopped: answered again with the numbers and clock it has."""
        self.claimed_now.add(hashed.sha256)
        self.tally.redone += 1
        assert row.control is not None and row.answer_time is not None
        self.log(f"{claimed.shown}: in flight when a run stopped: answering it again with control numbers"
                 f" {numbers(row.control)}")
        return self._job(claimed, hashed, row.stem, row.control, row.answer_time)

    def _move_unfinished(self, claimed: Claimed, row: Row) -> bool:
        """Content answered (or quarantined) by a run that stopped before its move: the move finished
        now. False when its archived copy is there (the file is a duplicate)."""
        if row.state not in (ANSWERED, QUARANTINED):
            return False
        home = self.outbox.archived(row.stem) if row.state == ANSWERED else self.outbox.quarantined(row.stem)
        if home.exists():
            return False
        if row.state == QUARANTINED:
            self.outbox.quarantine(claimed.path, row.stem, row.reason or "")
        else:
            self.outbox.archive(claimed.path, row.stem)
        self.tally.moved += 1
        self.log(f"{claimed.shown}: {row.state} by a run that stopped before moving it: moved to"
                 f" {self.outbox.shown(home)}")
        return True

    def _job(self, claimed: Claimed, hashed: Hashed, stem: str, control: int, when: dt.datetime) -> Job:
        return Job(str(claimed.path), claimed.shown, hashed.sha256, (hashed.size, hashed.mtime_ns), stem, control,
                   when, self.profile, self.settings, self.outbox.root)

    def _duplicate(self, claimed: Claimed, hashed: Hashed, row: Row) -> None:
        target = self.outbox.archive_duplicate(claimed.path, claimed.shown)
        self.ledger.duplicate(hashed.sha256, claimed.shown, hashed.size, self.outbox.shown(target))
        self.tally.duplicates += 1
        state = "being answered now" if row.state == CLAIMED else row.state
        self.log(f"{claimed.shown}: duplicate of {printable(row.stem)} ({state}): not answered again,"
                 f" moved to {self.outbox.shown(target)}")

    # -- a payer's answer ----------------------------------------------------------------------------

    def _response(self, claimed: Claimed, hashed: Hashed) -> None:
        """A TA1, 999 or 277CA from the payer: recorded against the forwarded claims (stage/payer.py),
        then archived. Content recorded before is a duplicate, or a move a stopped run did not finish."""
        found = self.ledger.find_response(hashed.sha256)
        if found is not None:
            home = self.outbox.archived(found[1])
            if not home.exists():
                self.outbox.archive(claimed.path, found[1])
                self.tally.moved += 1
                self.log(f"{claimed.shown}: recorded by a run that stopped before moving it: moved to"
                         f" {self.outbox.shown(home)}")
                return
            target = self.outbox.archive_duplicate(claimed.path, claimed.shown)
            self.ledger.duplicate(hashed.sha256, claimed.shown, hashed.size, self.outbox.shown(target))
            self.tally.duplicates += 1
            self.log(f"{claimed.shown}: duplicate of the payer's answer {printable(found[1])}: not recorded again,"
                     f" moved to {self.outbox.shown(target)}")
            return
        stem = self.ledger.free_response_stem(claimed.shown, hashed.sha256)
        done = payer.record(self.ledger, claimed.path, claimed.shown, hashed.sha256, stem, self.log,
                            (hashed.size, hashed.mtime_ns))
        if done.unreadable and not done.items:  # an answer's header, then nothing readable: as an 837 would be
            self.quarantine(claimed, hashed.sha256, self.ledger.free_stem(claimed.shown, hashed.sha256), hashed.size,
                            done.unreadable, None, located=True)
            return
        worker.failpoint("response-recorded")
        self.outbox.archive(claimed.path, stem)
        self.tally.responses += 1
        self.counted(0, 0)
        self.log(f"{claimed.shown}: payer's answer ({' '.join(done.kinds) or 'no answer in it'}"
                 f"{' from ' + printable(done.payer) if done.payer else ''}): {count(done.items, 'answer')} recorded,"
                 f" {done.unmatched} unmatched, {done.again} answered again, {count(done.problems, 'problem')} in the file")

    # -- quarantined -------------------------------------------------------------------------------

    def quarantine_unreadable(self, claimed: Claimed, error: OSError) -> None:
        """A claimed file that cannot even be hashed: quarantined with its reason, without answers."""
        self.quarantine(claimed, None, self.ledger.free_stem(claimed.shown, None), None, _why(error), None)

    def quarantine(self, claimed: Claimed, sha256: str | None, stem: str, size: int | None, why: str,
                   control: int | None, counts: Counts = (0, 0, 0, 0), located: bool = False) -> None:
        """Record a file as quarantined, write its STEM.reason, move it to quarantine/ (that order: a
        kill after the record is finished by the next run, which writes the reason and moves it).
        `located`: `why` is a reading error that names the file already."""
        self.ledger.quarantined(sha256, claimed.shown, stem, size, why, counts)
        worker.failpoint("recorded")
        self.outbox.quarantine(claimed.path, stem, why if located else f"{claimed.shown}: {why}")
        self.tally.quarantined += 1
        self.counted(counts[0], counts[0] - counts[1])
        said = f" (control numbers {numbers(control)})" if control is not None else ""
        self.log(f"{claimed.shown}: quarantined{said}: {why}")

    # -- answered, or not --------------------------------------------------------------------------

    def answered(self, job: Job, claimed: Claimed, outcome: Outcome) -> None:
        t = self.tally
        t.claims += outcome.claims
        t.accepted += outcome.accepted
        t.rejected_sets += outcome.rejected_sets
        counts = (outcome.claims, outcome.accepted, outcome.rejected_sets, outcome.forwarded)
        if outcome.error is not None:
            self.quarantine(claimed, job.sha256, job.stem, None, outcome.error, job.control, counts, located=True)
            return
        self.ledger.answered(job.sha256, *counts, sent=payer.sent(self.outbox, job.stem) if outcome.forwarded else ())
        worker.failpoint("recorded")
        self.outbox.archive(claimed.path, job.stem)
        worker.failpoint("moved")
        t.answered += 1
        self.counted(outcome.claims, outcome.claims - outcome.accepted)
        sets = f", {outcome.rejected_sets} set(s) rejected" if outcome.rejected_sets else ""
        self.log(f"{job.shown}: answered (control numbers {numbers(job.control)}):"
                 f" {claims_phrase(outcome.claims, outcome.accepted)}{sets}")

    def withdraw(self, job: Job) -> None:
        """Take back a reservation whose file changed while it was answered (no answer was placed): its
        row goes, its control numbers stay used; the file is hashed again once it is settled."""
        self.ledger.release(job.sha256)
        self.claimed_now.discard(job.sha256)
        self.log(f"{job.shown}: changed while it was answered (something still wrote to it): answered again"
                 " once it is settled")

    def died(self, job: Job, claimed: Claimed) -> bool:
        """A worker died while this file was in hand: True to answer it again; after WORKER_DEATHS
        deaths it is quarantined instead (False)."""
        deaths = self.deaths[job.sha256] = self.deaths.get(job.sha256, 0) + 1
        if deaths < WORKER_DEATHS:
            return True
        self.outbox.remove_answers(job.stem)
        why = f"a worker process died {WORKER_DEATHS} times while answering it (out of memory?): not answered"
        self.guarded(claimed, self.quarantine, claimed, job.sha256, job.stem, None, why, job.control)
        return False

    def not_hashed(self, claimed: Claimed, exc: BaseException) -> None:
        self.warn(f"error: {claimed.shown}: not answered (internal error {type(exc).__name__}; please report it):"
                  " it stays claimed for the next run")
        self.tally.failed += 1

    def not_answered(self, job: Job, exc: BaseException) -> None:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        self.warn(f"error: {job.shown}: not answered ({why}): it stays claimed; the next run answers it with"
                  " the same control numbers")
        self.tally.failed += 1
        self.claimed_now.discard(job.sha256)


def _why(exc: OSError) -> str:
    if isinstance(exc, durable.NotRegular) or exc.errno in (errno.EISDIR, errno.ELOOP):
        return "not a regular file"
    return f"cannot be read: {exc.strerror or exc}"
