"""The interchange around each answer we write (the 999, the 277CA and the forward 837): one typed
header, one writer of ISA/GS .. GE/IEA, and the spool the bodies wait in until the header can be
written (in memory while small, then on disk: an answer to a 1 GB file never sits in memory)."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from ...x12.read import DEFAULT_DELIMITERS, Delimiters
from .values import fit

SPOOL_BYTES = 1 << 20
WRITE_BATCH = 1000  # segments written in one call (see write_all)


@dataclass(frozen=True)
class Header:
    """What the ISA and GS of one of our answers say: one interchange holding one functional group."""

    sender: str  # ISA06, GS02: the clearinghouse
    receiver: str  # ISA08, and GS03 unless `group_receiver` says otherwise
    control: int  # ISA13 and GS06 (and GE02, IEA02)
    when: dt.datetime  # ISA09/ISA10, GS04/GS05
    usage: str  # ISA15: P production, T test
    functional_id: str  # GS01: FA (999), HN (277CA), HC (837)
    version: str  # GS08
    delims: Delimiters = DEFAULT_DELIMITERS
    group_receiver: str = ""  # GS03 when it is not ISA08
    line_break: str = "\n"  # after each envelope segment ("" to write them as the body's segments are)
    group_control: int = 0  # GS06 and GE02 when it is not ISA13 (a second group of one interchange)

    def isa(self) -> str:
        d = self.delims
        fields = ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", _party(self.sender, d).ljust(15), "ZZ",
                  _party(self.receiver, d).ljust(15), self.when.strftime("%y%m%d"), self.when.strftime("%H%M"),
                  d.repetition or _free_separator(d), "00501", f"{self.control:09d}", "0", self.usage, d.component]
        return d.element.join(fields) + d.segment + self.line_break

    def gs(self) -> str:
        d = self.delims
        fields = ["GS", self.functional_id, _party(self.sender, d), _party(self.group_receiver or self.receiver, d),
                  self.when.strftime("%Y%m%d"), self.when.strftime("%H%M"), str(self.group_control or self.control),
                  "X", self.version]
        return d.element.join(fields) + d.segment + self.line_break

    def trailer(self, sets: int) -> str:
        """GE and IEA closing `sets` transaction sets; IEA alone (no group) when there are none."""
        return (self.group_trailer(sets) + self.interchange_trailer(1)) if sets else self.interchange_trailer(0)

    def group_trailer(self, sets: int) -> str:
        """GE closing the group (GS06 `group_control`, else ISA13) of `sets` transaction sets."""
        e = self.delims.element
        return f"GE{e}{sets}{e}{self.group_control or self.control}{self.delims.segment}{self.line_break}"

    def interchange_trailer(self, groups: int) -> str:
        """IEA closing the interchange of `groups` functional groups."""
        e = self.delims.element
        return f"IEA{e}{groups}{e}{self.control:09d}{self.delims.segment}{self.line_break}"


def write(out: IO[str], header: Header, sets: int, body: IO[str], before_group: IO[str] | None = None) -> None:
    """One whole interchange to `out`: ISA, what `before_group` holds (TA1s), then, when there are
    `sets` in `body`, GS, the sets and GE; then IEA. The spools are freed."""
    out.write(header.isa())
    if before_group is not None:
        copy(before_group, out)
    if sets:
        out.write(header.gs())
        copy(body, out)
    else:
        body.close()
    out.write(header.trailer(sets))


def _party(value: str, d: Delimiters) -> str:
    """A sender or receiver id as ISA06/ISA08 and GS02/GS03 can carry it (2-15 characters)."""
    return fit(value, "142", d) or "UNKNOWN"


def _free_separator(d: Delimiters) -> str:
    """ISA11 for delimiters without a repetition separator: one that clashes with none of them."""
    return next(ch for ch in "^{|!" if ch not in (d.element, d.component, d.segment))


def spool() -> IO[str]:
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+", encoding="latin-1", newline="")


def write_all(out: IO[str], segments: Iterable[str]) -> None:
    """Write `segments` to `out` a batch at a time, joined: one write per batch (each write to a text
    file, or a spool that checks its size, costs more than the segment's own bytes), with at most one
    batch held at once."""
    it = iter(segments)
    while batch := list(itertools.islice(it, WRITE_BATCH)):
        out.write("".join(batch))


def copy(spooled: IO[str], out: IO[str]) -> None:
    """Append what `spooled` holds to `out`, and free it."""
    spooled.seek(0)
    shutil.copyfileobj(spooled, out)
    spooled.close()


def lines(segments: list[str], d: Delimiters) -> str:
    """Segments as written in our answers: each ends with the terminator and a line break."""
    return "".join(f"{s}{d.segment}\n" for s in segments)
