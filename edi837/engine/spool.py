"""A list that keeps its first items in memory and the rest in an anonymous temporary file.

Nothing in X12 stops one transaction set from holding a whole 1 GB file, and a set's claims cannot
be answered before its end (an error as late as its SE rejects them all). `Spill` holds them in
bounded memory: the first `limit` items stay as they are, the rest are pickled to disk as they
come and read back, in order, each time the list is iterated. It knows nothing of claims.
"""

from __future__ import annotations

import io
import os
import pickle
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, Generic, TypeVar

T = TypeVar("T")
U = TypeVar("U")


class _PositionalReader(io.RawIOBase):
    """Reads a file descriptor from its own position (pread), so several readers can share one file."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self.fd, self.at = fd, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = os.pread(self.fd, len(buffer), self.at)
        buffer[:len(data)] = data
        self.at += len(data)
        return len(data)


class Spill(Generic[T]):
    """Items in the order appended: the first `limit` in `memory`, the rest pickled to a temporary
    file and read back, as new objects, by `on_disk`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.memory: list[T] = []
        self.spilled = 0
        self._file: BinaryIO | None = None

    def append(self, item: T) -> None:
        if len(self.memory) < self.limit:
            self.memory.append(item)
            return
        if self._file is None:
            import tempfile  # noqa: PLC0415 (only a large set spills: most runs never need it)

            self._file = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the list)
        pickle.dump(item, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.spilled += 1

    def flush(self) -> None:
        """No more items will come: what was pickled is written out for the readers."""
        if self._file is not None:
            self._file.flush()

    @property
    def spills(self) -> bool:
        """Some items are on disk."""
        return self._file is not None

    def made(self, items: Iterator[U]) -> Iterable[U]:
        """What a writer makes of the whole list: listed, or, when items are on disk, made as it is
        written (a list of it would hold them all in memory again)."""
        return items if self.spills else list(items)

    def __len__(self) -> int:
        return len(self.memory) + self.spilled

    def __iter__(self) -> Iterator[T]:
        yield from self.memory
        yield from self.on_disk()

    def on_disk(self) -> Iterator[T]:
        """The items past `limit`, read back from the file in order (as often as needed)."""
        if self._file is None:
            return
        reader = io.BufferedReader(_PositionalReader(self._file.fileno()), 1 << 16)
        for _ in range(self.spilled):
            yield pickle.load(reader)
