"""Typed claims: the 837I's 2300 loops as small frozen dataclasses, with an ambulance view.

`ClaimBuilder` is fed tagged segments (segment, loop id) in file order and hands back each claim as
soon as its 2300 loop ends, so memory holds one claim at a time. Money is Decimal; amounts that are
not numbers become None here (the guide checks report them), never a float.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal

from . import codes
from .frozen import frozen
from .read import Segment

ORIGIN_DESTINATION = frozenset("DEGHIJNPRSX")


MONEY = re.compile(r"-?[0-9]*(\.[0-9]+)?\Z", re.ASCII)  # an X12 R element: no exponent, no "+"
MONEY_DIGITS = 18  # the most digits an R element carries (monetary amounts, data element 782)


@functools.lru_cache(maxsize=4096)  # charges and dates repeat across claims; Decimal and date are immutable
def money(text: str) -> Decimal | None:
    """An amount as written in an R element, or None when it is not one (the guide check reports it
    where it is): "1E40" or 19 digits would overflow sums and the answers' amounts."""
    if not MONEY.match(text) or not 1 <= sum(ch.isdigit() for ch in text) <= MONEY_DIGITS:
        return None
    return Decimal(text)


@functools.lru_cache(maxsize=4096)
def date8(text: str) -> dt.date | None:
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)
def zip5(amount: str) -> str | None:
    """Value code A0's amount as a ZIP code: an X12 decimal, so leading zeros were dropped."""
    digits = amount.split(".")[0] if amount.endswith((".0", ".00")) else amount
    if not digits.isdigit() or len(digits) > 9:
        return None
    if len(digits) > 5:
        digits = digits.zfill(9)[:5]
    return digits.zfill(5)


@frozen
class Where:
    """Where a value sits in the file: enough to point a clerk, a 999 IK3/IK4 or a 277CA at it."""

    loop: str
    segment: str
    position: int  # in the transaction set, ST = 1
    element: str = ""  # e.g. "SV205", "HI01-5", "SV202-3"
    offset: int = -1
    line: int = 0


@frozen
class Person:
    last: str = ""
    first: str = ""
    member_id: str = ""
    birth_date: dt.date | None = None
    gender: str = ""


@frozen
class Provider:
    name: str = ""
    npi: str = ""
    npi_qualifier: str = ""
    zip: str = ""
    where: Where | None = None
    street: tuple[str, ...] = ()  # N301, N302 (the billing provider's address)
    street_where: Where | None = None


@frozen
class Code:
    """A code from an HI segment: diagnosis, condition, occurrence or value code."""

    qualifier: str
    code: str
    amount: str = ""  # value codes: HIxx-5 as written
    date: str = ""  # occurrence codes: HIxx-4
    where: Where | None = None


@functools.cache
def line_kind(procedure_code: str) -> str:
    row = codes.table("ambulance_hcpcs").get(procedure_code)
    if row is None:
        return "noncovered" if procedure_code in codes.codes("ambulance_hcpcs") else "other"
    kind = row.get("kind", "other")
    return kind if kind in ("base", "mileage", "noncovered_mileage") else ("noncovered" if kind == "noncovered" else "other")


@functools.cache
def modifier_kind(modifier: str) -> str:
    """What a HCPCS modifier is on an ambulance line, from the modifier table (codes/ambulance_modifiers.csv):
    arrangement (QM, QN), liability (GA, GX, GY, GZ), pronounced_dead (QL), ... A modifier the table
    does not name is an origin/destination pair when both its letters are origin/destination codes
    (RH, SH, RR ...), else "other". So GX is a liability modifier, never a trip from G to X."""
    row = codes.table("ambulance_modifiers").get(modifier)
    if row is not None and len(modifier) == 2:
        return row["kind"]
    if len(modifier) == 2 and modifier[0] in ORIGIN_DESTINATION and modifier[1] in ORIGIN_DESTINATION:
        return "origin_destination"
    return "other"


@functools.lru_cache(maxsize=4096)
def ambulance_view(procedure_code: str, modifiers: tuple[str, ...]) -> tuple[str, str, str, bool]:
    """A line's (kind, origin/destination modifier, QM/QN arrangement, pronounced dead): worked out
    once per distinct code and modifiers, not each time a rule asks."""
    od = next((m for m in modifiers if modifier_kind(m) == "origin_destination"), "")
    found = [m for m in modifiers if m in ("QM", "QN")]
    arrangement = found[0] if len(found) == 1 else "+".join(found)
    return line_kind(procedure_code), od, arrangement, "QL" in modifiers


