"""Typed claims: the 837I's 2300 loops as small frozen dataclasses, with an ambulance view.

`ClaimBuilder` is fed tagged segments (segment, loop id) in file order and hands back each claim as
soon as its 2300 loop ends, so memory holds one claim at a time. Money is Decimal; amounts that are
not numbers become None here (the guide checks report them), never a float.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from . import codes
from .read import Segment

ORIGIN_DESTINATION = frozenset("DEGHIJNPRSX")


@functools.lru_cache(maxsize=4096)  # charges and dates repeat across claims; Decimal and date are immutable
def money(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@functools.lru_cache(maxsize=4096)
def date8(text: str) -> dt.date | None:
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def zip5(amount: str) -> str | None:
    """Value code A0's amount as a ZIP code: an X12 decimal, so leading zeros were dropped."""
    digits = amount.split(".")[0] if amount.endswith((".0", ".00")) else amount
    if not digits.isdigit() or len(digits) > 9:
        return None
    if len(digits) > 5:
        digits = digits.zfill(9)[:5]
    return digits.zfill(5)


@dataclass(frozen=True, slots=True)
class Where:
    """Where a value sits in the file: enough to point a clerk, a 999 IK3/IK4 or a 277CA at it."""

    loop: str
    segment: str
    position: int  # in the transaction set, ST = 1
    element: str = ""  # e.g. "SV205", "HI01-5", "SV202-3"
    offset: int = -1
    line: int = 0


@dataclass(frozen=True, slots=True)
class Person:
    last: str = ""
    first: str = ""
    member_id: str = ""
    birth_date: dt.date | None = None
    gender: str = ""


@dataclass(frozen=True, slots=True)
class Provider:
    name: str = ""
    npi: str = ""
    npi_qualifier: str = ""
    zip: str = ""
    where: Where | None = None


@dataclass(frozen=True, slots=True)
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


@functools.lru_cache(maxsize=4096)
def ambulance_view(procedure_code: str, modifiers: tuple[str, ...]) -> tuple[str, str, str, bool]:
    """A line's (kind, origin/destination modifier, QM/QN arrangement, pronounced dead): worked out
    once per distinct code and modifiers, not each time a rule asks."""
    od = next((m for m in modifiers if len(m) == 2 and m[0] in ORIGIN_DESTINATION and m[1] in ORIGIN_DESTINATION), "")
    found = [m for m in modifiers if m in ("QM", "QN")]
    arrangement = found[0] if len(found) == 1 else "+".join(found)
    return line_kind(procedure_code), od, arrangement, "QL" in modifiers


@dataclass(frozen=True, slots=True)
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

    @property
    def origin(self) -> str:
        od = self.origin_destination
        return od[0] if od else ""

    @property
    def destination(self) -> str:
        od = self.origin_destination
        return od[1] if od else ""


@dataclass(frozen=True, slots=True)
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

    @property
    def type_of_bill(self) -> str:
        return self.facility_type + self.frequency

    # -- ambulance view --------------------------------------------------------------------------
    def value(self, code: str) -> list[Code]:
        return [v for v in self.value_codes if v.code == code]

    @property
    def pickup_zip(self) -> str | None:
        found = self.value("A0")
        return zip5(found[0].amount) if found else None

    @property
    def patient_count(self) -> str | None:
        found = self.value("32")
        return found[0].amount if found else None

    @property
    def mileage_lines(self) -> tuple[ServiceLine, ...]:
        return tuple(ln for ln in self.lines if ln.kind == "mileage")

    @property
    def base_lines(self) -> tuple[ServiceLine, ...]:
        return tuple(ln for ln in self.lines if ln.kind == "base")

    @property
    def loaded_miles(self) -> str | None:
        miles = [ln.units for ln in self.mileage_lines]
        return "+".join(miles) if miles else None

    @property
    def attending_npi(self) -> str:
        return self.attending.npi if self.attending else ""


# -- building claims from tagged segments ----------------------------------------------------------

