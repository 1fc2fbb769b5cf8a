"""Files and folders in, byte streams out: everything that touches the file system on the way in.

`expand` turns PATH arguments into files (folders walked; of their files only those `included` by
the --include globs, one policy for every command; special files and the command's own outputs
skipped); `open_input`
opens one (`-` is standard input, a named pipe is waited for, not forever); `read_file` runs a
reader over a file, in worker processes when it is large enough to split (edi837.engine.parallel), and
turns any failure into one located Edi837Error. Everything below this works on streams of segments.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import select
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, BinaryIO

from .. import durable
from ..errors import Edi837Error, InputError
from ..x12.read import Segment, segments
from . import parallel


def as_edi_error(exc: BaseException, path: str) -> Edi837Error:
    """Any failure reading `path` as one located Edi837Error (a defect of ours says so, without a traceback)."""
    if isinstance(exc, Edi837Error):
        return exc
    if isinstance(exc, OSError):  # the file vanished, the disk the spool writes to is full ...
        return InputError(f"system error: {exc.strerror or exc}", file=path)
    # Its message is left out: it may quote the data (a patient's name) the defect was found in.
    return InputError(f"internal error ({type(exc).__name__}); please report this file", file=path)


PIPE_WAIT = 5.0  # seconds a named pipe given as PATH may stay silent before it is given up


@contextmanager
def open_input(path: str) -> Iterator[BinaryIO]:
    """`-` is standard input; anything else a file, opened for reading bytes. A named pipe given as
    PATH (`<(zcat claims.gz)`) is read when something is written to it within PIPE_WAIT seconds;
    one nothing writes to is an error instead of a wait for ever."""
    if path == "-":
        yield sys.stdin.buffer
        return
    try:
        fh = _open_pipe(path) if _special_kind(path) == "a named pipe" else open(path, "rb")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror or exc}", file=path) from None
    with fh:
        yield fh


def _open_pipe(path: str) -> BinaryIO:
    """The named pipe `path`, opened without waiting for a writer, once it has something to read."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        poll = select.poll()
        poll.register(fd, select.POLLIN)
        if not poll.poll(PIPE_WAIT * 1000):
            raise InputError(f"a named pipe with nothing written to it in {PIPE_WAIT:g} s: not read", file=path)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


INCLUDE = ("*.837", "*.edi", "*.txt", "*.x12")  # what a folder's files must be named to be read (--include)
RESPONSE_INCLUDE = ("*.999", "*.277", "*.277ca", "*.ta1")  # and a payer's answers (`run`, `responses`)


def included(name: str, patterns: Iterable[str] = INCLUDE) -> bool:
    """Whether a file named `name` (its last part is what counts), found in a folder, is an input: it
    matches one of the glob `patterns`, case-insensitively (`CLAIMS.EDI` is `*.edi`). A file named on
    the command line is read whatever its name: this decides only what a folder holds. One policy for
    every command, the pipeline stage and the Spark job, so a saved report, a `.997` or a README.md
    beside the 837s is left alone (counted as skipped), not read as an unreadable 837."""
    base = os.path.basename(name).lower()
    return any(fnmatch.fnmatchcase(base, pattern.lower()) for pattern in patterns)