@functools.lru_cache(maxsize=4096)  # a file holds few distinct code + modifier composites
def procedure(text: str, component: str) -> tuple[str, str, tuple[str, ...], str, str, str, bool]:
    """SV202 as written: (qualifier, code, modifiers, *ambulance_view(code, modifiers))."""
    proc = text.split(component) if text else []
    code = proc[1] if len(proc) > 1 else ""
    modifiers = tuple(filter(None, proc[2:6]))
    return (proc[0] if proc else "", code, modifiers, *ambulance_view(code, modifiers))


@frozen
class ServiceLine:
    lx: str
    revenue_code: str
    procedure_qualifier: str
    procedure_code: str
    modifiers: tuple[str, ...]
    charge: Decimal | None
    charge_text: str
    unit_basis: str
    units: str  # as written, e.g. "12.5"
    non_covered: Decimal | None
    non_covered_text: str
    service_date: dt.date | None
    service_date_text: str
    line_control: str  # REF*6R
    where: Where  # the SV2 segment
    date_where: Where | None = None
    # -- ambulance view (from procedure_code and modifiers: see `ambulance_view`) -------------------
    kind: str = "other"  # base, mileage, noncovered_mileage, noncovered, other (the ambulance HCPCS table)
    origin_destination: str = ""  # the origin/destination modifier, e.g. "RH"
    arrangement: str = ""  # QM or QN ("QM+QN" when both are given)
    pronounced_dead: bool = False  # QL

    def modifiers_of(self, kind: str) -> tuple[str, ...]:
        """The line's modifiers of one kind (see `modifier_kind`), e.g. "origin_destination", "liability"."""
        return tuple([m for m in self.modifiers if modifier_kind(m) == kind])

    @property
    def billed_non_covered(self) -> bool:
        """The whole charge is reported as non-covered (SV207 = SV203)."""
        return self.charge is not None and self.non_covered == self.charge

    @property
    def origin(self) -> str:
        od = self.origin_destination
        return od[0] if od else ""

    @property
    def destination(self) -> str:
        od = self.origin_destination
        return od[1] if od else ""


def is_ambulance(revenue_code: str, procedure_code: str) -> bool:
    """Lines the ambulance rules judge: revenue code 054X or an A0xxx HCPCS code."""
    return revenue_code[:3] == "054" or procedure_code[:2] == "A0"


def is_ambulance_line(ln: ServiceLine) -> bool:
    return is_ambulance(ln.revenue_code, ln.procedure_code)


@frozen
class Claim:
    claim_id: str
    total_charge: Decimal | None
    total_charge_text: str
    facility_type: str  # CLM05-1
    facility_qualifier: str  # CLM05-2
    frequency: str  # CLM05-3
    statement_from: dt.date | None
    statement_to: dt.date | None
    admission_type: str
    admission_source: str
    patient_status: str
    principal_diagnosis: str
    other_diagnoses: tuple[str, ...]
    condition_codes: tuple[Code, ...]
    value_codes: tuple[Code, ...]
    occurrence_codes: tuple[Code, ...]
    billing_provider: Provider
    subscriber: Person
    patient: Person
    payer_name: str
    payer_id: str
    attending: Provider | None
    lines: tuple[ServiceLine, ...]
    # where it came from
    file: str
    transaction: str  # ST02
    where: Where  # the CLM segment
    hl_subscriber: str = ""
    hl_patient: str = ""
    clearinghouse_trace: str = ""  # REF*D9 already on the claim, if any
    payer_claim_number: str = ""  # REF*F8
    period_where: Where | None = None  # DTP*434 (the statement period)
    cl1_where: Where | None = None  # CL1 (admission type, point of origin, patient status)
    # The lines the ambulance rules judge (revenue code 054X or an A0xxx HCPCS code); a claim with
    # none is not an ambulance claim. Worked out once, when the claim is built.
    ambulance_lines: tuple[ServiceLine, ...] = ()
    lines_not_read: int = 0  # service lines past MAX_LINES (the guide rejects them; memory stays bounded)

    @property
    def type_of_bill(self) -> str:
        return self.facility_type + self.frequency

    # -- ambulance view --------------------------------------------------------------------------
    def value(self, code: str) -> list[Code]:
        return [v for v in self.value_codes if v.code == code]

    def _first_value(self, code: str) -> str | None:
        for v in self.value_codes:
            if v.code == code:
                return v.amount
        return None

    @property
    def pickup_zip(self) -> str | None:
        amount = self._first_value("A0")
        return None if amount is None else zip5(amount)

    @property
    def patient_count(self) -> str | None:
        return self._first_value("32")

    @property
    def mileage_lines(self) -> tuple[ServiceLine, ...]:
        return tuple([ln for ln in self.lines if ln.kind == "mileage"])

    @property
    def base_lines(self) -> tuple[ServiceLine, ...]:
        return tuple([ln for ln in self.lines if ln.kind == "base"])

    @property
    def loaded_miles(self) -> str | None:
        miles = [ln.units for ln in self.mileage_lines]
        return "+".join(miles) if miles else None

    @property
    def attending_npi(self) -> str:
        return self.attending.npi if self.attending else ""


