"""A transaction set's claim results, kept until the set is decided, in bounded memory.

A set-level error (found as late as its SE) rejects every claim of the set, so a set's claims cannot
be answered before its end. Sets hold at most a few thousand claims in practice, but nothing in X12
stops one from holding a whole 1 GB file: beyond `SPOOL_CLAIMS` they wait on disk.
"""

from __future__ import annotations

import dataclasses
import io
import os
import pickle
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from .findings import CLAIM, TRANSACTION, Finding

if TYPE_CHECKING:
    from .pipeline import ClaimResult

T = TypeVar("T")

SPOOL_CLAIMS = 5000  # the guide's recommended most claims per set: such sets never touch the disk


def _status(c: ClaimResult, set_error: bool) -> str:
    """What a claim's answer says: a set-level error or an error of its own rejects it."""
    return "rejected" if set_error or any(f.is_error for f in c.all_findings) else "accepted"


# The 277CA status of a claim returned with its rejected transaction set: unprocessable, missing or
# invalid information (the claim itself may be fine; what rejected it is the set's error).
WITH_SET_STC = ("A3:21",)


def set_reason(errors: list[Finding]) -> Finding | None:
    """What a claim rejected with its transaction set is told: the set's first error, repeated with
    scope "transaction" (its segment, line and fix are the set's), or None when the set has no error."""
    if not errors:
        return None
    first = errors[0]
    more = len(errors) - 1
    tail = f" (and {more} more error{'s' * (more != 1)} of the set, listed with it)" if more else ""
    # Without its 999 codes: the 999 answers the set's error once, with the set, not once per claim.
    return dataclasses.replace(first, scope=TRANSACTION, stc=WITH_SET_STC, ik3="", ik4="", ik4_position="",
                               data_element="", message=(
        f"rejected with its transaction set {first.transaction}, whose error rejects every claim in it:"
        f" {first.message}{tail}"))


def _explain(c: ClaimResult, reason: Finding | None) -> None:
    """A claim rejected only by its set's error carries that error, so it always says why."""
    if reason is not None and not any(f.is_error and f.scope == CLAIM for f in c.all_findings):
        c.findings.insert(0, dataclasses.replace(reason, claim_id=c.claim.claim_id))


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


class ClaimSpool:
    """A transaction set's claim results, in file order, while the set is undecided.

    The first `limit` stay in memory; the rest are pickled to an anonymous temporary file as they
    close, so a set of any size is checked in bounded memory. Once `decide` has the set's verdict,
    iterating (as often as needed) gives each claim with its status."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = SPOOL_CLAIMS if limit is None else limit
        self.memory: list[ClaimResult] = []
        self.spilled = 0
        self._spilled_rejected = 0  # of the spilled claims, those with an error of their own
        self._file: BinaryIO | None = None
        self.set_error = False
        self.reason: Finding | None = None  # what a claim rejected with the set is told (see set_reason)

    def append(self, c: ClaimResult) -> None:
        if len(self.memory) < self.limit:
            self.memory.append(c)
            return
        if self._file is None:
            import tempfile  # noqa: PLC0415 (only a large set spills: most runs never need it)

            self._file = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the spool)
        pickle.dump(c, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.spilled += 1
        self._spilled_rejected += _status(c, False) == "rejected"

    def decide(self, set_error: bool, reason: Finding | None = None) -> None:
        """The set is decided: a set-level error rejects every claim, and a claim with no error of its
        own is given `reason` (see set_reason) so that it says why."""
        self.set_error = set_error
        self.reason = reason if set_error else None
        for c in self.memory:
            c.status = _status(c, set_error)
            _explain(c, self.reason)
        if self._file is not None:
            self._file.flush()

    @property
    def spills(self) -> bool:
        """Some claims are on disk."""
        return self._file is not None

    def made(self, items: Iterator[T]) -> Iterable[T]:
        """What a writer makes of the whole set: listed, or, when claims are on disk, made as it is
        written (a list of it would hold the set in memory again)."""
        return items if self.spills else list(items)

    @property
    def accepted(self) -> int:
        spilled = 0 if self.set_error else self.spilled - self._spilled_rejected
        return sum(c.status == "accepted" for c in self.memory) + spilled

    def __len__(self) -> int:
        return len(self.memory) + self.spilled

    def __iter__(self) -> Iterator[ClaimResult]:
        yield from self.memory
        if self._file is None:
            return
        reader = io.BufferedReader(_PositionalReader(self._file.fileno()), 1 << 16)
        for _ in range(self.spilled):
            c = pickle.load(reader)
            c.status = _status(c, self.set_error)
            _explain(c, self.reason)
            yield c
