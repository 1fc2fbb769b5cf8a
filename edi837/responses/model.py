"""What a payer's answers say, as typed records: a TA1 per interchange, a 999's verdict per group and
per transaction set (with each IK3/IK4 error), a 277CA's status per claim (with its service lines)
and per batch, and what the guide says is wrong with the answer file itself.

`edi837.responses.read` yields them one by one as the file is read (a 277CA of a million claims is a
stream of a million ClaimStatus records, never a list). Each record names the interchange it came in
(`Interchange`: the file, the payer's ISA06, ISA13 ...) and its line in the file. Matching them to
what was forwarded is the stage's (`stage/payer.py`) and the report's (`answers/write/payer.py`).

Records hold codes and control numbers, never a patient's name, member id or birth date: a 277CA's
2100D NM1 is not kept. A 999's IK404 (the payer's copy of a bad value) is kept in `ElementNote.value`
for the API; no line edi837 prints or logs shows it. What a record's `words`, `codes` and `text` say
(what the CLI, `run --status`, the report and the Arrow rows show) quotes a value only when it is a
code of its list or has a code's form (`shown`): a malformed answer may hold a member id where a
status code belongs (a fuzz mutant's STC01 did, and its words quoted it).
"""

from __future__ import annotations

import re

from ..frozen import frozen
from ..x12 import status_codes

# The forms a value must have to be quoted in words and codes (as x12.envelope quotes its elements).
HIDDEN = "(value not shown)"  # no colon: Status.text stays category:code:entity
CODE = re.compile(r"[A-Za-z0-9]{1,3}\Z")  # TA104/TA105, IK304/IK403, IK5, AK9, STC codes: 1 to 3 characters
SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}\Z")  # IK301
NUMBER = re.compile(r"[0-9]{1,6}\Z")  # IK302 (position in the set), IK402 (data element), AK903/AK904 counts
POSITION = re.compile(r"[0-9]{1,2}(?::[0-9]{1,2}){0,2}\Z")  # IK401: element[:component[:repeat]]
LOOP = re.compile(r"[0-9]{4}[A-Z]{0,2}\Z")  # IK303: 2300, 2010BA
# SVC01: a qualifier, a procedure or revenue code (with a digit: HCPCS A0427, revenue 0540), modifiers.
SERVICE = re.compile(r"[A-Z]{2}:(?=[A-Z0-9]{0,7}[0-9])[A-Z0-9]{1,8}(?::[A-Z0-9]{2}){0,4}\Z")


def shown(value: str, form: re.Pattern[str] = CODE, list_name: str = "") -> str:
    """`value` as words and codes may quote it: itself when empty, of `form` or a code of the list
    `list_name` (status_codes), else HIDDEN."""
    if not value or form.match(value) or (list_name and status_codes.lookup(list_name, value) is not None):
        return value
    return HIDDEN


def _describe(list_name: str, code: str) -> str:
    return status_codes.describe(list_name, shown(code, CODE, list_name))

ACCEPTED, REJECTED, NOTED = "accepted", "rejected", "noted"
# 277CA claim status categories (code list 507): A0-A2 and A5 take the claim in; A3, A4, A6-A8 send it back.
ACCEPTING_CATEGORIES = frozenset({"A0", "A1", "A2", "A5"})
REJECTING_CATEGORIES = frozenset({"A3", "A4", "A6", "A7", "A8"})
ACCEPTING_999 = frozenset({"A", "E"})  # IK501/AK901: accepted, accepted with errors noted


@frozen
class Interchange:
    """The payer's interchange an answer came in."""

    file: str
    sender: str  # ISA06, trailing blanks dropped: the payer
    receiver: str  # ISA08: the clearinghouse
    control: str  # ISA13 of the answer itself
    date: str  # ISA09 YYMMDD
    usage: str  # ISA15: P production, T test


