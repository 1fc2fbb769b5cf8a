"""What the stage's worker processes do: hash a claimed file, answer it.

Workers are forked from the stage's main thread (they share its loaded modules, and a fork, unlike a
spawn, has no start-up of its own that a kill of the parent could interrupt with a traceback). First
thing, each closes what it inherited of the parent's hold on INBOX and OUTBOX (the two locks, the
ledger's SQLite files), and binds itself to die with the parent (edi837.lifeline): a parent killed by
the OOM killer leaves no worker holding anything. They ignore SIGINT and SIGTERM: the parent decides
when to stop.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import hashlib
import json
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import durable, lifeline
from ..answers import acknowledge
from ..answers.acknowledge import AnsweredSet, Read, Render
from ..answers.control import AnswerNumbers, Reserved, Settings
from ..answers.write.report import Summary
from ..engine import pipeline
from ..errors import Edi837Error, rebuild_error
from ..responses.read import looks_like_response
from ..x12.read import BOM
from .outbox import Outbox

ANSWERED, QUARANTINED = "answered", "quarantined"
FAILPOINT = "EDI837_FAILPOINT"  # a test hook: see `failpoint`


class Changed(Exception):
    """The claimed file changed while it was hashed: a writer still had it open."""


@dataclass(frozen=True)
class Hashed:
    sha256: str
    size: int  # the bytes hashed
    mtime_ns: int
    x12: bool  # starts (after a BOM and white space) with ISA: worth control numbers
    response: bool = False  # a payer's TA1, 999 or 277CA (stage/payer.py), not an 837 to answer


@dataclass(frozen=True)
class Job:
    """One claimed input to answer, with what the ledger reserved for it."""

    path: str  # in the claims folder
    shown: str  # its INBOX name, printable
    sha256: str
    hashed: tuple[int, int]  # size and mtime when hashed: the answers must be of those bytes
    stem: str
    control: int  # the first of its AnswerNumbers (stage/ledger.py keeps this one)
    when: dt.datetime
    profile: str
    settings: Settings
    outbox: Path


@dataclass(frozen=True)
class Outcome:
    claims: int
    accepted: int
    rejected_sets: int
    forwarded: int
    error: str | None  # why it is quarantined (a located reading error)


def start(parent: int, inbox: str, outbox: str) -> None:
    """A worker's first act (the pool's initializer): let go of the parent's descriptors on INBOX and
    in OUTBOX, die with the parent, leave signals to it. The cycle collector stays off, as the parent
    has it (edi837.cli.main: reading makes no reference cycles; a worker with it on took 40% longer)."""
    lifeline.bind_to_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.environ["EDI837_MAIN_PID"] = str(parent)
    close_inherited(inbox, outbox)
    gc.freeze()
    gc.disable()


def close_inherited(inbox: str, outbox: str) -> int:
    """Close the descriptors this process inherited on the folder `inbox` itself or on anything inside
    `outbox` (the locks of both, the ledger and its -wal and -shm); how many. The parent keeps its own:
    a lock lives while any descriptor of it is open, so a forked worker that kept them would hold
    OUTBOX and INBOX after the parent died."""
    closed = 0
    inside = os.path.join(outbox, "")
    for entry in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{entry}")
        except OSError:
            continue
        if target == inbox or target.startswith(inside):
            with contextlib.suppress(OSError):
                os.close(int(entry))
                closed += 1
    return closed


def failpoint(step: str) -> None:
    """Testing the crash points: when EDI837_FAILPOINT names `step`, SIGKILL the stage's main process
    here (`step:group`: its whole process group), as the OOM killer or a power cut would. Off unless
    the variable is set."""
    wanted = os.environ.get(FAILPOINT)
    if not wanted or wanted.partition(":")[0] != step:
        return
    main = int(os.environ.get("EDI837_MAIN_PID") or os.getpid())
    if wanted.endswith(":group"):
        os.killpg(os.getpgid(main), signal.SIGKILL)
    os.kill(main, signal.SIGKILL)
    if main != os.getpid():
        signal.pause()  # a worker waits for its lifeline to end it


def hash_file(path: str) -> Hashed:
    """The claimed file's SHA-256 and size, read once through one descriptor (a regular file only);
    Changed when its size or mtime moved during the read (something still writes to it)."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    with durable.open_regular(path) as fh:
        before = os.fstat(fh.fileno())
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
            if len(head) < 512:
                head += chunk[:512]
        after = os.fstat(fh.fileno())
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or size != after.st_size:
        raise Changed(path)
    head = head.removeprefix(BOM.encode("latin-1")).lstrip()
    return Hashed(digest.hexdigest(), size, after.st_mtime_ns, head.startswith(b"ISA"), looks_like_response(head))


