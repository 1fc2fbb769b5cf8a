"""The clearinghouse's answer to one file: a 999, a 277CA and a forward 837 of its accepted claims.

`write_answers` checks a file's items as they are read and writes the three answers to the streams it
is given; `answer_into` gives it temporary files that it renames to their `Targets` when whole (the
`ack` command through `answer`: NAME.999, NAME.277ca and NAME.accepted.837 in one folder; the
pipeline stage, edi837.stage: its OUTBOX layout, durably), and `edi837.answer` (the library) gives it
memory. Settings and control numbers: edi837.answers.control.

The answers speak the partner's mode: ISA15 mirrors the inbound interchange's (T test, P production;
the first interchange read, when a file holds several) unless the settings fix `usage`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ..durable import fsync_folder, open_private, temporary
from ..engine.pipeline import Checker, results
from ..engine.results import FileResult, GroupResult, InterchangeResult, TransactionResult
from ..errors import Edi837Error
from ..x12.envelope import Refused
from ..x12.read import DEFAULT_DELIMITERS, Delimiters
from .control import AnswerNumbers, Numbering, Settings
from .write import ack277, ack999, forward837
from .write.envelope import Header
from .write.report import Summary


@dataclass
class AnsweredSet:
    """A transaction set's share of the three answers, made as soon as the set is decided (in a worker
    process when the file is split: see edi837.engine.parallel). Each part depends only on the set and its
    place in the file, so sets can be answered apart and joined in order."""

    ik: list[str]  # 999: AK2 .. IK5
    ack: str  # IK501: A, E or R
    # The 277CA set and the forward 837 set of its accepted claims, as text: each item one or more whole
    # segments with their terminators (segment by segment as made; joined when sent between processes).
    status: Iterable[str]  # (none for a set without claims)
    submitter: str  # 1000A id: receives the 277CA
    forward: Iterable[str]
    forwarded: int
    delims: Delimiters | None
    receiver: str  # 1000B id: receives the forward 837
    version: str
    claims: int
    accepted: int
    usage: str  # ISA15 of the interchange holding the set
    st02: str  # the set's control number as read (the pipeline stage's results/*.json record it)

    def __reduce__(self) -> tuple:  # sent between processes: what is made as it is written, joined (one
        # string pickles in one copy; a list pickles and unpickles each of its thousands of segments)
        return AnsweredSet, (self.ik, self.ack, _joined(self.status), self.submitter, _joined(self.forward),
                             self.forwarded, self.delims, self.receiver, self.version, self.claims, self.accepted,
                             self.usage, self.st02)

    def counts(self) -> tuple[int, int, bool]:
        return self.claims, self.accepted, self.ack == "R"


def _joined(segments: Iterable[str]) -> list[str]:
    text = "".join(segments)
    return [text] if text else []  # nothing stays nothing: a set without claims has no 277CA


def answer_set(tx: TransactionResult, settings: Settings, numbers: AnswerNumbers, when: dt.datetime) -> AnsweredSet:
    """The 999, 277CA and forward-837 parts answering one transaction set (numbered by its place)."""
    forward, forwarded = forward837.render(tx, tx.number, numbers.forward837)
    return AnsweredSet(ack999.transaction_segments(tx, DEFAULT_DELIMITERS), tx.ack,
                       ack277.render(tx, tx.number, numbers.ack277, when, settings.name, settings.sender_id,
                                     numbers.forward837),
                       tx.submitter[1], forward, forwarded, tx.delims, tx.receiver[1], tx.version,
                       len(tx.claims), tx.accepted, tx.usage, tx.control)


def _answer_refusal(error: Edi837Error, w999: ack999.Writer, group: GroupResult | None) -> GroupResult | None:
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


def name_answers(path: str, roots: Iterable[str], taken: set[str]) -> tuple[str, str | None]:
    """How one run (`ack`, Spark's driver) names an input's answers: `answer_name` inside the first of
    the folders `roots` (those given as PATHs) that holds `path`, else after its file name. A name an
    earlier input of the run took (in `taken`) is refused, since its answers would overwrite the
    earlier ones: (name, why it is not answered); else (name, None), and the name is taken. One
    function, so `ack` and Spark name the same inputs' answers alike."""
    where = os.path.abspath(path)
    root = next((r for r in roots if where.startswith(os.path.abspath(r).rstrip("/") + "/")), None)
    name = answer_name(path, root)
    if name in taken:
        return name, (f"not answered: its answers would overwrite those of the earlier input answered as {name}"
                      " (give the files different names, or answer them apart)")
    taken.add(name)
    return name, None




Render = Callable[[TransactionResult], AnsweredSet]
# A file's items, in order, each set as `render` answers it: AnsweredSet, GroupResult, InterchangeResult
# and, last when the file is unreadable, its Edi837Error (as edi837.engine.pipeline.results hands them on).
Read = Callable[[Render], Iterable[object]]


@dataclass
class Streams:
    """Where the three answers go: text streams that write latin-1 and translate no line breaks."""

    ack999: TextIO
    ack277: TextIO
    forward837: TextIO


@dataclass
class Written:
    """What `write_answers` wrote."""

    error: Edi837Error | None  # what stopped the reading, located
    answered: bool  # the 999 and 277CA were written (not when no interchange could be read: no ISA to answer)
    forwarded: int  # claims in the forward 837 (0: nothing was written to its stream)


def header(settings: Settings, control: int, when: dt.datetime) -> Header:
    """The interchange header of our answers; each writer names its group (GS01, GS08) and, unless
    the settings do, the receiver. ISA15 is the settings' usage until the partner's is known."""
    return Header(settings.sender_id, settings.receiver_id, control, when, settings.usage or "P", "", "")


def partner_usage(settings: Settings, isa15: str) -> str:
    """ISA15 of our answers: the settings' usage when they fix one, else the inbound interchange's
    (P when it is neither T nor P: the reader has already reported it)."""
    if settings.usage:
        return settings.usage
    return isa15 if isa15 in ("T", "P") else "P"


def _speaking(writer: ack999.Writer | ack277.Writer | forward837.Writer, usage: str) -> None:
    """Set ISA15 of `writer`'s interchange, before its header is written."""
    writer.header = dataclasses.replace(writer.header, usage=usage)


def write_answers(read: Read, settings: Settings, numbers: Numbering, summary: Summary, out: Streams) -> Written:
    """Answer a file's items, as `read` hands them on, into `out`, and count the verdicts into `summary`:
    the forward 837 as it goes, the 999 and 277CA (spooled until then) at the end. A claim, a group or
    an interchange is forgotten once answered. A file that becomes unreadable is answered up to where
    it breaks (its open set rejected, its group and interchange closed as at an early end); one with no
    interchange read gets no 999 or 277CA."""
    mine = AnswerNumbers.take(numbers)  # one interchange each for the 999, the 277CA and the forward 837
    when = settings.now
    w999 = ack999.Writer(header(settings, mine.ack999, when))
    w277 = ack277.Writer(header(settings, mine.ack277, when))
    w837 = forward837.Writer(header(settings, mine.forward837, when))
    error: Edi837Error | None = None
    read_any = False  # an interchange was read: there is somebody to answer
    group: GroupResult | None = None  # answered once it is known whether a refused set follows
    usage = ""  # ISA15 of the answers, once the first set or interchange is read
    for item in read(functools.partial(answer_set, settings=settings, numbers=mine, when=when)):
        if isinstance(item, (AnsweredSet, GroupResult)) and group is not None:
            w999.group(group)
            group = None
        if isinstance(item, AnsweredSet):
            if not usage:  # the forward 837's header is written with the first set
                usage = partner_usage(settings, item.usage)
                _speaking(w837, usage)
            w999.transaction(item.ik, item.ack)
            w277.add(item.status, item.submitter)
            w837.add(out.forward837, item.forward, item.forwarded, item.delims, item.receiver, item.version)
            summary.fold(item)
            del item  # written: let it go before the next set is read
        elif isinstance(item, GroupResult):
            group = item
            summary.fold(item)
        elif isinstance(item, InterchangeResult):
            usage = usage or partner_usage(settings, item.isa[15] if len(item.isa) > 15 else "")
            w999.interchange(item)
            summary.fold(item)
            read_any = True
        elif isinstance(item, Edi837Error):
            error = item
            group = _answer_refusal(item, w999, group)
    if group is not None:
        w999.group(group)
    w837.close(out.forward837)
    answered = error is None or read_any
    if answered:
        for writer in (w999, w277):
            _speaking(writer, usage or partner_usage(settings, ""))
        w999.close(out.ack999)
        w277.close(out.ack277)
    return Written(error, answered, w837.claims)


@dataclass(frozen=True)
class Targets:
    """Where one file's answers go; each is written beside its target under a temporary name (see
    `temporary`) and renamed when whole."""

    ack999: Path
    ack277: Path
    forward837: Path

    def __iter__(self) -> Iterator[Path]:
        return iter((self.ack999, self.ack277, self.forward837))


SUFFIXES = ("999", "277ca", "accepted.837")  # of the three answers to NAME, in the order of Targets


def answer(path: str, checker: Checker, settings: Settings, numbers: Numbering, out_dir: Path,
           summary: Summary, jobs: int = 1, name: str | None = None, durable: bool = False) -> FileResult:
    """Check `path` (- for stdin), write its answers into `out_dir` (the `ack` command: see
    `answer_into`), count the verdicts into `summary`. The answers are `out_dir`/NAME.999 (.277ca,
    .accepted.837), NAME being `name` or `answer_name(path)`."""
    name = name or answer_name(path)
    out_dir = (out_dir / name).parent  # `name` may hold folders (see answer_name)
    name = Path(name).name
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    targets = Targets(*(out_dir / f"{name}.{suffix}" for suffix in SUFFIXES))
    return answer_into(path, checker, settings, numbers, targets, summary, jobs, durable)


def remove_answer_temporaries(folder: Path) -> int:
    """Delete the half-written answers (hidden NAME.999.tmp ...) a killed `ack` left in `folder`;
    how many. Only answers' temporaries: a folder of inputs may hold other programs' .tmp files."""
    removed = 0
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for entry in os.scandir(folder):
            if entry.name.startswith(".") and entry.name.endswith(tuple(f".{s}.tmp" for s in SUFFIXES)):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed += 1
    return removed


def answer_into(path: str, checker: Checker, settings: Settings, numbers: Numbering, targets: Targets,
                summary: Summary, jobs: int = 1, durable: bool = False,
                read: Callable[[Read], Read] | None = None, placed: Callable[[Path], None] | None = None
                ) -> FileResult:
    """Check `path` (- for stdin), write its answers to `targets` (see `write_answers`), count the
    verdicts into `summary`. The result keeps only the file's error. With `jobs` > 1 a large file is
    checked and answered in parts by worker processes. An answer with nothing to say is not written,
    and none of an earlier run stays in its place. `durable`: each answer is on disk (fsynced, and
    its folder after the rename) when this returns, so a crash of the machine cannot lose it.
    `read`, when given, wraps the reading (to watch the items pass); `placed` is told each answer
    renamed into place (the stage's crash-point tests stop there)."""
    # Each answer is written under a temporary name and renamed when whole: a consumer watching the
    # folder never sees half an answer, and a failed write (a full disk) leaves none behind.
    tmps = [temporary(t) for t in targets]
    reading: Read = functools.partial(results, path, checker, jobs)
    if read is not None:
        reading = read(reading)
    try:
        with contextlib.ExitStack() as files:
            streams = Streams(*(files.enter_context(open_private(t)) for t in tmps))
            written = write_answers(reading, settings, numbers, summary, streams)
            if durable:
                for stream in (streams.ack999, streams.ack277, streams.forward837):
                    stream.flush()
                    os.fsync(stream.fileno())
        for tmp, target, keep in zip(tmps, targets, (written.answered, written.answered, written.forwarded > 0)):
            if keep:
                os.replace(tmp, target)
                if placed is not None:
                    placed(target)
            else:  # nothing to say: no stale answer of an earlier run stays either
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()
        if durable:
            for folder in dict.fromkeys(t.parent for t in targets):
                fsync_folder(folder)
    finally:
        for tmp in tmps:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    summary.file(unreadable=written.error is not None)
    return FileResult(path, written.error)