@frozen
class Ta1:
    """A TA1: the payer's verdict on one interchange it received (TA101 names its ISA13)."""

    interchange: Interchange
    control: str  # TA101: the ISA13 answered
    date: str  # TA102
    time: str  # TA103
    ack: str  # TA104: A accepted, E accepted with errors, R rejected
    note: str  # TA105: the interchange note code (000: no error)
    line: int

    @property
    def status(self) -> str:
        return REJECTED if self.ack == "R" else ACCEPTED

    @property
    def codes(self) -> str:
        return f"TA1 {shown(self.ack)} {shown(self.note)}"

    @property
    def words(self) -> str:
        return f"{_describe('TA104', self.ack)}; {_describe('TA105', self.note)}"


@frozen
class ElementNote:
    """An IK4: one element of a segment in error."""

    position: str  # IK401: "2", "5:1" (element:component[:repeat])
    data_element: str  # IK402: the data element reference number
    code: str  # IK403
    value: str  # IK404: the payer's copy of the bad value (may be a patient's data: never printed)


@frozen
class SegmentNote:
    """An IK3 (with its CTX and IK4s): one segment of the set in error."""

    segment_id: str  # IK301
    position: str  # IK302: position in the set (ST = 1)
    loop: str  # IK303
    code: str  # IK304
    claim_id: str  # CTX*CLM01: the claim it belongs to, when the payer says
    elements: tuple[ElementNote, ...]

    @property
    def words(self) -> str:
        where = (f"{shown(self.segment_id, SEGMENT_ID)} (segment {shown(self.position, NUMBER)}"
                 + (f", loop {shown(self.loop, LOOP)}" if self.loop else "") + ")")
        parts = [f"{where}: {_describe('IK304', self.code)}"]
        parts += [f"element {shown(e.position, POSITION)}"
                  + (f" (data element {shown(e.data_element, NUMBER)})" if e.data_element else "")
                  + f": {_describe('IK403', e.code)}" for e in self.elements]
        return "; ".join(parts)


@frozen
class SetAck:
    """A 999's AK2 ... IK5: the payer's verdict on one transaction set it received."""

    interchange: Interchange
    group_control: str  # AK102: the GS06 of the group answered
    group_version: str  # AK103
    set_id: str  # AK201: 837
    set_control: str  # AK202: the ST02 answered
    version: str  # AK203
    ack: str  # IK501: A, E, M, R, W, X
    reasons: tuple[str, ...]  # IK502-IK506
    segments: tuple[SegmentNote, ...]
    line: int

    @property
    def status(self) -> str:
        return ACCEPTED if self.ack in ACCEPTING_999 else REJECTED

    @property
    def codes(self) -> str:
        return " ".join([f"IK5*{shown(self.ack)}", *[shown(r) for r in self.reasons]]
                        + [f"IK3*{shown(s.segment_id, SEGMENT_ID)}*{shown(s.position, NUMBER)}*{shown(s.loop, LOOP)}"
                           f"*{shown(s.code)}" for s in self.segments])

    @property
    def words(self) -> str:
        parts = [_describe("IK501", self.ack)]
        parts += [_describe("IK502", r) for r in self.reasons]
        parts += [s.words for s in self.segments]
        return "; ".join(parts)


@frozen
class GroupAck:
    """A 999's AK1 ... AK9: the payer's verdict on one functional group it received."""

    interchange: Interchange
    functional_id: str  # AK101: HC
    group_control: str  # AK102: the GS06 answered
    version: str  # AK103
    ack: str  # AK901: A, E, M, P, R, W, X
    included: str  # AK902: sets in the group
    received: str  # AK903
    accepted: str  # AK904
    reasons: tuple[str, ...]  # AK905-AK909
    line: int

    @property
    def status(self) -> str:
        return ACCEPTED if self.ack in ACCEPTING_999 else NOTED if self.ack == "P" else REJECTED

    @property
    def codes(self) -> str:
        return " ".join([f"AK9 {shown(self.ack)}", *(shown(r) for r in self.reasons)])

    @property
    def words(self) -> str:
        counts = f"{shown(self.accepted, NUMBER) or '?'} of {shown(self.received, NUMBER) or '?'} sets accepted"
        return "; ".join([_describe("AK901", self.ack), counts] + [_describe("AK905", r) for r in self.reasons])