class _Excluded:
    """The files and folders a walk must not read or enter: a command's own outputs (report -o,
    export -o, ack --out), known by device and inode, so another name for them (a link, `./x`, a
    hard link) does not make them inputs; and by resolved path, for one that does not exist yet
    when the walk starts, or that is written under a temporary name and renamed over its path."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.ids: set[tuple[int, int]] = set()
        self.names: set[str] = set()
        for path in paths:
            self.names.add(os.path.realpath(path))
            with suppress(OSError):
                st = os.stat(path)
                self.ids.add((st.st_dev, st.st_ino))

    def covers(self, path: str, st: os.stat_result | None) -> bool:
        """Whether `path` (whose stat is `st`, None when it cannot be stat'ed) is one of the excluded."""
        if st is not None and (st.st_dev, st.st_ino) in self.ids:
            return True
        return bool(self.names) and os.path.realpath(path) in self.names


def is_output(path: str, outputs: Iterable[str]) -> bool:
    """Whether the file `path` is one of the files `outputs` (the same file by device and inode, or
    the same resolved path): a command refuses to read its own output named as a PATH."""
    try:
        st: os.stat_result | None = os.stat(path)
    except OSError:
        st = None
    return _Excluded(outputs).covers(path, st)


def redirected_stdout() -> tuple[str, ...]:
    """Standard output, when the shell sent it to a file (`edi837 check . > check.txt`): an output as
    much as -o, so a walk must not read it back (named /dev/stdout, which stats as that file)."""
    try:
        to_file = stat.S_ISREG(os.fstat(1).st_mode)
    except OSError:
        return ()
    return ("/dev/stdout",) if to_file else ()


def expand(paths: Iterable[str], skipped: Callable[[str, str], None] | None = None,
           exclude: Iterable[str] = (), failed: Callable[[str, str], None] | None = None, *,
           include: Iterable[str] = INCLUDE, left_out: Callable[[str], None] | None = None) -> Iterator[str]:
    """Files as given (read whatever their name); folders recursed in name order, hidden files and
    folders skipped, and of their files only those `included` by the glob patterns `include` read:
    each other one is passed to `left_out(path)` (the summary counts them). Links to folders are
    followed, each folder read once (a link back up cannot loop). The `exclude` paths (the command's
    own outputs: ack's answer folder, report's or export's output file) are never read nor entered.
    What a folder holds that is not a file (a named pipe, a socket, a device) is never opened, since
    reading it could wait forever: it is passed to `skipped(path, why)` instead. A folder that cannot
    be listed, and a folder PATH that holds no input file at all, are passed to `failed(path, why)`:
    both are errors, not an empty success."""
    excluded = _Excluded(exclude)
    include = tuple(include)
    for p in paths:
        if p != "-" and os.path.isdir(p):
            found, left = 0, 0

            def leave(path: str) -> None:
                nonlocal left
                left += 1
                if left_out is not None:
                    left_out(path)

            for path in _walk(p, excluded, include, skipped, failed, leave):
                found += 1
                yield path
            if not found and failed is not None:
                failed(p, "the folder holds no input file" + _why_none(left, include))
        else:
            yield p


def _why_none(left: int, include: tuple[str, ...]) -> str:
    """Why a folder PATH gave no input file: what the walk skipped."""
    if not left:
        return " (hidden files and folders are skipped)"
    return (f" ({left} file{'s' * (left != 1)} skipped by --include {' '.join(include)};"
            " hidden files and folders are skipped)")


def _walk(top: str, excluded: _Excluded, include: tuple[str, ...], skipped: Callable[[str, str], None] | None,
          failed: Callable[[str, str], None] | None, left_out: Callable[[str], None]) -> Iterator[str]:
    """The input files under the folder `top`, depth first in name order: a folder's files, then each
    of its sub-folders. The folders waiting are kept in a list, not in nested calls, so a tree
    thousands of folders deep is walked like a shallow one. Each entry is looked at once (one stat)."""
    seen = set(excluded.ids)  # folders read (and excluded ones): never entered again
    waiting = [top]
    while waiting:
        folder = waiting.pop()
        try:
            st = os.stat(folder)
            with os.scandir(folder) as listing:
                names = sorted(entry.name for entry in listing if not entry.name.startswith("."))
        except FileNotFoundError:  # gone since it was listed
            continue
        except OSError as exc:
            if failed is not None:
                failed(folder, f"cannot list the folder: {exc.strerror or exc}")
            continue
        if (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        folders = []
        for name in names:
            path = str(Path(folder) / name)
            try:
                entry = os.stat(path)
            except OSError:  # a dangling link, or gone: reported when opened, if it is an input
                if included(name, include):
                    yield path
                else:
                    left_out(path)
                continue
            if stat.S_ISDIR(entry.st_mode):
                folders.append(path)
            elif excluded.covers(path, entry):
                continue  # the command's own output
            elif not included(name, include):
                left_out(path)
            elif (kind := _kind(entry.st_mode)) is not None:
                if skipped is not None:
                    skipped(path, f"{kind}, not a file")
            else:
                yield path
        waiting.extend(reversed(folders))


def _special_kind(path: str) -> str | None:
    """What `path` is when it is neither a file nor missing (a dangling link is reported when opened)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return _kind(mode)


def _kind(mode: int) -> str | None:
    """What a file of this mode is when it is not a regular file nor a folder (None for those)."""
    return None if stat.S_ISREG(mode) or stat.S_ISDIR(mode) else durable.kind(mode)



def read_file(path: str, jobs: int, read: Callable[[Iterable[Segment], parallel.Part | None], Iterable[Any]]
              ) -> Iterator[Any]:
    """What `read(segments, part)` makes of `path` (or - for stdin), in file order: of the whole file
    here (part None), or, when `jobs` > 1 and the file is large enough to split (see edi837.engine.parallel),
    of each part in a worker process. An unreadable file ends with its Edi837Error, located."""
    parts = parallel.plan(path, jobs)
    if parts is None:
        try:
            with open_input(path) as fh:
                yield from read(segments(fh, path), None)
        except Exception as exc:  # noqa: BLE001  (Edi837Error, or a defect of ours: either way one located line)
            yield as_edi_error(exc, path)
        return
    try:
        for found in parallel.run(parts, jobs, functools.partial(_read_part, path, read), path):
            yield from found
            if found and isinstance(found[-1], Edi837Error):
                return  # the file is unreadable from there on: later parts are not reported
    except Exception as exc:  # noqa: BLE001  (a worker died: one located line, never a traceback)
        yield as_edi_error(exc, path)


def _read_part(path: str, read: Callable[[Iterable[Segment], parallel.Part | None], Iterable[Any]],
               part: parallel.Part) -> list[Any]:
    """`read` over one part of a split file (in a worker process); its error, if any, comes last."""
    out: list[Any] = []
    try:
        with open(path, "rb") as fh:
            for item in read(parallel.part_segments(fh, path, part), part):
                out.append(item)
    except Exception as exc:  # noqa: BLE001  (as above)
        out.append(as_edi_error(exc, path))
    return out


