"""What `ack` answered into an --out folder, so that a rerun (after a crash, a `kill -9`, or just
again) answers each input's content once.

Theory of operation. `ack` keeps `OUT/.edi837-ack.jsonl`, one JSON line per step, appended and
fsynced before the step it records is relied on:

1. `claimed`: the answer name, the SHA-256 of the input's content, the three control numbers (their
   first) and the answers' clock, written before a byte of the answers is. The numbers were taken
   (and fsynced: edi837.answers.control) just before.
2. the answers are written durably (temporary, fsync, rename, folder fsync);
3. `done`, when the input was answered whole (no error) and has not changed meanwhile.

A rerun looks each input's answer name up: the same content `done` is not answered again; the same
content only `claimed` (the run stopped while answering it, or it could not be read whole) is answered
again with the *same* numbers and clock, so answers a stopped run had already renamed come out byte
for byte the same; new content, or a name not seen, takes new numbers. A torn last line (a kill while
appending) is cut off. `OUT/.edi837-ack.lock` (flock) keeps a second `ack` out of the folder while one
runs, which is also what makes removing a killed run's temporaries safe. `--fixed-time` runs (for
reproducible output) keep no record: they always answer again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .. import durable
from ..engine.pipeline import Checker
from ..engine.results import FileResult
from ..errors import ConfigError
from .acknowledge import Numbering, answer
from .control import AnswerNumbers, Reserved, Settings
from .write.report import Summary

RECORD, LOCK = ".edi837-ack.jsonl", ".edi837-ack.lock"
HASH_CHUNK = 1 << 20


class Busy(Exception):
    """Another `ack` holds the folder."""


@dataclass(frozen=True)
class Seen:
    """An input file's content as hashed, and what identifies that content on disk afterwards."""

    sha256: str
    identity: tuple[int, int, int, int]  # device, inode, size, mtime (ns) when the hashing began


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def seen(path: str) -> Seen | None:
    """`path`'s content hash, if it is a regular file (a link followed to one, as `ack` reads it);
    None for standard input, a FIFO or what cannot be opened: such an input is answered as read, not
    recorded (its reading reports any error)."""
    if path == "-":
        return None
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO is not opened here: its writer would see us
            return None
        fh = open(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC), "rb")  # noqa: SIM115
    except OSError:
        return None
    with fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            return None
        digest = hashlib.sha256()
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)
    return Seen(digest.hexdigest(), _identity(st))


def unchanged(path: str, was: Seen) -> bool:
    """`path` is still the file that was hashed (same inode, size and mtime)."""
    try:
        return _identity(os.stat(path)) == was.identity
    except OSError:
        return False


@dataclass(frozen=True)
class Entry:
    """The last step recorded for an answer name."""

    sha256: str
    control: int  # the first of the three numbers (999; 277CA +1; forward 837 +2)
    time: dt.datetime  # the answers' clock
    done: bool
    rejected: bool = False  # a claim or set was rejected (a rerun that skips it still exits 1)


