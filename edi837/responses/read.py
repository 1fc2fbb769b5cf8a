"""Read a payer's answers (TA1, 999 005010X231A1, 277CA 005010X214) as typed records.

The same machinery as an 837's check, with the answers' guides: the reader (`x12.read.segments`,
streaming), the envelope machine (`x12.envelope.Envelope` with `RESPONSES`: an FA group of 999s, an
HN group of 277s), the walker in the 999's or 277CA's tree of pyx12's maps (`x12.guide.RESPONSE_GUIDES`),
and the element validator. What the guide finds wrong with the file is a `Problem` record; what the
payer says is a `Ta1`, `GroupAck`, `SetAck`, `ClaimStatus` or `BatchStatus` (see `model`), each
yielded as soon as its segments are read.

A TA1 sits in the interchange, before its first GS (or alone, with no group at all): the walker
takes it in ISA_LOOP, where both maps place it, and the envelope does not count it as a group.
Input that cannot be read on (not X12, a guide that is not an answer's) ends the file with one
`Problem` (code "unreadable"): the records before it stay valid.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Edi837Error
from ..x12 import guide as guide_mod
from ..x12.envelope import ENVELOPE_IDS, RESPONSES, Envelope, EnvelopeError
from ..x12.read import SPACED, Readable, Segment, segments
from ..x12.validate import ElementError, segment_checker
from ..x12.walk import StructureError, Walker
from .model import (
    BatchStatus,
    ClaimStatus,
    ElementNote,
    GroupAck,
    Interchange,
    LineStatus,
    Problem,
    Response,
    SegmentNote,
    SetAck,
    Status,
    Ta1,
)


def read(stream: Readable, name: str) -> Iterator[Response]:
    """Every record of the answers in `stream` (called `name` in records and problems), in file order."""
    guide = guide_mod.load()
    walker = Walker(guide, guide_mod.VERSION_999)
    env = Envelope(name, RESPONSES)
    builder = _Builder(name)
    check = segment_checker(":")
    struct: list[StructureError] = []
    last: Segment | None = None
    ta1 = False  # a TA1 was read in this interchange
    try:
        for seg in segments(stream, name):
            last = seg
            sid = seg.elements[0]
            if sid in ENVELOPE_IDS:
                yield from (_envelope_problem(name, e) for e in env.feed(seg))
                if sid == "ISA":
                    check, ta1 = segment_checker(seg.delims.component), False
            node = walker.step(seg, struct)
            ta1 = ta1 or sid == "TA1"
            if seg.leading_blank:
                struct.append(StructureError("1", sid, seg.position, walker.loop, node, SPACED))
            for s in struct:
                if not _ta1_before_groups(s, sid, ta1):
                    yield _structure_problem(name, seg, s)
            struct.clear()
            # Every segment's elements against its map, the envelope's too (ISA03 a code, GS05 a time, IEA01
            # at most 5 digits ...), as pyx12 validates an answer; the envelope machine adds its counts and
            # control numbers. (ISA16 is the component separator itself, which the reader has vetted.)
            if node >= 0:
                yield from (_element_problem(name, seg, walker.loop, e) for e in check(guide.nodes[node], seg)
                            if e.ref != "ISA16")
            yield from builder.feed(seg, walker.loop)
        yield from (_envelope_problem(name, e) for e in env.end(last))
        yield from builder.finish()
    except Edi837Error as exc:
        yield from builder.finish()
        yield Problem(name, getattr(exc, "line", None) or 0, getattr(exc, "segment_id", "") or "", "",
                      getattr(exc, "element", "") or "", "unreadable", exc.message)


def looks_like_response(head: bytes) -> bool:
    """Whether a file that starts with `head` (its first bytes, from its ISA) is a payer's answer: the
    segment after its ISA is a TA1, or a GS of a 999 (FA) or 277 (HN) group."""
    if len(head) < 107 or not head.startswith(b"ISA"):
        return False
    separator, terminator = head[3:4], head[105:106]
    after = head[106:].split(terminator, 1)[0].lstrip()
    elements = after.split(separator)
    return elements[0] == b"TA1" or (elements[0] == b"GS" and len(elements) > 1 and elements[1] in (b"FA", b"HN"))


def _ta1_before_groups(s: StructureError, sid: str, ta1: bool) -> bool:
    """Whether `s` is the map's "required loop GS_LOOP is missing" at a TA1 before the first GS, or at
    the IEA of an interchange of TA1s alone (IEA01 0): where X12 puts a TA1, and no error. pyx12's maps
    place TA1 after GS_LOOP (both at 0200); pyx12 logs the same error there with no segment to hold it
    ("No current segment in error_handler"), and its verdict and its 999 leave it out."""
    return s.code == "3" and s.segment_id == "GS" and (sid == "TA1" or (sid == "IEA" and ta1))


def _envelope_problem(name: str, e: EnvelopeError) -> Problem:
    return Problem(name, e.line, e.segment_id, "", e.element, f"X12-ENV-{e.level[:2].upper()}{e.code}", e.message)


def _structure_problem(name: str, seg: Segment, s: StructureError) -> Problem:
    return Problem(name, seg.line, s.segment_id, s.loop_id, "", f"X12-IK3-{s.code}", s.message)


def _element_problem(name: str, seg: Segment, loop: str, e: ElementError) -> Problem:
    return Problem(name, seg.line, seg.elements[0], loop, e.ref, f"X12-IK4-{e.code}", e.message)


def _rest(seg: Segment, first: int, last: int) -> tuple[str, ...]:
    return tuple(v for v in (seg.get(i) for i in range(first, last + 1)) if v)


class _Builder:
    """Turns the answer's segments, tagged with their loops, into records."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.inter = Interchange(name, "", "", "", "", "")
        # 999
        self.ak1: list[str] = []
        self.ak2: Segment | None = None
        self.ik3: Segment | None = None
        self.ik3_claim = ""
        self.ik4: list[ElementNote] = []
        self.notes: list[SegmentNote] = []
        # 277CA
        self.batch = ""  # 2200B TRN02
        self.npi = ""
        self.level = ""  # "batch" (2000B) or "provider" (2000C) whose statuses are being read, "" none
        self.level_line = 0  # its HL's line (or its first segment's, when its HL has no place)
        self.level_statuses: list[Status] = []
        self.level_trace = ""  # its TRN02
        self.counts = ["", ""]
        self.claim_line = 0  # the line of the claim (2000D) being read; 0: none is
        self.claim: dict[str, str] = {}  # its TRN02, STC03/04, REF*1K/D9/BLT and DTP*472
        self.claim_statuses: list[Status] = []
        self.lines: list[LineStatus] = []
        self.svc: dict[str, str] | None = None
        self.svc_statuses: list[Status] = []

    def feed(self, seg: Segment, loop: str) -> Iterator[Response]:
        sid = seg.elements[0]
        if sid == "ISA":
            self.inter = Interchange(self.name, seg.get(6).rstrip(), seg.get(8).rstrip(), seg.get(13), seg.get(9),
                                     seg.get(15))
        elif sid == "TA1":
            yield Ta1(self.inter, seg.get(1), seg.get(2), seg.get(3), seg.get(4), seg.get(5), seg.line)
        elif sid in ("AK1", "AK2", "IK3", "CTX", "IK4", "IK5", "AK9"):
            yield from self._999(seg, sid)
        elif sid in ("HL", "SE", "GE", "IEA"):
            yield from self._close_277(seg)
        if sid in ("NM1", "TRN", "STC", "QTY", "REF", "DTP", "SVC"):
            self._277(seg, sid, loop)

    def finish(self) -> Iterator[Response]:
        yield from self._close_277(None)

    # -- 999 ------------------------------------------------------------------------------------
    def _999(self, seg: Segment, sid: str) -> Iterator[Response]:
        if sid == "AK1":
            self.ak1 = [seg.get(1), seg.get(2), seg.get(3)]
        elif sid == "AK2":
            self.ak2, self.notes, self.ik3 = seg, [], None
        elif sid == "IK3":
            self._close_ik3()
            self.ik3, self.ik3_claim, self.ik4 = seg, "", []
        elif sid == "CTX" and self.ik3 is not None and seg.component(1, 1) == "CLM01":
            self.ik3_claim = seg.component(1, 2)
        elif sid == "IK4" and self.ik3 is not None:
            self.ik4.append(ElementNote(seg.get(1).replace(seg.delims.component, ":"), seg.get(2), seg.get(3),
                                        seg.get(4)))
        elif sid == "IK5" and self.ak2 is not None:
            self._close_ik3()
            ak1, ak2 = self.ak1 or ["", "", ""], self.ak2
            yield SetAck(self.inter, ak1[1], ak1[2], ak2.get(1), ak2.get(2), ak2.get(3), seg.get(1),
                         _rest(seg, 2, 6), tuple(self.notes), ak2.line)
            self.ak2, self.notes = None, []
        elif sid == "AK9":
            ak1 = self.ak1 or ["", "", ""]
            yield GroupAck(self.inter, ak1[0], ak1[1], ak1[2], seg.get(1), seg.get(2), seg.get(3), seg.get(4),
                           _rest(seg, 5, 9), seg.line)
            self.ak1 = []

    def _close_ik3(self) -> None:
        ik3 = self.ik3
        if ik3 is not None:
            self.notes.append(SegmentNote(ik3.get(1), ik3.get(2), ik3.get(3), ik3.get(4), self.ik3_claim,
                                          tuple(self.ik4)))
        self.ik3 = None

    # -- 277CA ----------------------------------------------------------------------------------
    def _277(self, seg: Segment, sid: str, loop: str) -> None:
        if loop in ("2200D", "2220D") and not self.claim_line:  # a claim whose HL*PT has no place (a Problem says
            self.claim_line = seg.line  # so): its statuses are still the payer's, read from its first segment
        if loop in ("2200B", "2200C") and not self.level:  # as a claim: a level whose HL has no place
            self.level, self.level_line = ("batch" if loop == "2200B" else "provider"), seg.line
        if loop in ("2200B", "2200C"):
            if sid == "TRN":
                self.level_trace = seg.get(2)
                if loop == "2200B":
                    self.batch = self.level_trace
            elif sid == "STC":
                self.level_statuses += _statuses(seg)
            elif sid == "QTY" and seg.get(1) in ("90", "QA"):
                self.counts[0] = seg.get(2)
            elif sid == "QTY" and seg.get(1) in ("AA", "QC"):
                self.counts[1] = seg.get(2)
        elif loop == "2100C" and sid == "NM1":
            self.npi = seg.get(9)
        elif loop == "2200D":
            c = self.claim
            if sid == "TRN":
                c["claim_id"] = seg.get(2)
            elif sid == "STC":
                self.claim_statuses += _statuses(seg)
                c.setdefault("action", seg.get(3))
                c.setdefault("charge", seg.get(4))
            elif sid == "REF" and seg.get(1) in ("1K", "D9", "BLT"):
                c[seg.get(1)] = seg.get(2)
            elif sid == "DTP" and seg.get(1) == "472":
                c["dates"] = seg.get(3)
        elif loop == "2220D":
            if sid == "SVC":
                self._close_line()
                self.svc = {"service": ":".join(seg.components(1)), "charge": seg.get(2)}
            elif self.svc is not None:
                if sid == "STC":
                    self.svc_statuses += _statuses(seg)
                elif sid == "REF" and seg.get(1) == "FJ":
                    self.svc["control"] = seg.get(2)
                elif sid == "DTP" and seg.get(1) == "472":
                    self.svc["date"] = seg.get(3)

    def _close_line(self) -> None:
        s = self.svc
        if s is not None:
            self.lines.append(LineStatus(s["service"], s["charge"], tuple(self.svc_statuses), s.get("control", ""),
                                         s.get("date", "")))
        self.svc, self.svc_statuses = None, []

    def _close_277(self, seg: Segment | None) -> Iterator[Response]:
        """At an HL (or the end of the set): the claim or the batch/provider level being read is complete."""
        if self.level and self.level_statuses:
            yield BatchStatus(self.inter, self.level, self.level_trace, tuple(self.level_statuses),
                              self.counts[0], self.counts[1], self.level_line)
        self.level, self.level_statuses, self.counts, self.level_trace = "", [], ["", ""], ""
        if self.claim_line:
            self._close_line()
            c = self.claim
            yield ClaimStatus(self.inter, c.get("claim_id", ""), tuple(self.claim_statuses), c.get("action", ""),
                              c.get("charge", ""), c.get("1K", ""), c.get("D9", ""), c.get("BLT", ""),
                              c.get("dates", ""), self.npi, self.batch, tuple(self.lines), self.claim_line)
            self.claim, self.claim_line, self.claim_statuses, self.lines = {}, 0, [], []
        if seg is not None and seg.elements[0] == "HL":
            if seg.get(3) in ("21", "19"):
                self.level, self.level_line = ("batch" if seg.get(3) == "21" else "provider"), seg.line
                if seg.get(3) == "21":
                    self.batch = ""
            elif seg.get(3) == "PT":
                self.claim_line = seg.line
        elif seg is not None and seg.elements[0] in ("SE", "GE", "IEA"):
            self.batch, self.npi = "", ""


def _statuses(seg: Segment) -> list[Status]:
    """STC01, STC10 and STC11: each a category:status[:entity] composite."""
    out = []
    for i in (1, 10, 11):
        parts = seg.components(i) if seg.get(i) else []
        if parts:
            parts += ["", "", ""]
            out.append(Status(parts[0], parts[1], parts[2]))
    return out
