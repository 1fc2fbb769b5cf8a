"""The envelope state machine: ISA/GS/ST ... SE/GE/IEA, control numbers and counts.

`Envelope.feed(seg)` keeps the state of the interchange, group and transaction set in progress and
returns the envelope errors the segment reveals, each with the acknowledgment code it maps to
(TA1 for the interchange, AK905 for the group, IK5 for the set). Input that is not the one guide we
accept (another transaction set or another 837 version than GUIDES: 837I X223A2, 837P X222A1) raises
Edi837Error: no guide can check it.

Messages go to log lines, `.reason` files and `run --status`, so they quote an element's value only
when it has the form of what the element holds (a code, a version, a control number, a count: no
room for a name), within its X12 length; anything else is named by its element, not quoted. A
sender can put a patient's name in GS08 or ST02 as easily as in NM103.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from ..errors import InputError
from ..frozen import frozen
from .datatypes import valid_date, valid_time
from .guide import GUIDES, RESPONSE_GUIDES, VERSION_277CA, VERSION_837I, VERSION_837P, VERSION_999
from .read import Segment

ENVELOPE_IDS = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})

# Other guides people send by mistake, named in the error so the fix is obvious.
KNOWN_VERSIONS = {
    "005010X222A2": "a later errata of the 837P guide not accepted here (use 005010X222A1)",
    "005010X222": "the 837P base guide without its addenda (use 005010X222A1)",
    "004010X098A1": "the 4010 837P guide, retired in 2012",
    "005010X223A1": "an older addendum of the 837I guide (use 005010X223A2)",
    "005010X223A3": "a later errata of the 837I guide not accepted here (use 005010X223A2)",
    "005010X223": "the 837I base guide without its addenda (use 005010X223A2)",
    "005010X224A2": "the 837D (dental) guide",
    "004010X096A1": "the 4010 837I guide, retired in 2012",
    "004010X096": "the 4010 837I guide, retired in 2012",
}


# The forms an envelope value must have to be quoted in a message (each within its X12 length).
FUNCTIONAL_ID = re.compile(r"[A-Z0-9]{2}\Z")  # GS01: ID 2/2
SET_ID = re.compile(r"[0-9]{3}\Z")  # ST01: ID 3/3
VERSION = re.compile(r"[0-9]{6}(?:X[0-9]{3}(?:A[0-9])?)?\Z")  # GS08, ST03: 004010, 005010X223A2 (at most 12)
CONTROL = re.compile(r"[0-9]{1,9}\Z")  # ISA13, GS06, ST02 (N0 9/9, N0 1/9, AN 4/9: quoted when digits)
COUNT = re.compile(r"[0-9]{1,10}\Z")  # SE01, GE01, IEA01


def shown(value: str, form: re.Pattern[str]) -> str:
    """`value` quoted when it has `form`, else words that say it is not shown (it may be free text)."""
    return repr(value) if form.match(value) else "(not shown: not of its form)"


def _code_message(value: str, form: re.Pattern[str], known: str, unknown: str) -> str:
    """`known` (with {value} quoted) when `value` has the element's form, else `unknown`, unquoted."""
    return known.format(value=repr(value)) if form.match(value) else unknown


class Refused(InputError):
    """A functional group or transaction set of a kind or version this engine does not check. The 999
    answers it (AK905 or IK502 `code`); nothing after it is read, and no envelope error is made up
    for what was left open: the refusal is the file's one reason."""

    def __init__(self, message: str, *, level: str = "group", code: str = "1", gs: list[str] | None = None,
                 st: list[str] | None = None, file: str = "", offset: int | None = None,
                 segment: int | None = None, segment_id: str = "", element: str = "", line: int | None = None) -> None:
        super().__init__(message, file=file, offset=offset, segment=segment, segment_id=segment_id, element=element,
                         line=line)
        self.level = level  # "group" (answered by AK905) or "transaction" (by IK502)
        self.code = code
        self.gs = gs or []  # the GS elements of the group refused or holding the set refused
        self.st = st or []

    def constructor_args(self) -> dict[str, object]:
        return {**super().constructor_args(), "level": self.level, "code": self.code, "gs": self.gs, "st": self.st}


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
    element: str = ""  # the element in error, when one is


@frozen
class Accepts:
    """What an envelope reads: its guides' versions, the group (GS01) and set (ST01) each is sent in, and
    the words of a refusal."""

    versions: frozenset[str]
    sets: tuple[tuple[str, str], ...]  # (GS01, ST01) pairs: ("HC", "837")
    gs01_rule: str  # "GS01 must be HC for an 837"
    st01_rule: str  # "ST01 must be 837"
    st01_wrong: str  # "is not an 837 claim"
    gs01_wrong: str  # "is not health care claims"
    reads: str  # "edi837 reads 837I 005010X223A2 and 837P 005010X222A1"

    def set_id(self, gs01: str) -> str:
        """The ST01 a group of `gs01` holds ("" for a group no guide here is sent in)."""
        return next((st for gs, st in self.sets if gs == gs01), "")