@functools.lru_cache(maxsize=4)
def _checker(profile: str, today: dt.date) -> Any:
    return pipeline.for_profile(profile, today, keep_segments=True)


def _named(error: Edi837Error, name: str) -> Edi837Error:
    """`error` located in the file by its INBOX name, not by its path in the claims folder."""
    return rebuild_error(type(error), error.message, {**error.constructor_args(), "file": name})


class Watch:
    """The reading of one job's input, watched (acknowledge.answer_into's `read`): each answered set
    noted for results/*.json and, once the file is read to its end, the check that it is still the
    bytes hashed (before any answer is placed)."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.sets: list[dict[str, Any]] = []  # per set: ST02, IK501, counts

    def __call__(self, read: Read) -> Read:
        return functools.partial(self._items, read)

    def _items(self, read: Read, render: Render) -> Iterator[object]:
        for item in read(render):
            if isinstance(item, AnsweredSet):
                self.sets.append({"st02": item.st02 if item.st02.isdigit() else None, "ik501": item.ack,
                                  "claims": item.claims, "accepted": item.accepted, "forwarded": item.forwarded})
            yield item
        st = os.stat(self.job.path)
        if (st.st_size, st.st_mtime_ns) != self.job.hashed:  # a writer that still held it open wrote on
            raise Changed(self.job.path)


def answer_job(job: Job) -> Outcome:
    """Write one input's answers and its result (in a worker process)."""
    settings = dataclasses.replace(job.settings, fixed_time=job.when)  # a redo writes the same bytes
    summary = Summary()
    watch = Watch(job)
    sets = watch.sets
    outbox = Outbox(job.outbox)
    where = outbox.answers(job.stem)
    result = acknowledge.answer_into(job.path, _checker(job.profile, job.when.date()), settings,
                                     Reserved(job.control, AnswerNumbers.COUNT), where, summary, durable=True,
                                     read=watch,
                                     placed=lambda target: failpoint(f"placed{target.suffix}"))
    failpoint("answered")
    error = None if result.error is None else str(_named(result.error, job.shown))
    written = [str(p.relative_to(job.outbox)) for p in where if p.exists()]
    record = {"name": job.shown, "stem": job.stem, "sha256": job.sha256,
              "outcome": QUARANTINED if error else ANSWERED,
              "control_numbers": AnswerNumbers(job.control).as_dict(),
              "answered_at": job.when.isoformat(timespec="seconds"), "claims": summary.claims,
              "accepted": summary.accepted, "rejected": summary.rejected, "rejected_sets": summary.rejected_sets,
              "envelope_errors": summary.envelope_errors, "sets": sets, "error": error, "outputs": written}
    durable.write_atomic(outbox.result(job.stem), (json.dumps(record, indent=1) + "\n").encode())
    failpoint("result")
    gc.collect()  # between files, as the CLI does: a service's worker answers files for weeks; what is
    gc.freeze()  # left (the guide, the rules, memos) is kept, so the next collection does not walk it
    return Outcome(summary.claims, summary.accepted, summary.rejected_sets, sum(s["forwarded"] for s in sets), error)
