"""The clearinghouse's answer to one file: NAME.999, NAME.277ca, NAME.accepted.837.

Control numbers come from a small JSON state file, locked and replaced atomically so that runs in
parallel never hand out the same number; `--fixed-time` makes a run reproducible byte for byte
(fixed clock, and control numbers start from the configured base instead of the state file).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import json
import os
import tempfile
from collections.abc import Iterable
import dataclasses
from dataclasses import dataclass
from pathlib import Path

from .envelope import Refused
from .pipeline import Checker, results
from .results import FileResult, GroupResult, InterchangeResult, TransactionResult
from .read import DEFAULT_DELIMITERS, Delimiters, EdiError
from .write import ack277, ack999, forward837
from .write.report import Summary


MAX_CONTROL = 999_999_999  # ISA13 and GS06 of the answers have nine digits


@dataclass
class Settings:
    sender_id: str = "EDI837"  # the clearinghouse, as ISA06/GS02 of its answers
    receiver_id: str = ""  # the submitter; default: the input's ISA06
    name: str = "EDI837 CLEARINGHOUSE"
    usage: str = "P"  # ISA15 of the answers: P production, T test
    base: int = 1  # first control number
    state_file: Path | None = None
    fixed_time: dt.datetime | None = None

    @property
    def now(self) -> dt.datetime:
        return self.fixed_time or dt.datetime.now()


def load_settings(config: str | None, sender_id: str | None, receiver_id: str | None, fixed_time: dt.datetime | None,
                  out_dir: Path) -> Settings:
    s = Settings()
    state_dir = out_dir
    if config:
        try:
            data = json.loads(Path(config).read_text())
        except (OSError, ValueError) as exc:
            raise EdiError(f"cannot read the config: {exc}", file=config) from None
        if not isinstance(data, dict):
            raise EdiError("the config is a JSON object", file=config)
        s.sender_id = str(data.get("sender_id", s.sender_id))
        s.receiver_id = str(data.get("receiver_id", s.receiver_id))
        s.name = str(data.get("name", s.name))
        s.usage = str(data.get("usage", s.usage))
        base = data.get("first_control_number", s.base)
        if isinstance(base, bool) or not isinstance(base, int) or not 1 <= base <= MAX_CONTROL - 2:
            raise EdiError(f"first_control_number must be a whole number from 1 to {MAX_CONTROL - 2},"
                           f" not {base!r}", file=config)
        s.base = base
        if s.usage not in ("P", "T"):
            raise EdiError(f"usage must be P (production) or T (test), not {s.usage!r}", file=config)
        state_dir = Path(config).resolve().parent
    s.sender_id = sender_id or s.sender_id
    s.receiver_id = receiver_id or s.receiver_id
    for what, value in (("sender id", s.sender_id), ("receiver id", s.receiver_id)):
        if len(value) > 15:
            raise EdiError(f"the {what} {value!r} is longer than 15 characters (ISA06/ISA08)")
    s.fixed_time = fixed_time
    s.state_file = None if fixed_time else state_dir / ".edi837-control-numbers.json"
    return s


class ControlNumbers:
    """Unique, increasing control numbers, persisted across runs in the state file. ISA13 has nine
    digits: after 999,999,999 numbering starts again from the base, as X12 allows."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.value = settings.base - 1
        if settings.state_file is not None:
            self._last(settings.state_file)  # an unreadable state stops the run before anything is answered

    def take(self, count: int = 1) -> int:
        """Reserve `count` numbers; returns the first."""
        path = self.settings.state_file
        if path is None:
            first = self._after(self.value, count)
            self.value = first + count - 1
            return first
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(str(path) + ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            first = self._after(self._last(path), count)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w") as fh:
                json.dump({"last": first + count - 1}, fh)
            os.replace(tmp, path)
        return first

    def _after(self, last: int, count: int) -> int:
        first = max(last + 1, self.settings.base)
        return first if first + count - 1 <= MAX_CONTROL else self.settings.base

    def _last(self, path: Path) -> int:
        """The last number the state file says was used (none yet: the one before the base). A state
        that cannot be read is an error: starting again from the base would reuse numbers."""
        try:
            text = path.read_text()
        except FileNotFoundError:
            return self.settings.base - 1
        try:
            last = json.loads(text)["last"]
            if isinstance(last, int) and not isinstance(last, bool) and 0 <= last <= MAX_CONTROL:
                return last
        except (ValueError, KeyError, TypeError):
            pass
        raise EdiError(f'the control-number state is not {{"last": N}} ({text[:40]!r}): restore it, or remove'
                       " it to number from the base again (answers may then repeat earlier numbers)", file=str(path))


@dataclass
class AnsweredSet:
    """A transaction set's share of the three answers, made as soon as the set is decided (in a worker
    process when the file is split: see edi837.parallel). Each part depends only on the set and its
    place in the file, so sets can be answered apart and joined in order."""

    ik: list[str]  # 999: AK2 .. IK5
    ack: str  # IK501: A, E or R
    status: Iterable[str]  # the 277CA set, segment by segment (none for a set without claims)
    submitter: str  # 1000A id: receives the 277CA
    forward: Iterable[str]  # the forward 837 set of its accepted claims, segment by segment
    forwarded: int
    delims: Delimiters | None
    receiver: str  # 1000B id: receives the forward 837
    version: str
    claims: int
    accepted: int

    def __reduce__(self) -> tuple:  # sent between processes: what is made as it is written, listed
        return AnsweredSet, (self.ik, self.ack, list(self.status), self.submitter, list(self.forward),
                             self.forwarded, self.delims, self.receiver, self.version, self.claims, self.accepted)


def answer_set(tx: TransactionResult, settings: Settings, base: int, when: dt.datetime) -> AnsweredSet:
    """The 999, 277CA and forward-837 parts answering one transaction set (numbered by its place)."""
    forward, forwarded = forward837.render(tx, tx.number, base + 2)
    return AnsweredSet(ack999.transaction_segments(tx, DEFAULT_DELIMITERS), tx.ack,
                       ack277.render(tx, tx.number, base + 1, when, settings.name, settings.sender_id, base + 2),
                       tx.submitter[1], forward, forwarded, tx.delims, tx.receiver[1], tx.version,
                       len(tx.claims), tx.accepted)


def _answer_refusal(error: EdiError, w999: ack999.Writer, group: GroupResult | None) -> GroupResult | None:
    """The 999's answer to a refused group (AK9 R with AK905) or set (AK2 with IK5 R, in `group`, the
    group that held it, which is returned counting it); any other error is answered by what was read."""
    if not isinstance(error, Refused):
        return group
    if error.level == "group":
        w999.refused(error.gs, error.code)
        return group
    if group is None:
        return None
    w999.refused_set(error.st, error.code)
    return dataclasses.replace(group, sets=group.sets + 1)


def answer_name(path: str, root: str | None = None) -> str:
    """What a file's answers are named after: its path inside the folder `root` it was found in (so
    inbound/a/claims.837 and inbound/b/claims.837 are answered apart, in a/ and b/), else its name."""
    if path == "-":
        return "stdin"
    if root is not None and root != path:
        return Path(os.path.relpath(path, root)).as_posix()
    return Path(path).name


def answer(path: str, checker: Checker, settings: Settings, numbers: ControlNumbers, out_dir: Path,
           summary: Summary, jobs: int = 1, name: str | None = None) -> FileResult:
    """Check `path`, write its three answers into `out_dir` as it goes, count the verdicts into `summary`.
    The result keeps only the file's error: a claim, a group or an interchange is forgotten once answered.
    A file that becomes unreadable is answered up to where it breaks (its open set rejected, its group
    and interchange closed as at an early end); one with no interchange read gets no answers at all.
    With `jobs` > 1 a large file is checked and answered in parts by worker processes. The answers are
    `out_dir`/NAME.999 (.277ca, .accepted.837), NAME being `name` or `answer_name(path)`."""
    name = name or answer_name(path)
    out_dir = (out_dir / name).parent  # `name` may hold folders (see answer_name)
    name = Path(name).name
    out_dir.mkdir(parents=True, exist_ok=True)
    result = FileResult(path)
    base = numbers.take(3)  # one interchange each for the 999, the 277CA and the forward 837
    when = settings.now
    w999 = ack999.Writer(settings, base, when)
    w277 = ack277.Writer(settings, base + 1, when)
    w837 = forward837.Writer(settings, base + 2, when)
    answered = functools.partial(answer_set, settings=settings, base=base, when=when)
    read_any = False  # an interchange was read: there is somebody to answer
    # Each answer is written under a temporary name and renamed when whole: a consumer watching the
    # folder never sees half an answer, and a failed write (a full disk) leaves none behind.
    targets = [out_dir / f"{name}.{suffix}" for suffix in ("accepted.837", "999", "277ca")]
    tmps = [t.with_name(f".{t.name}.tmp") for t in targets]
    try:
        with open(tmps[0], "w", encoding="latin-1", newline="") as fwd:
            group: GroupResult | None = None  # answered once it is known whether a refused set follows
            for item in results(path, checker, jobs, answered):
                if isinstance(item, (AnsweredSet, GroupResult)) and group is not None:
                    w999.group(group)
                    group = None
                if isinstance(item, AnsweredSet):
                    w999.transaction(item.ik, item.ack)
                    w277.add(item.status, item.submitter)
                    w837.add(fwd, item.forward, item.forwarded, item.delims, item.receiver, item.version)
                    summary.add_counts(item.claims, item.accepted, item.ack == "R")
                    del item  # written: let it go before the next set is read
                elif isinstance(item, GroupResult):
                    group = item
                    summary.add_envelope(item)
                elif isinstance(item, InterchangeResult):
                    w999.interchange(item)
                    summary.add_envelope(item)
                    read_any = True
                else:
                    result.error = item
                    group = _answer_refusal(item, w999, group)
            if group is not None:
                w999.group(group)
            fwd.write(w837.close())
        answers = result.error is None or read_any  # with no interchange read there is no ISA to answer
        if answers:
            for tmp, writer in zip(tmps[1:], (w999, w277)):
                with open(tmp, "w", encoding="latin-1", newline="") as fh:
                    writer.close(fh)
        for tmp, target, keep in zip(tmps, targets, (w837.claims > 0, answers, answers)):
            if keep:
                os.replace(tmp, target)
            else:  # nothing to say: no stale answer of an earlier run stays either
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()
    finally:
        for tmp in tmps:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    summary.files += 1
    summary.unreadable += result.error is not None
    return result
