"""One large file on several cores: split it between transaction sets, read the parts in worker
processes, hand the answers back in file order.

A file qualifies when it is one interchange holding one functional group of several transaction
sets, each ST straight after the SE before it. Anything else (a stray segment between sets, several
groups or interchanges, standard input, a small file) is read in one process, as always. The split
points come from a byte scan for the envelope segments, not from parsing. Each worker reads the
header (ISA, GS), then its own sets with the reader resumed at their offset, segment number and
line, so every location it reports is the file's own. Only the last part reads GE and IEA, with the
envelope told how many sets came before, so the group and interchange checks see the whole file.

Workers are forked (they inherit the loaded guide, the profile and the job), and send back small
rendered results, never claim objects: pickling those would cost the parent as much as checking.
They die with the parent (edi837.lifeline): a parent killed without shutting the pool down (kill -9,
the OOM killer, SIGTERM) leaves no worker waiting on the pool's queue for ever. A worker that dies
(killed, out of memory) ends its file with one located error, from the first part not read on.
"""

from __future__ import annotations

import collections
import itertools
import os
import re
import signal
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from ..errors import Edi837Error, InputError
from ..frozen import frozen
from ..lifeline import bind_to_parent
from ..x12.read import (
    BOM,
    ISA_LENGTH,
    MAX_SEGMENT,
    PADDING,
    WHITESPACE,
    Delimiters,
    Resume,
    Segment,
    read_isa,
    segments,
)

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.process import BaseProcess

MIN_BYTES = 4 << 20  # below this a file is read in one process: starting workers would cost more
SCAN_CHUNK = 8 << 20
MAX_TOKENS = 200_000  # envelope segments the scan keeps; a file of more tiny sets is read in one process
PART_BYTES = 1 << 20  # a part is whole sets, cut once it holds this much: what a part's results take
# in memory stays bounded however large the file (a single larger set is one part, as it is one set)
SET_BYTES = 8 << 20  # a worker sends back all it made of a part at once, so no part may hold a set
# larger than this (some 20,000 claims); a file that has one is read in one process
PARTS_PER_JOB = 3  # a small file is still cut into more parts than workers, so no core sits idle
IN_FLIGHT_PER_JOB = 2  # parts sent out but not yet written, per worker: the parent holds no more


@frozen
class Part:
    """A run of whole transaction sets: bytes [start, end) of the file (end -1: to the end)."""

    header_end: int  # the header (ISA, GS) is bytes [0, header_end)
    start: int
    end: int
    resume: Resume  # segment number and line at `start`
    sets_before: int  # transaction sets in the file before this part
    last: bool  # holds the file's end (GE, IEA)


def jobs_available() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def plan(path: str, jobs: int) -> list[Part] | None:
    """How to split `path` among `jobs` workers, or None to read it in one process."""
    if jobs < 2 or path == "-" or not hasattr(os, "fork"):
        return None
    try:
        if not os.path.isfile(path) or os.path.getsize(path) < MIN_BYTES:
            return None
        with open(path, "rb") as fh:
            return _plan(fh, jobs)
    except (OSError, Edi837Error):
        return None  # the one-process reader reports it, located


