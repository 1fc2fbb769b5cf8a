"""The claim model: the 837I's 2300 loops as small frozen dataclasses, with an ambulance view.

Money is Decimal; amounts that are not numbers become None here (the guide checks report them),
never a float. Values stay as written beside what is made of them (`charge_text`, `units`), so an
answer can quote them.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal

from .. import codes
from ..frozen import frozen

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