CLAIMS = Accepts(frozenset(GUIDES), (("HC", "837"),), "GS01 must be HC for an 837", "ST01 must be 837",
                 "is not an 837 claim", "is not health care claims",
                 f"edi837 reads 837I {VERSION_837I} and 837P {VERSION_837P}")
# The payer's answers (edi837.responses): a 999 in an FA group, a 277CA in an HN group.
RESPONSES = Accepts(frozenset(RESPONSE_GUIDES), (("FA", "999"), ("HN", "277")),
                    "GS01 must be FA for a 999 or HN for a 277CA", "ST01 must be 999 or 277",
                    "is not a 999 or a 277 answer", "is not a payer's answer (FA, HN)",
                    f"edi837 reads back 999 {VERSION_999} and 277CA {VERSION_277CA}")


class Envelope:
    def __init__(self, file: str = "", accepts: Accepts = CLAIMS) -> None:
        self.file = file
        self.accepts = accepts
        self.isa: Segment | None = None
        self.gs: Segment | None = None
        self.st: Segment | None = None
        self.groups = 0
        self.sets = 0
        self.refused = False  # a group or set was refused: reading stopped there (see Refused)

    def _unsupported(self, seg: Segment, element: str, message: str, code: str = "") -> Refused:
        self.refused = True
        group = seg.id == "GS"
        # AK905 1/2: functional group (version) not supported; IK502 1: set not supported, I6: its guide
        # (19: an ST03 that is not its group's guide, "invalid implementation convention reference").
        code = code or (("2" if element == "GS08" else "1") if group else ("I6" if element == "ST03" else "1"))
        gs = seg.elements if group else (self.gs.elements if self.gs is not None else [])
        return Refused(message, level="group" if group else "transaction", code=code, gs=gs,
                       st=None if group else seg.elements, file=self.file, offset=seg.offset, segment=seg.number,
                       segment_id=seg.id, element=element, line=seg.line)

    def feed(self, seg: Segment) -> list[EnvelopeError] | tuple[()]:
        """Errors the envelope segment `seg` shows (any other segment shows none: it is skipped)."""
        reader = READERS.get(seg.elements[0])
        return () if reader is None else reader(self, seg)

    def _isa(self, seg: Segment) -> list[EnvelopeError]:
        errs: list[EnvelopeError] = []
        if self.isa is not None:
            errs += self._close_interchange(seg, missing=True)
        self.isa, self.groups = seg, 0
        return errs

    def _gs(self, seg: Segment) -> list[EnvelopeError]:
        errs: list[EnvelopeError] = []
        if self.isa is None:
            errs.append(self._err("interchange", "024", "GS outside an interchange (no ISA before it)", seg, ""))
        if self.gs is not None:
            errs += self._close_group(seg, missing=True)
        a = self.accepts
        if not a.set_id(seg.get(1)):
            raise self._unsupported(seg, "GS01", _code_message(
                seg.get(1), FUNCTIONAL_ID, f"functional group {{value}} {a.gs01_wrong} ({a.gs01_rule})",
                f"GS01 is not a functional identifier code ({a.gs01_rule})"))
        self._version(seg, "GS08", seg.get(8))
        self.gs, self.sets = seg, 0
        self.groups += 1
        return errs

    def _st(self, seg: Segment) -> list[EnvelopeError]:
        errs: list[EnvelopeError] = []
        if self.st is not None:
            errs += self._close_set(seg, missing=True)
        a = self.accepts
        wanted = a.set_id(self.gs.get(1)) if self.gs is not None else ""
        if seg.get(1) != wanted and (wanted or seg.get(1) not in {st for _, st in a.sets}):
            raise self._unsupported(seg, "ST01", _code_message(
                seg.get(1), SET_ID, f"transaction set {{value}} {a.st01_wrong}",
                f"ST01 is not a transaction set identifier code ({a.st01_rule})"))
        if seg.get(3):
            self._version(seg, "ST03", seg.get(3))
            group = self.gs.get(8) if self.gs is not None else seg.get(3)
            if seg.get(3) != group:  # one guide per group: the walker follows GS08
                raise self._unsupported(seg, "ST03", f"ST03 {shown(seg.get(3), VERSION)} is not its group's guide"
                                        f" (GS08 {shown(group, VERSION)}): a group holds sets of one guide", code="19")
        if self.gs is None:
            errs.append(self._err("group", "1", "ST outside a functional group (no GS before it)", seg, ""))
        self.st = seg
        self.sets += 1
        return errs

    def _se(self, seg: Segment) -> list[EnvelopeError]:
        if self.st is None:
            return [self._err("transaction", "2", "SE without a matching ST", seg, seg.get(2))]
        return self._close_set(seg)

    def _ge(self, seg: Segment) -> list[EnvelopeError]:
        errs: list[EnvelopeError] = []
        if self.st is not None:
            errs += self._close_set(seg, missing=True)
        if self.gs is None:
            errs.append(self._err("group", "3", "GE without a matching GS", seg, seg.get(2)))
        else:
            errs += self._close_group(seg)
        return errs

    def _iea(self, seg: Segment) -> list[EnvelopeError]:
        errs: list[EnvelopeError] = []
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
        if seg is None or self.refused:  # reading stopped at a refusal: what is open is not missing
            return errs
        if self.st is not None:
            errs += self._close_set(seg, missing=True)
        if self.gs is not None:
            errs += self._close_group(seg, missing=True)
        if self.isa is not None:
            errs += self._close_interchange(seg, missing=True)
        return [dataclasses.replace(e, truncated=True, message=f"{e.message} (the input ends after {seg.id})")
                for e in errs]

    @staticmethod
    def isa_values(isa: Segment) -> list[EnvelopeError]:
        """ISA09/ISA10/ISA13 that a TA1 cannot echo (TA105 014, 015, 018): the TA1 then carries a
        placeholder, and this error says so. (Asked once the interchange `isa` opens is in hand; `feed`
        gives the errors of the one it closes.)"""
        errs = []
        date, time, control = isa.get(9), isa.get(10), isa.get(13)
        if len(date) != 6 or not valid_date(date):
            errs.append(Envelope._err("interchange", "014", "ISA09 is not a date (YYMMDD): the TA1 gives the date it"
                                  " was written instead", isa, control, "ISA09"))
        if len(time) != 4 or not valid_time(time):
            errs.append(Envelope._err("interchange", "015", "ISA10 is not a time (HHMM): the TA1 gives the time it was"
                                  " written instead", isa, control, "ISA10"))
        if len(control) != 9 or not control.isascii() or not control.isdigit():
            errs.append(Envelope._err("interchange", "018", "ISA13 is not a 9-digit control number: the TA1 answers"
                                  " it as 000000000", isa, control, "ISA13"))
        return errs

    # -- closing ------------------------------------------------------------------------------
    def _version(self, seg: Segment, element: str, version: str) -> None:
        if version not in self.accepts.versions:
            what = KNOWN_VERSIONS.get(version, "not a guide this engine checks")
            reads = self.accepts.reads
            raise self._unsupported(seg, element, _code_message(
                version, VERSION, f"{element} {{value}} is {what}; {reads}",
                f"{element} is not a version code (such as {VERSION_837I}); {reads}"))

    @staticmethod
    def _err(level: str, code: str, message: str, seg: Segment, control: str, element: str = "") -> EnvelopeError:
        return EnvelopeError(level, code, message, seg.id, seg.position, seg.offset, control, line=seg.line,
                             element=element)

    def _close_set(self, seg: Segment, missing: bool = False) -> list[EnvelopeError]:
        st = self.st
        assert st is not None
        self.st = None
        control = st.get(2)
        if missing:
            return [self._err("transaction", "2", f"transaction set {shown(control, CONTROL)} has no SE trailer",
                              seg, control)]
        errs = []
        if seg.get(2) != control:
            errs.append(self._err("transaction", "3", f"SE02 {shown(seg.get(2), CONTROL)} does not match ST02"
                                  f" {shown(control, CONTROL)}", seg, control))
        if seg.get(1) != str(seg.position):  # the reader counts positions from ST = 1
            errs.append(self._err("transaction", "4", f"SE01 says {shown(seg.get(1), COUNT)} segments; the set has"
                                  f" {seg.position} (ST through SE)", seg, control))
        return errs

    def _close_group(self, seg: Segment, missing: bool = False) -> list[EnvelopeError]:
        gs = self.gs
        assert gs is not None
        self.gs = None
        control = gs.get(6)
        if missing:
            return [self._err("group", "3", f"functional group {shown(control, CONTROL)} has no GE trailer", seg,
                              control)]
        errs = []
        if seg.get(2) != control:
            errs.append(self._err("group", "4", f"GE02 {shown(seg.get(2), CONTROL)} does not match GS06"
                                  f" {shown(control, CONTROL)}", seg, control))
        if seg.get(1) != str(self.sets):
            errs.append(self._err("group", "5", f"GE01 says {shown(seg.get(1), COUNT)} transaction sets; the group has"
                                  f" {self.sets}", seg, control))
        return errs

    def _close_interchange(self, seg: Segment, missing: bool = False) -> list[EnvelopeError]:
        isa = self.isa
        assert isa is not None
        self.isa = None
        control = isa.get(13)
        if missing:
            return [self._err("interchange", "023", f"interchange {shown(control, CONTROL)} has no IEA trailer", seg,
                              control)]
        errs = []
        if seg.get(2) != control:
            errs.append(self._err("interchange", "001", f"IEA02 {shown(seg.get(2), CONTROL)} does not match ISA13"
                                  f" {shown(control, CONTROL)}", seg, control))
        if seg.get(1) != str(self.groups):
            errs.append(self._err("interchange", "021", f"IEA01 says {shown(seg.get(1), COUNT)} functional groups; the"
                                  f" interchange has {self.groups}", seg, control))
        return errs


# Which reader takes an envelope segment; any other segment is not the envelope's.
READERS: dict[str, Callable[[Envelope, Segment], list[EnvelopeError]]] = {
    "ISA": Envelope._isa, "GS": Envelope._gs, "ST": Envelope._st,
    "SE": Envelope._se, "GE": Envelope._ge, "IEA": Envelope._iea,
}
