"""The envelope state machine: ISA/GS/ST ... SE/GE/IEA, control numbers and counts.

`Envelope.feed(seg)` keeps the state of the interchange, group and transaction set in progress and
returns the envelope errors the segment reveals, each with the acknowledgment code it maps to
(TA1 for the interchange, AK905 for the group, IK5 for the set). Input that is not the one guide we
accept (another transaction set or another 837 version) raises EdiError: no guide can check it.
"""

from __future__ import annotations

import dataclasses

from .frozen import frozen
from .guide import VERSION_837I
from .read import EdiError, Segment

ENVELOPE_IDS = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})

# Other guides people send by mistake, named in the error so the fix is obvious.
KNOWN_VERSIONS = {
    "005010X222A1": "the 837P (professional) guide",
    "005010X222": "the 837P (professional) guide",
    "005010X223A1": "an older addendum of the 837I guide (use 005010X223A2)",
    "005010X223A3": "a later errata of the 837I guide not accepted here (use 005010X223A2)",
    "005010X223": "the 837I base guide without its addenda (use 005010X223A2)",
    "005010X224A2": "the 837D (dental) guide",
    "004010X096A1": "the 4010 837I guide, retired in 2012",
    "004010X096": "the 4010 837I guide, retired in 2012",
}


@frozen
class EnvelopeError:
    level: str  # "interchange" (TA1), "group" (AK9/AK905), "transaction" (IK5)
    code: str  # TA105, AK905 or IK501 reason code
    message: str
    segment_id: str
    position: int
    offset: int
    control: str  # ISA13 / GS06 / ST02 of the envelope in error
    truncated: bool = False  # found open at the end of the input
    line: int = 0  # 1-based line of the segment in the file