@dataclass
class _Draft:
    """Mutable state of the claim being read; frozen into a Claim when its loop ends."""

    clm: Segment
    clm_where: Where
    fields: dict = field(default_factory=dict)
    conditions: list[Code] = field(default_factory=list)
    values: list[Code] = field(default_factory=list)
    occurrences: list[Code] = field(default_factory=list)
    diagnoses: list[str] = field(default_factory=list)
    principal: str = ""
    attending: Provider | None = None
    lines: list[ServiceLine] = field(default_factory=list)
    line: dict | None = None


def _where(seg: Segment, loop: str, element: str = "") -> Where:
    return Where(loop, seg.id, seg.position, element, seg.offset, seg.line)


def _person(seg: Segment) -> Person:
    return Person(last=seg.get(3), first=seg.get(4), member_id=seg.get(9))


class ClaimBuilder:
    """Feed (segment, loop id); `feed` returns a finished Claim when one ends, else None."""

    def __init__(self, file: str = "") -> None:
        self.file = file
        self.transaction = ""
        self.billing = Provider()
        self.subscriber = Person()
        self.patient: Person | None = None
        self.payer = ("", "")
        self.hl_subscriber = ""
        self.hl_patient = ""
        self.draft: _Draft | None = None
        self._last_nm1 = ""

    def feed(self, seg: Segment, loop: str) -> Claim | None:
        sid = seg.elements[0]
        done = None
        if self.draft is not None and (sid in ("CLM", "HL", "SE", "GE", "IEA", "ST") or loop[:2] not in ("23", "24")):
            done = self.finish()
        if sid == "ST":
            self.transaction = seg.get(2)
        elif sid == "HL":
            if seg.get(3) == "22":
                self.hl_subscriber, self.hl_patient, self.patient = seg.get(1), "", None
            elif seg.get(3) == "23":
                self.hl_patient = seg.get(1)
            elif seg.get(3) == "20":
                self.billing = Provider()
        elif loop == "2010AA":
            self._billing(seg, loop)
        elif loop == "2010BA":
            self._subscriber(seg)
        elif loop == "2010BB" and sid == "NM1":
            self.payer = (seg.get(3), seg.get(9))
        elif loop == "2010CA":
            self.patient = self._person_seg(seg, self.patient or Person())
        elif sid == "CLM" and loop == "2300":
            self.draft = _Draft(clm=seg, clm_where=_where(seg, loop))
        elif self.draft is not None:
            self._claim_seg(seg, loop)
        return done

    def _billing(self, seg: Segment, loop: str) -> None:
        b = self.billing
        if seg.id == "NM1":
            self.billing = Provider(name=seg.get(3), npi=seg.get(9), npi_qualifier=seg.get(8), zip=b.zip,
                                    where=_where(seg, loop, "NM109"))
        elif seg.id == "N4":
            self.billing = Provider(name=b.name, npi=b.npi, npi_qualifier=b.npi_qualifier, zip=seg.get(3), where=b.where)

    def _person_seg(self, seg: Segment, p: Person) -> Person:
        if seg.id == "NM1":
            return _person(seg)
        if seg.id == "DMG":
            return Person(p.last, p.first, p.member_id, date8(seg.get(2)), seg.get(3))
        return p

    def _subscriber(self, seg: Segment) -> None:
        self.subscriber = self._person_seg(seg, self.subscriber)

    def _claim_seg(self, seg: Segment, loop: str) -> None:
        d = self.draft
        assert d is not None
        sid = seg.id
        if loop == "2300":
            if sid == "DTP" and seg.get(1) == "434":
                d.fields["period"] = seg.get(3)
            elif sid == "CL1":
                d.fields["cl1"] = (seg.get(1), seg.get(2), seg.get(3))
            elif sid == "REF" and seg.get(1) == "D9":
                d.fields["d9"] = seg.get(2)
            elif sid == "REF" and seg.get(1) == "F8":
                d.fields["f8"] = seg.get(2)
            elif sid == "HI":
                self._hi(seg, loop)
        elif loop == "2310A" and sid == "NM1":
            d.attending = Provider(name=" ".join(x for x in (seg.get(4), seg.get(3)) if x), npi=seg.get(9),
                                   npi_qualifier=seg.get(8), where=_where(seg, loop, "NM109"))
        elif loop == "2400":
            if sid == "LX":
                self._end_line()
                d.line = {"lx": seg.get(1)}
            elif d.line is not None and sid == "SV2":
                d.line["sv2"] = seg
            elif d.line is not None and sid == "DTP" and seg.get(1) == "472":
                d.line["dtp"] = seg
            elif d.line is not None and sid == "REF" and seg.get(1) == "6R":
                d.line["6r"] = seg.get(2)

    def _hi(self, seg: Segment, loop: str) -> None:
        d = self.draft
        assert d is not None
        comp = seg.delims.component
        for i, el in enumerate(seg.elements[1:], start=1):
            if not el:
                continue
            parts = el.split(comp)
            qual = parts[0]
            code = parts[1] if len(parts) > 1 else ""
            where = _where(seg, loop, f"HI{i:02d}")
            if qual in ("ABK", "BK"):
                d.principal = code
            elif qual in ("ABF", "BF"):
                d.diagnoses.append(code)
            elif qual == "BG":
                d.conditions.append(Code(qual, code, where=where))
            elif qual == "BE":
                d.values.append(Code(qual, code, amount=parts[4] if len(parts) > 4 else "", where=where))
            elif qual in ("BH", "BI"):
                d.occurrences.append(Code(qual, code, date=parts[3] if len(parts) > 3 else "", where=where))

    def _end_line(self) -> None:
        d = self.draft
        if d is None or d.line is None:
            return
        ln, d.line = d.line, None
        sv2: Segment | None = ln.get("sv2")
        if sv2 is None:
            return
        proc = sv2.components(2) if sv2.get(2) else []
        dtp: Segment | None = ln.get("dtp")
        date_text = dtp.get(3) if dtp is not None else ""
        code = proc[1] if len(proc) > 1 else ""
        modifiers = tuple(m for m in proc[2:6] if m)
        kind, od, arrangement, dead = ambulance_view(code, modifiers)
        d.lines.append(ServiceLine(
            ln["lx"], sv2.get(1), proc[0] if proc else "", code, modifiers, money(sv2.get(3)), sv2.get(3),
            sv2.get(4), sv2.get(5), money(sv2.get(7)), sv2.get(7),
            date8(date_text.split("-")[0]) if date_text else None, date_text, ln.get("6r", ""),
            _where(sv2, "2400"), _where(dtp, "2400", "DTP03") if dtp is not None else None,
            kind, od, arrangement, dead))

    def finish(self) -> Claim | None:
        """Close the claim being read (at end of input too)."""
        d = self.draft
        if d is None:
            return None
        self._end_line()
        self.draft = None
        clm = d.clm
        clm05 = clm.components(5) if clm.get(5) else []
        period = d.fields.get("period", "")
        start, _, end = period.partition("-")
        cl1 = d.fields.get("cl1", ("", "", ""))
        return Claim(
            claim_id=clm.get(1), total_charge=money(clm.get(2)), total_charge_text=clm.get(2),
            facility_type=clm05[0] if clm05 else "", facility_qualifier=clm05[1] if len(clm05) > 1 else "",
            frequency=clm05[2] if len(clm05) > 2 else "",
            statement_from=date8(start), statement_to=date8(end or start),
            admission_type=cl1[0], admission_source=cl1[1], patient_status=cl1[2],
            principal_diagnosis=d.principal, other_diagnoses=tuple(d.diagnoses),
            condition_codes=tuple(d.conditions), value_codes=tuple(d.values), occurrence_codes=tuple(d.occurrences),
            billing_provider=self.billing, subscriber=self.subscriber, patient=self.patient or self.subscriber,
            payer_name=self.payer[0], payer_id=self.payer[1], attending=d.attending, lines=tuple(d.lines),
            file=self.file, transaction=self.transaction, where=d.clm_where,
            hl_subscriber=self.hl_subscriber, hl_patient=self.hl_patient,
            clearinghouse_trace=d.fields.get("d9", ""), payer_claim_number=d.fields.get("f8", ""))
