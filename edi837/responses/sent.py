"""What a forward 837 sent, claim by claim: the keys a payer's answer names it by.

A 999 names a set by its group's GS06 and its ST02 (a TA1 names the interchange by ISA13); a 277CA
names a claim by its CLM01 (TRN02) and the clearinghouse trace number (REF*D9) the forward 837 gave
it, and a batch by the set's BHT03. The forward 837 is edi837's own output, so a plain read of its
segments finds them; the file is streamed, one claim at a time.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..frozen import frozen
from ..x12.guide import GUIDES
from ..x12.read import Readable, segments


@frozen
class SentClaim:
    isa13: str
    gs06: str
    st02: str
    bht03: str
    claim_id: str  # CLM01
    trace: str  # REF*D9
    charge: str  # CLM02
    claim_type: str  # 837I, 837P


def sent_claims(stream: Readable, name: str) -> Iterator[SentClaim]:
    """Every claim of the forward 837 in `stream`, with its envelope's control numbers."""
    isa13 = gs06 = st02 = bht03 = kind = ""
    clm: list[str] | None = None
    trace = ""
    for seg in segments(stream, name):
        sid = seg.elements[0]
        if sid in ("CLM", "HL", "SE") and clm is not None:
            yield SentClaim(isa13, gs06, st02, bht03, clm[0], trace, clm[1], kind)
            clm = None
        if sid == "ISA":
            isa13 = seg.get(13)
        elif sid == "GS":
            gs06, kind = seg.get(6), GUIDES.get(seg.get(8), ("", ""))[0]
        elif sid == "ST":
            st02 = seg.get(2)
        elif sid == "BHT":
            bht03 = seg.get(3)
        elif sid == "CLM":
            clm, trace = [seg.get(1), seg.get(2)], ""
        elif sid == "REF" and clm is not None and seg.get(1) == "D9" and not trace:
            trace = seg.get(2)