class Envelope:
    def __init__(self, file: str = "") -> None:
        self.file = file
        self.isa: Segment | None = None
        self.gs: Segment | None = None
        self.st: Segment | None = None
        self.groups = 0
        self.sets = 0

    def _unsupported(self, seg: Segment, element: str, message: str) -> EdiError:
        return EdiError(message, file=self.file, offset=seg.offset, segment=seg.number,
                        segment_id=seg.id, element=element)

    def feed(self, seg: Segment) -> list[EnvelopeError] | tuple[()]:
        """Errors the envelope segment `seg` shows (any other segment shows none: it is skipped)."""
        sid = seg.elements[0]
        if sid not in ENVELOPE_IDS:
            return ()
        errs: list[EnvelopeError] = []
        if sid == "ISA":
            if self.isa is not None:
                errs += self._close_interchange(seg, missing=True)
            self.isa, self.groups = seg, 0
        elif sid == "GS":
            if self.isa is None:
                errs.append(self._err("interchange", "024", "GS outside an interchange (no ISA before it)", seg, ""))
            if self.gs is not None:
                errs += self._close_group(seg, missing=True)
            if seg.get(1) != "HC":
                raise self._unsupported(seg, "GS01", f"functional group {seg.get(1)!r} is not health care claims"
                                        " (GS01 must be HC for an 837)")
            self._version(seg, "GS08", seg.get(8))
            self.gs, self.sets = seg, 0
            self.groups += 1
        elif sid == "ST":
            if self.st is not None:
                errs += self._close_set(seg, missing=True)
            if seg.get(1) != "837":
                raise self._unsupported(seg, "ST01", f"transaction set {seg.get(1)!r} is not an 837 claim")
            if seg.get(3):
                self._version(seg, "ST03", seg.get(3))
            if self.gs is None:
                errs.append(self._err("group", "1", "ST outside a functional group (no GS before it)", seg, ""))
            self.st = seg
            self.sets += 1
        elif sid == "SE":
            if self.st is None:
                errs.append(self._err("transaction", "2", "SE without a matching ST", seg, seg.get(2)))
            else:
                errs += self._close_set(seg)
        elif sid == "GE":
            if self.st is not None:
                errs += self._close_set(seg, missing=True)
            if self.gs is None:
                errs.append(self._err("group", "3", "GE without a matching GS", seg, seg.get(2)))
            else:
                errs += self._close_group(seg)
        elif sid == "IEA":
            if self.st is not None:
                errs += self._close_set(seg, missing=True)
            if self.gs is not None:
                errs += self._close_group(seg, missing=True)
            if self.isa is None:
                errs.append(self._err("interchange", "023", "IEA without a matching ISA", seg, seg.get(2)))
            else:
                errs += self._close_interchange(seg)
        return errs

    def end(self, seg: Segment | None) -> list[EnvelopeError]:
        """At end of input: whatever is still open was never closed."""
        errs: list[EnvelopeError] = []
        if seg is None:
            return errs
        if self.st is not None:
            errs += self._close_set(seg, missing=True)
        if self.gs is not None:
            errs += self._close_group(seg, missing=True)
        if self.isa is not None:
            errs += self._close_interchange(seg, missing=True)
        return [dataclasses.replace(e, truncated=True, message=f"{e.message} (the input ends after {seg.id})")
                for e in errs]

    # -- closing ------------------------------------------------------------------------------
    def _version(self, seg: Segment, element: str, version: str) -> None:
        if version != VERSION_837I:
            what = KNOWN_VERSIONS.get(version, "not a guide this engine checks")
            raise self._unsupported(seg, element, f"{element} {version!r} is {what}; edi837 reads 837I {VERSION_837I}")

    def _err(self, level: str, code: str, message: str, seg: Segment, control: str) -> EnvelopeError:
        return EnvelopeError(level, code, message, seg.id, seg.position, seg.offset, control, line=seg.line)

    def _close_set(self, seg: Segment, missing: bool = False) -> list[EnvelopeError]:
        st = self.st
        assert st is not None
        self.st = None
        control = st.get(2)
        if missing:
            return [self._err("transaction", "2", f"transaction set {control} has no SE trailer", seg, control)]
        errs = []
        if seg.get(2) != control:
            errs.append(self._err("transaction", "3", f"SE02 {seg.get(2)!r} does not match ST02 {control!r}", seg, control))
        if seg.get(1) != str(seg.position):  # the reader counts positions from ST = 1
            errs.append(self._err("transaction", "4", f"SE01 says {seg.get(1)!r} segments; the set has"
                                  f" {seg.position} (ST through SE)", seg, control))
        return errs

    def _close_group(self, seg: Segment, missing: bool = False) -> list[EnvelopeError]:
        gs = self.gs
        assert gs is not None
        self.gs = None
        control = gs.get(6)
        if missing:
            return [self._err("group", "3", f"functional group {control} has no GE trailer", seg, control)]
        errs = []
        if seg.get(2) != control:
            errs.append(self._err("group", "4", f"GE02 {seg.get(2)!r} does not match GS06 {control!r}", seg, control))
        if seg.get(1) != str(self.sets):
            errs.append(self._err("group", "5", f"GE01 says {seg.get(1)!r} transaction sets; the group has {self.sets}",
                                  seg, control))
        return errs

    def _close_interchange(self, seg: Segment, missing: bool = False) -> list[EnvelopeError]:
        isa = self.isa
        assert isa is not None
        self.isa = None
        control = isa.get(13)
        if missing:
            return [self._err("interchange", "023", f"interchange {control} has no IEA trailer", seg, control)]
        errs = []
        if seg.get(2) != control:
            errs.append(self._err("interchange", "001", f"IEA02 {seg.get(2)!r} does not match ISA13 {control!r}",
                                  seg, control))
        if seg.get(1) != str(self.groups):
            errs.append(self._err("interchange", "021", f"IEA01 says {seg.get(1)!r} functional groups; the"
                                  f" interchange has {self.groups}", seg, control))
        return errs
