"""ISA/GS/GE/IEA for the answers we write, shared by the 999, 277CA and forward 837, and the spool
their bodies wait in until the header can be written (in memory while small, then on disk: an
answer to a 1 GB file never sits in memory)."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from typing import IO

from ..read import Delimiters
from .values import fit

SPOOL_BYTES = 1 << 20


def _party(value: str, d: Delimiters) -> str:
    """A sender or receiver id as ISA06/ISA08 and GS02/GS03 can carry it (2-15 characters)."""
    return fit(value, "142", d) or "UNKNOWN"


def _free_separator(d: Delimiters) -> str:
    """ISA11 for delimiters without a repetition separator: one that clashes with none of them."""
    return next(ch for ch in "^{|!" if ch not in (d.element, d.component, d.segment))


def isa(sender: str, receiver: str, control: int, when: dt.datetime, usage: str, d: Delimiters) -> str:
    e = d.element
    fields = ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", _party(sender, d).ljust(15), "ZZ", _party(receiver, d).ljust(15),
              when.strftime("%y%m%d"), when.strftime("%H%M"), d.repetition or _free_separator(d), "00501", f"{control:09d}", "0",
              usage, d.component]
    return e.join(fields) + d.segment


def gs(code: str, sender: str, receiver: str, control: int, when: dt.datetime, version: str, d: Delimiters) -> str:
    return d.element.join(["GS", code, _party(sender, d), _party(receiver, d), when.strftime("%Y%m%d"), when.strftime("%H%M"),
                           str(control), "X", version]) + d.segment


def trailer(sets: int, control: int, d: Delimiters, line_break: str = "") -> str:
    """GE and IEA, each ending with the terminator and `line_break`."""
    e = d.element
    return f"GE{e}{sets}{e}{control}{d.segment}{line_break}IEA{e}1{e}{control:09d}{d.segment}{line_break}"


def spool() -> IO[str]:
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+", encoding="latin-1", newline="")


def copy(spooled: IO[str], out: IO[str]) -> None:
    """Append what `spooled` holds to `out`, and free it."""
    spooled.seek(0)
    shutil.copyfileobj(spooled, out)
    spooled.close()


def lines(segments: list[str], d: Delimiters) -> str:
    """Segments as written in our answers: each ends with the terminator and a line break."""
    return "".join(f"{s}{d.segment}\n" for s in segments)
