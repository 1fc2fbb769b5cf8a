"""The forward 837: only the accepted claims, each with the clearinghouse trace number (REF*D9).

Claims keep their segments as received; HL numbers, SE01, GE01, IEA01 and the control numbers are
recomputed. A claim that already carries a REF*D9 keeps it (the guide allows one), and that number
is the trace the 277CA reports for it.
"""

from __future__ import annotations

import datetime as dt

from ..pipeline import TransactionResult
from ..read import Delimiters, redelimit
from . import envelope

# 2300 segments that come after the claim's REF segments: REF*D9 goes before the first of them.
AFTER_REF = frozenset({"K3", "NTE", "CRC", "HI", "HCP", "NM1", "SBR", "LX", "PRV"})


def with_trace(segs: list[str], trace: str, element: str) -> list[str]:
    """The claim's segments (as read, separated by `element`) with REF*D9 `trace` added if it has none."""
    ids = [s.split(element, 2) for s in segs]
    if any(x[0] == "REF" and len(x) > 1 and x[1] == "D9" for x in ids):
        return segs
    at = next((i for i, x in enumerate(ids) if i and x[0] in AFTER_REF), len(segs))
    return segs[:at] + [element.join(("REF", "D9", trace))] + segs[at:]


def render(tx: TransactionResult, number: int) -> tuple[str, int]:
    """The forward 837 set (ST02 `number`) holding `tx`'s accepted claims, and how many it holds
    ("", 0 when none was accepted)."""
    accepted = [c for c in tx.claims if c.status == "accepted" and c.segments is not None]
    if not accepted:
        return "", 0
    d = tx.delims
    assert d is not None
    e = d.element
    st = f"{number:04d}"
    segs: list[str] = [e.join(("ST", "837", st, tx.version)), *tx.header]
    hl = 0
    last: list = [None, None, None]
    ids = [0, 0, 0]
    for c in accepted:
        billing, subscriber, patient = c.blocks
        for level, block in enumerate((billing, subscriber, patient)):
            if not block or block is last[level]:
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
            segs.append(e.join(head))
            segs += block[1:]
        segs += with_trace(c.segments, c.trace, e)
    segs.append(e.join(("SE", str(len(segs) + 1), st)))
    return "".join(s + d.segment for s in segs), len(accepted)


class Writer:
    """The forward 837 interchange: the sets `render` made, under a header written before the first."""

    def __init__(self, settings, control: int, when: dt.datetime) -> None:
        self.s = settings
        self.control = control
        self.when = when
        self.d: Delimiters | None = None
        self.sets = 0
        self.claims = 0

    def add(self, text: str, claims: int, d: Delimiters | None, receiver: str, version: str) -> str:
        """What to write for a set `render` made: the interchange and group header first (in the
        first set's delimiters, to its receiver), then the set."""
        if not text or d is None:
            return ""
        out = ""
        if self.d is None:
            self.d = d
            to = receiver[:15] or "RECEIVER"
            out = (envelope.isa(self.s.sender_id, to, self.control, self.when, self.s.usage, d)
                   + envelope.gs("HC", self.s.sender_id, to, self.control, self.when, version or "005010X223A2", d))
        elif d != self.d:  # a later interchange of the input used other delimiters: write ours
            text = "".join(redelimit(seg, d, self.d) + self.d.segment for seg in text.split(d.segment) if seg)
        self.sets += 1
        self.claims += claims
        return out + text

    def close(self) -> str:
        if self.d is None:
            return ""
        return envelope.trailer(self.sets, self.control, self.d)
