"""The one place that opens inputs it does not trust and creates, fsyncs, renames and moves files.

Theory of operation. Everything edi837 writes carries patient data, and everything it reads may be
an attacker's: a link to /etc/shadow, a FIFO that blocks for ever, /dev/zero, a file replaced while
it is read. So:

- every file written is created private (0600, whatever the umask) under a hidden temporary name
  beside its target (`.NAME.tmp`), written, fsynced, renamed over the target, and its folder fsynced:
  a reader never sees half a file, a crash of the machine never loses a renamed one, and a killed
  process leaves only a temporary that the next run removes;
- every input is opened without following a link (O_NOFOLLOW) and without waiting (O_NONBLOCK), and
  refused unless it is a regular file: a FIFO, a device, a socket or a folder is never read;
- a move across file systems copies a regular file's bytes (from the descriptor that was opened, so
  a link swapped in meanwhile is never followed) and never a link's target.

Nothing here knows about X12.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

PRIVATE_FILE, PRIVATE_FOLDER = 0o600, 0o700
COPY_CHUNK = 1 << 20


class NotRegular(OSError):
    """A path that is a link, a FIFO, a device, a socket or a folder where a regular file was expected."""


# -- writing -------------------------------------------------------------------------------------

def temporary(target: Path) -> Path:
    """The name `target` is written under until it is whole: hidden, in the same folder (so the rename
    is atomic), ending in .tmp (what a consumer of the folder skips, and a restart removes)."""
    return target.with_name(f".{target.name}.tmp")


def private_fd(path: str | Path) -> int:
    """`path` created (or emptied) for writing, readable by its owner only (0600, whatever the umask).
    A link at `path` is not followed (O_NOFOLLOW): it is an error, not a way to write elsewhere."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, PRIVATE_FILE)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegular(errno.EINVAL, "not a regular file", str(path))
        os.fchmod(fd, PRIVATE_FILE)  # a file left by an earlier run keeps its mode otherwise
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_private(path: str | Path, encoding: str = "latin-1") -> TextIO:
    """`path` opened for writing text in place (see private_fd); X12 answers are latin-1, reports UTF-8."""
    return open(private_fd(path), "w", encoding=encoding, newline="")


def fsync_folder(folder: Path) -> None:
    """Put the folder's entries (a rename, a new file, a removal) on disk."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def replacing(path: str | Path, encoding: str | None = "latin-1", durable: bool = True) -> Iterator[TextIO]:
    """A text stream whose content replaces `path` when the block ends without an error (under its
    temporary name until then, fsynced first when `durable`); on an error nothing of it is left and
    `path` keeps what it had. `encoding` None: a binary stream (typed as text for the caller's ease)."""
    target = Path(path)
    tmp = temporary(target)
    try:
        fd = private_fd(tmp)
        stream = open(fd, "wb") if encoding is None else open(fd, "w", encoding=encoding, newline="")  # noqa: SIM115
        with stream:
            yield stream  # type: ignore[misc]
            stream.flush()
            if durable:
                os.fsync(stream.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if durable:
        fsync_folder(target.parent)


def write_atomic(path: Path, data: bytes) -> None:
    """`path` written whole or not at all, durably, readable by its owner only."""
    with replacing(path, encoding=None) as fh:
        fh.write(data)  # type: ignore[arg-type]


def remove_temporaries(folder: Path) -> int:
    """Delete what a killed process left half-written in `folder` (hidden .tmp files); how many."""
    removed = 0
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(folder):
            if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed += 1
    return removed


def cache_folder() -> Path:
    """Where edi837 keeps what it derives once and reads at every start (the compiled guide, the ZIP
    list): $EDI837_CACHE, else $XDG_CACHE_HOME/edi837, else ~/.cache/edi837."""
    return Path(os.environ.get("EDI837_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "edi837"))


def write_cache(path: Path, data: bytes) -> None:
    """Keep `data` in the cache file `path` (made with its folder, written whole or not at all); an
    unwritable cache only costs the next start its time, so an OSError is swallowed."""
    try:
        path.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
        write_atomic(path, data)
    except OSError:
        pass


# -- reading what we do not trust ----------------------------------------------------------------

def open_regular(path: str | Path, dir_fd: int | None = None) -> BinaryIO:
    """`path` opened for reading bytes if, and only if, it is a regular file: a link is not followed
    and a FIFO, device, socket or folder is refused (NotRegular) without blocking on it."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegular(errno.EINVAL, f"not a regular file ({kind(mode)})", str(path))
        os.set_blocking(fd, True)
        return open(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_limited(path: str | Path, limit: int) -> bytes:
    """A small trusted-format file (a config, a profile) read whole: a regular file only, at most
    `limit` bytes (ValueError beyond: /dev/zero or a 6 GB file is refused, not read)."""
    with open_regular(path) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"larger than {limit:,} bytes")
    return data


def kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a regular file" if stat.S_ISREG(mode) else "not a file"


# -- moving --------------------------------------------------------------------------------------

def move(source: Path, target: Path, fh: BinaryIO | None = None) -> None:
    """Rename `source` to `target` durably (both folders fsynced). Across file systems the bytes of
    the regular file are copied, from `fh` when given (the descriptor the caller checked: a file
    swapped in under the same name meanwhile is not what gets copied), then `source` is removed; a
    link, FIFO or folder is never copied (NotRegular). A regular file is made private first, unless other names link to it (a hard
    link into INBOX must not change the mode of the file outside)."""
    st = os.lstat(source)
    if stat.S_ISREG(st.st_mode) and st.st_nlink == 1:
        with contextlib.suppress(OSError):
            os.chmod(source, PRIVATE_FILE, follow_symlinks=False)
    try:
        os.rename(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        _copy_across(source, target, st, fh)
        os.unlink(source)
    fsync_folder(target.parent)
    fsync_folder(source.parent)


def _copy_across(source: Path, target: Path, st: os.stat_result, fh: BinaryIO | None) -> None:
    if not stat.S_ISREG(st.st_mode):  # a link, a FIFO, a folder: never followed, never copied
        raise NotRegular(errno.EXDEV, f"{kind(st.st_mode)} cannot be moved to another file system", str(source))
    with contextlib.ExitStack() as stack:
        src = fh if fh is not None else stack.enter_context(open_regular(source))
        src.seek(0)
        with replacing(target, encoding=None) as out:
            while chunk := src.read(COPY_CHUNK):
                out.write(chunk)  # type: ignore[arg-type]