def _plan(fh: BinaryIO, jobs: int) -> list[Part] | None:
    head = fh.read(4096).decode("latin-1")
    text = head.lstrip(WHITESPACE)
    if text.startswith(BOM):
        text = text[len(BOM):].lstrip(WHITESPACE)
    isa_at = len(head) - len(text)
    if len(text) < ISA_LENGTH or not text.startswith("ISA") or " " in head[:isa_at] or "\t" in head[:isa_at]:
        return None  # not an ISA first, or a blank before it (reported once, by the one-process reader)
    d = read_isa(text)
    if d.element in WHITESPACE or d.segment in WHITESPACE:
        return None  # the scan skips white space between segments
    tokens = _scan(fh, d, isa_at)
    if tokens is None:
        return None
    ids = [t[0] for t in tokens]
    n_sets = ids.count("ST")
    if n_sets < 2 or ids != ["ISA", "GS"] + ["ST", "SE"] * n_sets + ["GE", "IEA", "EOF"]:
        return None
    # Each envelope segment must come right after the one before it (the segment counts differ by one),
    # except ST..SE, the sets themselves: nothing stray between sets, before the first or after the last.
    adjacent = [0, 1, *range(3, len(tokens) - 1, 2), len(tokens) - 3]
    if any(tokens[i + 1][2] - tokens[i][2] != 1 for i in adjacent):
        return None
    sets = [t for t in tokens if t[0] == "ST"]
    ends = [t for t in tokens if t[0] == "SE"]
    if any(se[1] - st[1] > SET_BYTES for st, se in zip(sets, ends)):
        return None  # a huge set is read in one process, which streams its claims through a spool
    size = tokens[-1][1]
    share = max(1, min(PART_BYTES, (size - sets[0][1]) // (jobs * PARTS_PER_JOB)))
    starts = [0]
    for i in range(1, n_sets):
        if sets[i][1] - sets[starts[-1]][1] >= share:
            starts.append(i)
    parts = []
    for k, first in enumerate(starts):
        _, offset, number, line = sets[first]
        last = k == len(starts) - 1
        parts.append(Part(sets[0][1], offset, -1 if last else sets[starts[k + 1]][1],
                          Resume(offset, number, line, d), first, last))
    return parts


def _scan(fh: BinaryIO, d: Delimiters, isa_at: int) -> list[tuple[str, int, int, int]] | None:
    """Every envelope segment of the file as (id, offset, segments before it, its line), or None when
    the file has too many of them or ends in something other than white space."""
    term, el = d.segment.encode("latin-1"), d.element.encode("latin-1")
    pattern = re.compile(re.escape(term) + rb"([ \t\r\n]*)(ISA|IEA|GS|GE|ST|SE)" + re.escape(el))
    tokens: list[tuple[str, int, int, int]] = [("ISA", isa_at, 0, 1)]
    fh.seek(0)
    carry = b""  # from the last terminator read: a segment start may straddle two chunks
    base = 0  # file offset of carry[0]
    terms = 0  # terminators before the current match
    lines = 1
    while True:
        data = fh.read(SCAN_CHUNK)
        buf = carry + data
        cut = buf.rfind(term) if data else len(buf)  # matches start before `cut` (all, at the end)
        if cut <= 0 and data:
            if len(buf) > MAX_SEGMENT:
                return None  # no terminator in sight: the one-process reader says where it went wrong
            carry = buf
            continue
        counted = 0
        breaks = b"\n" in buf  # lines are counted only in a buffer that has any
        for m in pattern.finditer(buf, 0, cut + len(term) if data else cut):
            at = m.start(2)
            terms += buf.count(term, counted, at)
            if breaks:
                lines += buf.count(b"\n", counted, at)
            counted = at
            kind = m.group(2).decode()
            if kind == "ISA" or (kind == "GS" and len(tokens) > 1) or len(tokens) >= MAX_TOKENS:
                return None  # a second interchange or group, or too many sets: read in one process
            if b" " in m.group(1) or b"\t" in m.group(1):
                return None  # a blank before an envelope segment is reported once, by the one-process reader
            tokens.append((kind, base + at, terms, lines))
        terms += buf.count(term, counted, cut)
        if breaks:
            lines += buf.count(b"\n", counted, cut)
        if not data:
            break
        carry = buf[cut:]
        base += cut
    last = buf.rfind(term)
    tail = (WHITESPACE + PADDING).encode()
    if buf[last + len(term):].strip(tail) if last >= 0 else buf.strip(tail):
        return None  # something after the last terminator: the one-process reader says what
    tokens.append(("EOF", base + len(buf), terms, lines))
    return tokens


class Window:
    """Bytes [start, end) of a file, read like a stream (end -1: to the end of the file)."""

    def __init__(self, fh: BinaryIO, start: int, end: int) -> None:
        self.fh = fh
        self.left = end - start if end >= 0 else -1
        fh.seek(start)

    def read(self, n: int = -1) -> bytes:
        if self.left < 0:
            return self.fh.read(n)
        n = self.left if n < 0 else min(n, self.left)
        data = self.fh.read(n)
        self.left -= len(data)
        return data


def part_segments(fh: BinaryIO, name: str, part: Part) -> Iterator[Segment]:
    """The header's segments, then the part's own, located as in the whole file."""
    yield from segments(Window(fh, 0, part.header_end), name)
    yield from segments(Window(fh, part.start, part.end), name, resume=part.resume)


_job: Callable[[Part], Any] | None = None  # what each worker does with a part (set before the fork)


def _work(part: Part) -> Any:
    assert _job is not None
    return _job(part)


def _start_worker(parent: int, forked_by_main_thread: bool) -> None:
    """First thing in a worker: die with the parent, and leave Ctrl-C (sent to the whole process group)
    to the parent, which handles it (exit 130); the worker, stopped when the parent shuts the pool down,
    prints no traceback of its own."""
    bind_to_parent(parent, forked_by_main_thread=forked_by_main_thread)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run(parts: list[Part], jobs: int, job: Callable[[Part], Any], name: str = "") -> Iterator[Any]:
    """`job(part)` for every part in worker processes; the results in file order, each as it is ready.
    At most IN_FLIGHT_PER_JOB parts per worker are out at a time, so finished parts waiting for an
    earlier one to be written cannot pile up. A worker that dies ends the results with an Edi837Error
    located at the first part not read (`name` is the file's name), once the pool has stopped the
    other workers: nothing is left running."""
    import multiprocessing  # here, not at the top: most runs never split a file, and this costs start-up
    import threading
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _job
    _job = job
    todo = iter(parts)
    others = set(multiprocessing.active_children())  # children not of this pool (none, from the CLI)
    workers: list[BaseProcess] = []
    unread: Part | None = None  # the first part not read, when a worker died
    # The workers are forked by the first submit, from this thread: from the main thread, as the CLI
    # runs, PR_SET_PDEATHSIG ties them to the process; from another, they watch the parent pid instead.
    initargs = (os.getpid(), threading.current_thread() is threading.main_thread())
    try:
        with ProcessPoolExecutor(min(jobs, len(parts)), mp_context=multiprocessing.get_context("fork"),
                                 initializer=_start_worker, initargs=initargs) as pool:
            try:
                first = itertools.islice(todo, jobs * IN_FLIGHT_PER_JOB)
                out = collections.deque((p, _submit(pool, p)) for p in first)
                # The pool's own list: active_children() would drop a worker already dead (and reaped)
                # by now, and its death would then be told as the survivor's SIGTERM.
                workers = list(getattr(pool, "_processes", {}).values()) or [
                    p for p in multiprocessing.active_children() if p not in others]
                while out:
                    part, future = out.popleft()
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        unread = part
                        break
                    nxt = next(todo, None)
                    if nxt is not None:
                        out.append((nxt, _submit(pool, nxt)))
                    yield result
            finally:
                pool.shutdown(wait=True, cancel_futures=True)  # stopped early: drop the parts not started
    finally:
        _job = None
    if unread is not None:  # the pool has stopped and reaped every worker: their exit codes are known
        raise InputError(f"a worker process died ({_death(workers)}) while reading parts of the file;"
                       " it is not read from here on", file=name, offset=unread.start,
                       segment=unread.resume.number + 1, segment_id="ST", line=unread.resume.line)


def _submit(pool: ProcessPoolExecutor, part: Part) -> Future[Any]:
    """`part` sent to a worker; on a pool a dead worker has broken, a future failed as the others are."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    try:
        return pool.submit(_work, part)
    except BrokenProcessPool as exc:
        failed: Future[Any] = Future()
        failed.set_exception(exc)
        return failed


def _death(workers: list[BaseProcess]) -> str:
    """How a pool's worker died, from the exit codes of all: once one has died, the pool stops the
    others with SIGTERM, so the one that died first is the one with another code, when there is one."""
    codes = [p.exitcode for p in workers if p.exitcode]
    code = next((c for c in codes if c != -signal.SIGTERM), codes[0] if codes else None)
    if code is None:
        return "cause unknown"
    return f"killed by signal {-code}" if code < 0 else f"exit status {code}"