class Record:
    """The record of one --out folder, held under its lock for the life of the `ack` run."""

    def __init__(self, out: Path) -> None:
        self.path = out / RECORD
        self._lock = os.open(out / LOCK, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, durable.PRIVATE_FILE)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock)
            raise Busy(f"{out}: another `edi837 ack` is answering into this folder (it holds {LOCK});"
                       " wait for it to end, or answer into another folder") from None
        try:
            self.entries = self._load()
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
                               durable.PRIVATE_FILE)
        except BaseException:
            os.close(self._lock)
            raise
        durable.fsync_folder(out)  # the record's (and the lock's) folder entry, before anything relies on it

    def close(self) -> None:
        os.close(self._fd)
        os.close(self._lock)

    def __enter__(self) -> Record:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, name: str) -> Entry | None:
        return self.entries.get(name)

    def claimed(self, name: str, sha256: str, control: int, time: dt.datetime) -> None:
        """Record, durably, that `name` is being answered for this content with these numbers and clock."""
        self._append(name, Entry(sha256, control, time, done=False))

    def done(self, name: str, sha256: str, control: int, time: dt.datetime, rejected: bool) -> None:
        """Record, durably, that `name` was answered whole for this content."""
        self._append(name, Entry(sha256, control, time, done=True, rejected=rejected))

    def _append(self, name: str, entry: Entry) -> None:
        line = json.dumps({"name": name, "sha256": entry.sha256, "control": entry.control,
                           "time": entry.time.isoformat(), "done": entry.done, "rejected": entry.rejected})
        data = (line + "\n").encode("ascii")  # ensure_ascii: a name of any bytes round-trips as \\udcXX
        while data:
            data = data[os.write(self._fd, data):]
        os.fsync(self._fd)
        self.entries[name] = entry

    def _load(self) -> dict[str, Entry]:
        """The last entry of each name; a torn last line (a kill while appending) is cut off. A record
        that cannot be read otherwise stops the run: answering all again would repeat answers."""
        try:
            with durable.open_regular(self.path) as fh:
                data = fh.read()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise ConfigError(f"the record of answered inputs cannot be read: {exc.strerror or exc}",
                           file=str(self.path)) from None
        whole = data.rfind(b"\n") + 1
        if whole < len(data):
            os.truncate(self.path, whole)
            data = data[:whole]
        entries: dict[str, Entry] = {}
        for number, line in enumerate(data.splitlines(), 1):
            try:
                item = json.loads(line)
                entries[item["name"]] = Entry(item["sha256"], int(item["control"]), dt.datetime.fromisoformat(item["time"]),
                                              bool(item["done"]), bool(item.get("rejected", False)))
            except (ValueError, KeyError, TypeError):
                raise ConfigError("the record of answered inputs is damaged: restore it, or remove it to answer every"
                               " input again (under new control numbers)", file=str(self.path), line=number) from None
        return entries


@dataclass(frozen=True)
class Outcome:
    """What `answer_once` did with an input."""

    result: FileResult | None  # None: its content was answered before, and was not again
    control: int = 0  # the first of its three numbers, when recorded (not for standard input, a FIFO)
    again: bool = False  # a stopped run had begun it: answered again with that run's numbers and clock
    rejected: bool = False  # answered before (result None) with a claim or set rejected


def answer_once(path: str, name: str, record: Record | None, checker: Checker, settings: Settings,
                numbers: Numbering, out: Path, summary: Summary, jobs: int) -> Outcome:
    """Answer `path` into `out` as `name` (see acknowledge.answer), durably, unless `record` shows
    its content answered there already (see the module docstring). No record (--fixed-time): answered
    as always, not recorded."""
    was = None if record is None else seen(path)
    if record is None or was is None:
        return Outcome(answer(path, checker, settings, numbers, out, summary, jobs, name))
    entry = record.get(name)
    if entry is not None and entry.sha256 == was.sha256 and entry.done:
        return Outcome(None, entry.control, rejected=entry.rejected)
    again = entry is not None and entry.sha256 == was.sha256
    if entry is None or not again:
        control, when = AnswerNumbers.take(numbers).first, settings.now  # taken, and on disk, before the record names them
        record.claimed(name, was.sha256, control, when)
        entry = Entry(was.sha256, control, when, done=False)
    before = _verdicts(summary)
    numbered = Reserved(entry.control, AnswerNumbers.COUNT)  # the numbers the record names, as the first time
    result = answer(path, checker, dataclasses.replace(settings, fixed_time=entry.time), numbered,
                    out, summary, jobs, name, durable=True)
    if result.error is None and unchanged(path, was):  # else it is made again by the next run (same numbers)
        record.done(name, was.sha256, entry.control, entry.time, rejected=_verdicts(summary) != before)
    return Outcome(result, entry.control, again)


def _verdicts(summary: Summary) -> tuple[int, int, int]:
    """What makes `ack` exit 1: rejected claims and sets, envelope errors."""
    return summary.rejected, summary.rejected_sets, summary.envelope_errors
