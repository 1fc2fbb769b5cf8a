"""INBOX as the stage sees it: what is settled, and how a file is taken.

Theory of operation. A drop folder changes under the stage's feet: files grow while they are read,
are replaced under the same name, renamed, removed; an attacker drops links to /etc/shadow, FIFOs,
folders named like inputs, names that are not UTF-8. So the stage never works on a path in INBOX:

1. `scan` lists INBOX and keeps the *settled* regular files whose name is an input (--include): a
   file is settled when its mtime is at least `settle` seconds old, or (a clock that is off, an mtime
   in the future) when its size and mtime have not changed for `settle` seconds of watching. Links,
   FIFOs, devices, sockets and folders are never opened: they are left alone and said once.
2. `claim` renames a settled file into the claims folder `INBOX/.edi837-claimed/` (hidden, so no
   scan sees it; on the same file system, so the rename is atomic). From then on the name in INBOX is
   free for the next drop, and the claimed file is the stage's alone: what is hashed is what is
   answered and archived. A file that is gone, or changed since the scan, is not claimed (the next
   scan looks again). A file with other hard links is copied there instead, privately, and its INBOX
   name removed: the file outside keeps its mode and content.
3. A run that is killed leaves its claimed files in the claims folder; the next run takes them from
   there first (`claimed`), with their INBOX names.

INBOX is locked (flock on the folder) for the whole run: two stages never take the same file, even
with different OUTBOXes.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import itertools
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .. import durable
from ..engine.inputs import included
from ..errors import printable

ARRIVING = (".part", ".tmp", ".filepart")  # names of files still being written (and any name starting with .)
CLAIMS = ".edi837-claimed"


class Unusable(Exception):
    """INBOX or OUTBOX cannot be used (exit 2)."""


@dataclass(frozen=True)
class Claimed:
    """A file taken from INBOX: where it is now, and its name in INBOX (as the OS gave it)."""

    path: Path
    name: str

    @property
    def shown(self) -> str:
        """The INBOX name as it is printed, logged and stored (bytes that are not UTF-8 escaped)."""
        return printable(self.name)


@dataclass(frozen=True)
class Seen:
    size: int
    mtime_ns: int
    since: float  # monotonic time it was first seen with this size and mtime


class Inbox:
    def __init__(self, root: Path, include: tuple[str, ...], settle: float, skip: str = "") -> None:
        self.root = root
        self.include = include
        self.settle = settle
        self.skip = skip  # an OUTBOX inside INBOX is not read
        self.claims = root / CLAIMS
        self.seen: dict[str, Seen] = {}
        self.said: set[str] = set()  # names said to be left alone (once per run)
        self.counter = itertools.count()

    def lock(self) -> int:
        """Hold INBOX for this run (the lock's fd; closed by the caller)."""
        try:
            fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as exc:
            raise Unusable(f"{printable(str(self.root))}: cannot open INBOX: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise Unusable(f"{printable(str(self.root))}: another `edi837 run` is taking files from this INBOX") from None
        try:
            self.claims.mkdir(mode=durable.PRIVATE_FOLDER, exist_ok=True)
            if not stat.S_ISDIR(os.lstat(self.claims).st_mode):
                raise OSError(errno.ENOTDIR, "not a folder")
        except OSError as exc:
            os.close(fd)
            raise Unusable(f"{printable(str(self.claims))}: cannot make the claims folder:"
                           f" {exc.strerror or exc}") from None
        return fd

    # -- scanning ---------------------------------------------------------------------------------

    def scan(self, busy: set[str], left_alone: list[str]) -> tuple[list[str], int]:
        """The settled inputs not in `busy`, in name order, and how many are still settling. What is
        left alone for the first time this run is added to `left_alone` as a line to log."""
        try:
            names = sorted(os.listdir(self.root))
        except OSError as exc:
            raise Unusable(f"{printable(str(self.root))}: cannot list INBOX: {exc.strerror or exc}") from None
        ready: list[str] = []
        pending = 0
        now, clock = time.time_ns(), time.monotonic()
        for name in names:
            if name in busy or name.startswith(".") or name.lower().endswith(ARRIVING) or name == self.skip:
                continue
            try:
                st = os.lstat(self.root / name)
            except FileNotFoundError:
                continue
            why = self._left_alone(name, st.st_mode)
            if why is not None:
                if name not in self.said:
                    self.said.add(name)
                    left_alone.append(f"{printable(name)}: left alone: {why}")
                continue
            if self._settled(name, st, now, clock):
                ready.append(name)
            else:
                pending += 1
        self.seen = {name: seen for name, seen in self.seen.items() if name in names}
        return ready, pending

    def _left_alone(self, name: str, mode: int) -> str | None:
        if not included(name, self.include):
            return "a folder" if stat.S_ISDIR(mode) else "not an input (--include)"
        if not stat.S_ISREG(mode):
            return f"{durable.kind(mode)}, not a regular file: never read"
        return None

    def _settled(self, name: str, st: os.stat_result, now_ns: int, clock: float) -> bool:
        """Old enough by its mtime, or unchanged for `settle` seconds of watching (an mtime in the future)."""
        seen = self.seen.get(name)
        if seen is None or (seen.size, seen.mtime_ns) != (st.st_size, st.st_mtime_ns):
            seen = self.seen[name] = Seen(st.st_size, st.st_mtime_ns, clock)
        age = (now_ns - st.st_mtime_ns) / 1e9
        return (0 <= age and age >= self.settle) or clock - seen.since >= self.settle

    # -- claiming ---------------------------------------------------------------------------------

    def claim(self, name: str) -> Claimed | None:
        """Take the settled file `name` into the claims folder; None when it is gone, changed since
        it was seen, or no longer a regular file (the next scan looks at whatever is there then)."""
        source = self.root / name
        seen = self.seen.pop(name, None)
        try:
            st = os.lstat(source)
        except FileNotFoundError:
            return None
        if not stat.S_ISREG(st.st_mode) or seen is None or (seen.size, seen.mtime_ns) != (st.st_size, st.st_mtime_ns):
            return None
        target = self.claims / f"{time.time_ns():x}-{os.getpid()}-{next(self.counter)}.{name}"
        try:
            os.rename(source, target)
        except FileNotFoundError:
            return None
        if st.st_nlink > 1:
            _own_copy(target)
        else:
            with contextlib.suppress(OSError):
                os.chmod(target, durable.PRIVATE_FILE)
        durable.fsync_folder(self.claims)
        durable.fsync_folder(self.root)
        return Claimed(target, name)

    def claimed(self) -> Iterator[Claimed]:
        """What a stopped run left claimed, oldest first."""
        with contextlib.suppress(FileNotFoundError):
            for entry in sorted(os.listdir(self.claims)):
                token, dot, name = entry.partition(".")
                if dot and token and not entry.endswith(".tmp"):
                    yield Claimed(self.claims / entry, name)


def _own_copy(path: Path) -> None:
    """Replace the hard link `path` by a private copy of its bytes (the other names keep the file as it was)."""
    with durable.open_regular(path) as fh:
        with durable.replacing(path, encoding=None) as out:
            while chunk := fh.read(durable.COPY_CHUNK):
                out.write(chunk)  # type: ignore[arg-type]