@frozen
class Status:
    """One 277CA status composite (STC01, STC10 or STC11): category, status and entity codes."""

    category: str  # code list 507: A1, A2, A3, A7 ...
    code: str  # code list 508: 20, 21, 562 ...
    entity: str  # entity identifier: 85 billing provider, QC patient ...

    @property
    def words(self) -> str:
        return status_codes.stc_words(shown(self.category, CODE, "CATEGORY"), shown(self.code, CODE, "STATUS"),
                                      shown(self.entity, CODE, "ENTITY"))

    @property
    def text(self) -> str:
        return ":".join(shown(x, CODE, lst) for x, lst in ((self.category, "CATEGORY"), (self.code, "STATUS"),
                                                           (self.entity, "ENTITY")) if x)


def status_of(statuses: tuple[Status, ...]) -> str:
    """A 277CA's verdict from its status composites: rejected if any category sends the claim back,
    accepted if one takes it in, else noted (a pending or an error response: E0-E4, P categories)."""
    cats = {s.category for s in statuses}
    if cats & REJECTING_CATEGORIES:
        return REJECTED
    return ACCEPTED if cats & ACCEPTING_CATEGORIES else NOTED


@frozen
class LineStatus:
    """A 277CA service line (2220D): its SVC and the statuses the payer gives it."""

    service: str  # SVC01 as written, components joined by ":" (HC:A0427:RH, NU:0540)
    charge: str  # SVC02
    statuses: tuple[Status, ...]
    control: str  # REF*FJ: the line item control number
    date: str  # DTP*472


@frozen
class ClaimStatus:
    """A 277CA claim (2200D): the payer's verdict on one claim it received."""

    interchange: Interchange
    claim_id: str  # TRN02: the patient control number (CLM01) the claim was sent with
    statuses: tuple[Status, ...]
    action: str  # STC03: WQ accepted, U rejected
    charge: str  # STC04: the claim's total charge
    payer_claim_number: str  # REF*1K: the payer's own number for an accepted claim
    trace: str  # REF*D9: the clearinghouse trace number the claim was forwarded with
    bill_type: str  # REF*BLT
    dates: str  # DTP*472: D8 or RD8
    billing_npi: str  # 2100C NM109
    batch: str  # 2200B TRN02: the submitter's batch (the 837's BHT03)
    lines: tuple[LineStatus, ...]
    line: int

    @property
    def status(self) -> str:
        return status_of(self.statuses + tuple(s for ln in self.lines for s in ln.statuses))

    @property
    def codes(self) -> str:
        return " ".join(s.text for s in self.statuses)

    @property
    def words(self) -> str:
        parts = [s.words for s in self.statuses]
        parts += [f"line {shown(ln.service, SERVICE)}: " + ", ".join(s.words for s in ln.statuses)
                  for ln in self.lines if ln.statuses]
        return "; ".join(parts)


@frozen
class BatchStatus:
    """A 277CA status above the claims: of a whole batch (2200B, the information receiver: the 837's
    transaction set named by its BHT03) or of one billing provider's claims (2200C)."""

    interchange: Interchange
    level: str  # "batch" (2200B) or "provider" (2200C)
    trace: str  # 2200B TRN02: the 837's BHT03; 2200C TRN02: the provider's trace
    statuses: tuple[Status, ...]
    accepted_count: str  # QTY*90 / QTY*QA
    rejected_count: str  # QTY*AA / QTY*QC
    line: int

    @property
    def status(self) -> str:
        return status_of(self.statuses)

    @property
    def codes(self) -> str:
        return " ".join(s.text for s in self.statuses)

    @property
    def words(self) -> str:
        return "; ".join(s.words for s in self.statuses)


@frozen
class Problem:
    """What is wrong with the answer file itself: an envelope, guide (IK3) or element (IK4) error, or
    input that cannot be read on. Located; never quotes a value."""

    file: str
    line: int
    segment_id: str
    loop: str
    element: str
    code: str  # X12-IK3-3, X12-IK4-7, X12-ENV-..., or "unreadable"
    message: str


Response = Ta1 | GroupAck | SetAck | ClaimStatus | BatchStatus | Problem