# -- building claims from tagged segments ----------------------------------------------------------

@dataclass(slots=True)
class _Draft:
    """Mutable state of the claim being read; frozen into a Claim when its loop ends."""

    clm: Segment
    clm_where: Where
    period: str = ""  # DTP*434
    period_where: Where | None = None
    cl1: tuple[str, str, str] = ("", "", "")
    cl1_where: Where | None = None
    d9: str = ""
    f8: str = ""
    conditions: list[Code] = field(default_factory=list)
    values: list[Code] = field(default_factory=list)
    occurrences: list[Code] = field(default_factory=list)
    diagnoses: list[str] = field(default_factory=list)
    principal: str = ""
    attending: Provider | None = None
    lines: list[ServiceLine] = field(default_factory=list)
    ambulance: list[ServiceLine] = field(default_factory=list)  # the lines that are is_ambulance
    # The service line being read: LX01, its SV2 and DTP*472 segments, REF*6R.
    lx: str | None = None
    sv2: Segment | None = None
    dtp: Segment | None = None
    line_control: str = ""
    lines_not_read: int = 0  # service lines past MAX_LINES


def _where(seg: Segment, loop: str, element: str = "") -> Where:
    return Where(loop, seg.elements[0], seg.position, element, seg.offset, seg.line)


def _get(els: list[str], index: int) -> str:
    return els[index] if index < len(els) else ""


MAX_LINES = 999  # the 837I's 2400 loop repeats at most 999 times; later lines of a claim are counted, not kept
PAD = ("",) * 12  # `(*elements, *PAD)[:n]`: a segment's first n elements, absent ones empty


# Segments that end the claim being read even inside a claim loop; loops that belong to a claim.
CLAIM_ENDS = frozenset({"CLM", "HL", "SE", "GE", "IEA", "ST", "GS", "ISA"})
CLAIM_LOOPS = frozenset({"2300", "2310A", "2310B", "2310C", "2310D", "2310E", "2310F", "2320", "2330A",
                         "2330B", "2330C", "2330D", "2330E", "2330F", "2330G", "2330H", "2330I", "2400", "2410",
                         "2420A", "2420B", "2420C", "2420D", "2430"})
SUBSCRIBER_LOOPS = frozenset({"2000B", "2010BA", "2010BB"})
PATIENT_LOOPS = frozenset({"2000C", "2010CA"})
HI_DIAGNOSIS = {"ABK": "principal", "BK": "principal", "ABF": "other", "BF": "other"}
HI_CODES = frozenset({"BG", "BE", "BH", "BI"})  # condition, value, occurrence (BH) and occurrence span (BI)


class RawSegments:
    """The segments the forward 837 copies, as read (text without terminator): the billing provider's,
    the subscriber's and the patient's loops, and the open claim's. A claim takes the blocks open when
    its CLM is read (`blocks`); an HL opens new ones."""

    def __init__(self) -> None:
        self.billing: list[str] = []
        self.subscriber: list[str] = []
        self.patient: list[str] = []
        self.claim: list[str] = []
        self.blocks: tuple[list[str], ...] = ()

    def new_set(self) -> None:
        self.billing, self.subscriber, self.patient = [], [], []

    def hl(self, code: str) -> None:
        if code == "20":
            self.billing = []
        elif code == "22":
            self.subscriber, self.patient = [], []
        elif code == "23":
            self.patient = []

    def claim_opened(self) -> None:
        self.blocks = (self.billing, self.subscriber, self.patient)

    def take_claim(self) -> tuple[list[str], tuple[list[str], ...]]:
        """The closed claim's segments and blocks; the next claim starts a list of its own."""
        taken, self.claim = self.claim, []
        return taken, self.blocks


