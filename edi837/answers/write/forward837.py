"""The forward 837: only the accepted claims, each with the clearinghouse trace number (REF*D9).

Claims keep their segments as received; HL numbers, SE01, GE01, IEA01 and the control numbers are
recomputed. A claim that already carries a REF*D9 keeps it (the guide allows one), and that number
is the trace the 277CA reports for it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import TextIO

from ...engine.results import TransactionResult
from ...x12.read import Delimiters, redelimit
from .envelope import Header, write_all
from .trace import trace

# 2300 segments that come after the claim's REF segments: REF*D9 goes before the first of them.
AFTER_REF = frozenset({"K3", "NTE", "CRC", "HI", "HCP", "NM1", "SBR", "LX", "PRV"})


def with_trace(segs: list[str], trace: str, element: str) -> list[str]:
    """The claim's segments (as read, separated by `element`) with REF*D9 `trace` added if it has none."""
    d9 = element.join(("REF", "D9"))
    if any(s == d9 or s.startswith(d9 + element) for s in segs):
        return segs
    at = next((i for i, s in enumerate(segs) if i and s.partition(element)[0] in AFTER_REF), len(segs))
    return segs[:at] + [element.join(("REF", "D9", trace))] + segs[at:]


def render(tx: TransactionResult, number: int, control: int) -> tuple[Iterable[str], int]:
    """The forward 837 set (ST02 `number`, in the interchange `control`) holding `tx`'s accepted claims,
    one segment with its terminator at a time, and how many claims it holds (nothing, 0 when none was
    accepted). Made as it is written when the set's claims were spooled to disk, else listed."""
    if not tx.accepted:
        return [], 0
    return tx.claims.made(_segments(tx, number, control)), tx.accepted


def _segments(tx: TransactionResult, number: int, control: int) -> Iterator[str]:
    d = tx.delims
    assert d is not None
    e, end = d.element, d.segment
    st = f"{number:04d}"
    count = 1 + len(tx.header)
    yield e.join(("ST", "837", st, tx.version)) + end
    yield from (s + end for s in tx.header)
    hl = 0
    last: list = [None, None, None]
    ids = [0, 0, 0]
    for c in tx.claims:
        if c.status != "accepted" or c.segments is None:
            continue
        billing, subscriber, patient = c.blocks
        for level, block in enumerate((billing, subscriber, patient)):
            # The same loop as the claim before (its HL, so its place, included): written once.
            if not block or block == last[level]:
                continue
            last[level] = block
            for deeper in range(level + 1, 3):
                last[deeper] = None
            hl += 1
            ids[level] = hl
            head = block[0].split(e)
            if head[0] == "HL":
                head[1] = str(hl)
                head[2] = str(ids[level - 1]) if level else ""
                if len(head) > 4:
                    head[4] = "1" if level == 0 or (level == 1 and patient) else "0"
            yield e.join(head) + end
            yield from (s + end for s in block[1:])
            count += len(block)
        claim = with_trace(c.segments, trace(c, control, tx.number), e)
        yield from (s + end for s in claim)
        count += len(claim)
    yield e.join(("SE", str(count + 1), st)) + end


class Writer:
    """The forward 837 interchange: the sets `render` made, under a header written before the first
    (`header` with the first set's receiver, version and delimiters)."""

    def __init__(self, header: Header) -> None:
        self.header = dataclasses.replace(header, functional_id="HC", line_break="")
        self.d: Delimiters | None = None
        self.sets = 0
        self.claims = 0

    def add(self, out: TextIO, segments: Iterable[str], claims: int, d: Delimiters | None, receiver: str,
            version: str) -> None:
        """Write a set `render` made to `out`: the interchange and group header first (in the first
        set's delimiters, to its receiver), then the set."""
        if not claims or d is None:
            return
        if self.d is None:
            self.d = d
            self.header = dataclasses.replace(self.header, receiver=receiver[:15] or "RECEIVER", delims=d,
                                              version=version or "005010X223A2")
            out.write(self.header.isa() + self.header.gs())
        mine = self.d
        if d != mine:  # a later interchange of the input used other delimiters: write ours
            segments = (redelimit(seg, d, mine) + mine.segment
                        for text in segments for seg in text.split(d.segment)[:-1])
        write_all(out, segments)
        self.sets += 1
        self.claims += claims

    def close(self) -> str:
        """GE and IEA, or nothing when no set was written (there is no forward 837)."""
        return self.header.trailer(self.sets) if self.sets else ""