class ClaimBuilder:
    """Feed (segment, loop id); `feed` returns a finished Claim when one ends, else None. With `keep`,
    `raw` holds the segments the forward 837 copies (see `retain`)."""

    def __init__(self, file: str = "", keep: bool = False) -> None:
        self.file = file
        self.raw: RawSegments | None = RawSegments() if keep else None
        self.transaction = ""
        self.billing = Provider()
        self.subscriber = Person()
        self.patient: Person | None = None
        self.payer = ("", "")
        self.hl_subscriber = ""
        self.hl_patient = ""
        self.draft: _Draft | None = None

    def feed(self, seg: Segment, loop: str) -> Claim | None:
        els = seg.elements
        sid = els[0]
        d = self.draft
        if d is not None:
            if loop in CLAIM_LOOPS and sid not in CLAIM_ENDS:
                self._claim_seg(d, seg, els, sid, loop)
                return None
            done = self.finish()
        else:
            done = None
        if sid == "HL":
            code = _get(els, 3)
            if self.raw is not None:
                self.raw.hl(code)
            if code == "22":  # a new subscriber: nothing of the one before carries over
                self.hl_subscriber, self.hl_patient, self.patient = _get(els, 1), "", None
                self.subscriber, self.payer = Person(), ("", "")
            elif code == "23":
                self.hl_patient = _get(els, 1)
            elif code == "20":
                self.billing = Provider()
        elif sid == "CLM":
            if loop == "2300":
                self.draft = _Draft(seg, _where(seg, loop))
                if self.raw is not None:
                    self.raw.claim_opened()
        elif sid == "ST":
            self.transaction = _get(els, 2)
            if self.raw is not None:
                self.raw.new_set()
        elif loop == "2010AA":
            b = self.billing
            if sid == "NM1":
                self.billing = dataclasses.replace(b, name=_get(els, 3), npi=_get(els, 9), npi_qualifier=_get(els, 8),
                                                   where=_where(seg, loop, "NM109"))
            elif sid == "N3":
                self.billing = dataclasses.replace(b, street=(_get(els, 1), _get(els, 2)),
                                                   street_where=_where(seg, loop, "N301"))
            elif sid == "N4":
                self.billing = dataclasses.replace(b, zip=_get(els, 3))
        elif loop == "2010BA":
            self.subscriber = self._person_seg(els, sid, self.subscriber)
        elif loop == "2010BB":
            if sid == "NM1":
                self.payer = (_get(els, 3), _get(els, 9))
        elif loop == "2010CA":
            self.patient = self._person_seg(els, sid, self.patient or Person())
        return done

    def retain(self, seg: Segment, loop: str, header: list[str], claim_clean: bool, person_clean: bool) -> None:
        """Keep `seg` for the forward 837 with what it belongs to, while that can still be forwarded
        (a guide error already filed rejects its claim or person loop: their segments are not kept,
        and a claim of a million segments in error costs no memory). The set's header goes to `header`."""
        raw = self.raw
        if raw is None:
            return
        if self.draft is not None:
            if claim_clean:
                raw.claim.append(seg.raw)
        elif loop in PATIENT_LOOPS:
            if person_clean:
                raw.patient.append(seg.raw)
        elif loop in SUBSCRIBER_LOOPS:
            if person_clean:
                raw.subscriber.append(seg.raw)
        elif loop[:2] == "20":
            raw.billing.append(seg.raw)
        else:
            header.append(seg.raw)

    @staticmethod
    def _person_seg(els: list[str], sid: str, p: Person) -> Person:
        if sid == "NM1":
            return Person(_get(els, 3), _get(els, 4), _get(els, 9))
        if sid == "DMG":
            return Person(p.last, p.first, p.member_id, date8(_get(els, 2)), _get(els, 3))
        return p

    def _claim_seg(self, d: _Draft, seg: Segment, els: list[str], sid: str, loop: str) -> None:
        if loop == "2400":
            if sid == "LX":
                if d.lx is not None:
                    self._end_line(d)
                d.lx = _get(els, 1)
            elif d.lx is None:
                pass
            elif sid == "SV2":
                d.sv2 = seg
            elif sid == "DTP":
                if _get(els, 1) == "472":
                    d.dtp = seg
            elif sid == "REF" and _get(els, 1) == "6R":
                d.line_control = _get(els, 2)
        elif loop == "2300":
            if sid == "HI":
                self._hi(d, seg, els, loop)
            elif sid == "DTP":
                if _get(els, 1) == "434":
                    d.period, d.period_where = _get(els, 3), _where(seg, loop, "DTP03")
            elif sid == "CL1":
                d.cl1, d.cl1_where = (_get(els, 1), _get(els, 2), _get(els, 3)), _where(seg, loop)
            elif sid == "REF":
                q = _get(els, 1)
                if q == "D9":
                    d.d9 = _get(els, 2)
                elif q == "F8":
                    d.f8 = _get(els, 2)
        elif loop == "2310A" and sid == "NM1":
            d.attending = Provider(" ".join(x for x in (_get(els, 4), _get(els, 3)) if x), _get(els, 9),
                                   _get(els, 8), "", _where(seg, loop, "NM109"))

    @staticmethod
    def _hi(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
        comp = seg.delims.component
        for i in range(1, len(els)):
            el = els[i]
            if not el:
                continue
            qual, _, rest = el.partition(comp)
            diagnosis = HI_DIAGNOSIS.get(qual)
            if diagnosis is not None:
                code = rest.partition(comp)[0]
                if diagnosis == "principal":
                    d.principal = code
                else:
                    d.diagnoses.append(code)
                continue
            if qual not in HI_CODES:
                continue
            parts = rest.split(comp)
            where = _where(seg, loop, f"HI{i:02d}")
            if qual == "BG":
                d.conditions.append(Code(qual, parts[0], "", "", where))
            elif qual == "BE":
                d.values.append(Code(qual, parts[0], parts[3] if len(parts) > 3 else "", "", where))
            else:
                d.occurrences.append(Code(qual, parts[0], "", parts[2] if len(parts) > 2 else "", where))

    @staticmethod
    def _end_line(d: _Draft) -> None:
        sv2, dtp, lx, line_control = d.sv2, d.dtp, d.lx, d.line_control
        d.lx, d.sv2, d.dtp, d.line_control = None, None, None, ""
        if sv2 is None or lx is None:
            return
        if len(d.lines) >= MAX_LINES:
            d.lines_not_read += 1
            return
        _, revenue, sv202, charge, basis, units, _, non_covered = (*sv2.elements, *PAD)[:8]
        qualifier, code, modifiers, kind, od, arrangement, dead = procedure(sv202, sv2.delims.component)
        if dtp is not None:
            date_text = _get(dtp.elements, 3)
            service_date = date8(date_text.partition("-")[0]) if date_text else None
            date_where = _where(dtp, "2400", "DTP03")
        else:
            date_text, service_date, date_where = "", None, None
        line = ServiceLine(
            lx, revenue, qualifier, code, modifiers, money(charge), charge, basis, units, money(non_covered),
            non_covered, service_date, date_text, line_control, _where(sv2, "2400"), date_where, kind, od,
            arrangement, dead)
        d.lines.append(line)
        if is_ambulance(revenue, code):
            d.ambulance.append(line)

    def finish(self) -> Claim | None:
        """Close the claim being read (at end of input too)."""
        d = self.draft
        if d is None:
            return None
        if d.lx is not None:
            self._end_line(d)
        self.draft = None
        els = d.clm.elements
        clm05 = els[5].split(d.clm.delims.component) if len(els) > 5 and els[5] else []
        start, _, end = d.period.partition("-")
        total = _get(els, 2)
        return Claim(
            _get(els, 1), money(total), total, clm05[0] if clm05 else "", clm05[1] if len(clm05) > 1 else "",
            clm05[2] if len(clm05) > 2 else "", date8(start), date8(end or start), d.cl1[0], d.cl1[1], d.cl1[2],
            d.principal, tuple(d.diagnoses), tuple(d.conditions), tuple(d.values), tuple(d.occurrences),
            self.billing, self.subscriber, self.patient or self.subscriber, self.payer[0], self.payer[1],
            d.attending, tuple(d.lines), self.file, self.transaction, d.clm_where, self.hl_subscriber,
            self.hl_patient, d.d9, d.f8, d.period_where, d.cl1_where, tuple(d.ambulance), d.lines_not_read)
