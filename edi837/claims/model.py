"""The claim model: the 2300 loops of an 837I or an 837P as small value classes (see `Value`), with one
ambulance view for both (pick-up ZIP, loaded miles, patients: `Claim.pickup_zip` ...), whatever loop
of which guide carries them. `Claim.claim_type` tells the two apart; the 837P's own data (CR1, CRC,
pick-up and drop-off locations, QTY*PT, NTE, REF*G1) sits in attributes an 837I claim leaves empty.

Money is Decimal; amounts that are not numbers become None here (the guide checks report them),
never a float. Values stay as written beside what is made of them (`charge_text`, `units`), so an
answer can quote them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypeVar

from .amounts import money, zip5
from .hcpcs import modifier_kind

V = TypeVar("V", bound="Value")


class Value:
    """The model's classes are values: equal, hashed, shown, copied and pickled by their attributes,
    and never changed once made (by convention: neither build refuses an assignment). Each is a plain
    class whose `__init__` takes its attributes by name, which mypyc compiles into a native class with
    a compiled constructor and direct attribute access. (As `@frozen` classes they stayed Python
    classes to mypyc: check ran 19% more instructions per claim, parse 26% more.)"""

    def _state(self) -> dict[str, Any]:
        """The attributes by name, in `__init__`'s order: those mypyc laid out, or the instance's dict."""
        names = getattr(type(self), "__mypyc_attrs__", None)
        return {n: getattr(self, n) for n in names} if names is not None else dict(vars(self))

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and isinstance(other, Value) and self._state() == other._state()

    def __hash__(self) -> int:
        return hash(tuple(self._state().values()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self._state().items())})"

    def replace(self: V, **changes: Any) -> V:
        """A copy with `changes` (attribute=value)."""
        return type(self)(**{**self._state(), **changes})

    def __reduce__(self) -> tuple[Any, ...]:  # claims spooled to disk are pickled: as a call with the attributes
        return _made, (type(self), self._state())


def _made(cls: type[V], state: dict[str, Any]) -> V:
    return cls(**state)


class Where(Value):
    """Where a value sits in the file: enough to point a clerk, a 999 IK3/IK4 or a 277CA at it."""

    def __init__(self, loop: str, segment: str, position: int, element: str = "", offset: int = -1,
                 line: int = 0) -> None:
        self.loop = loop
        self.segment = segment
        self.position = position  # in the transaction set, ST = 1
        self.element = element  # e.g. "SV205", "HI01-5", "SV202-3"
        self.offset = offset
        self.line = line


class Person(Value):
    def __init__(self, last: str = "", first: str = "", member_id: str = "", birth_date: dt.date | None = None,
                 gender: str = "", id_qualifier: str = "", where: Where | None = None) -> None:
        self.last = last
        self.first = first
        self.member_id = member_id
        self.birth_date = birth_date
        self.gender = gender
        self.id_qualifier = id_qualifier  # NM108: MI (member id: Medicare's MBI) on the subscriber
        self.where = where  # the NM1 segment, at NM109


class Provider(Value):
    def __init__(self, name: str = "", npi: str = "", npi_qualifier: str = "", zip: str = "",
                 where: Where | None = None, street: tuple[str, ...] = (),
                 street_where: Where | None = None, tax_id: str = "", tax_id_where: Where | None = None,
                 taxonomy: str = "", taxonomy_where: Where | None = None) -> None:
        self.name = name
        self.npi = npi
        self.npi_qualifier = npi_qualifier
        self.zip = zip
        self.where = where
        self.street = street  # N301, N302 (the billing provider's address)
        self.street_where = street_where
        self.tax_id = tax_id  # 2010AA REF*EI: the billing provider's employer identification number
        self.tax_id_where = tax_id_where
        self.taxonomy = taxonomy  # 2000A PRV*BI*PXC: the billing provider's taxonomy code (PRV03)
        self.taxonomy_where = taxonomy_where


class Code(Value):
    """A code from an HI segment: diagnosis, condition, occurrence or value code."""

    def __init__(self, qualifier: str, code: str, amount: str = "", date: str = "",
                 where: Where | None = None) -> None:
        self.qualifier = qualifier
        self.code = code
        self.amount = amount  # value codes: HIxx-5 as written
        self.date = date  # occurrence codes: HIxx-4
        self.where = where


class Transport(Value):
    """CR1, ambulance transport information (837P 2300, or 2400 for one line). `elements` are CR101-CR110
    as written (absent ones empty), for comparing a line's CR1 with the claim's."""

    def __init__(self, weight_unit: str, weight: str, reason: str, distance_unit: str, miles: Decimal | None,
                 miles_text: str, round_trip_purpose: str, stretcher_purpose: str, elements: tuple[str, ...],
                 where: Where) -> None:
        self.weight_unit = weight_unit  # CR101 (LB)
        self.weight = weight  # CR102, as written
        self.reason = reason  # CR104: A nearest facility, B preferred physician, C near family, D specialist, E rehab
        self.distance_unit = distance_unit  # CR105 (DH: miles)
        self.miles = miles  # CR106 as a number (None when it is not one)
        self.miles_text = miles_text  # CR106 as written
        self.round_trip_purpose = round_trip_purpose  # CR109
        self.stretcher_purpose = stretcher_purpose  # CR110
        self.elements = elements
        self.where = where  # the CR1 segment


class Certification(Value):
    """CRC, a certification (837P 2300 or 2400): CRC01 its category (07 ambulance; 70 hospice, 09 DME,
    E1-E3 vision, 75 homebound, ZZ EPSDT), CRC02 Y or N, CRC03-CRC07 its condition codes."""

    def __init__(self, category: str, answer: str, codes: tuple[str, ...], where: Where) -> None:
        self.category = category
        self.answer = answer
        self.codes = codes
        self.where = where


class Location(Value):
    """An ambulance pick-up (NM1*PW: 2310E, 2420G) or drop-off (NM1*45: 2310F, 2420H) location. The ZIP
    (N403) is a string as written: never padded (4 digits are a bad ZIP, not 0xxxx)."""

    def __init__(self, qualifier: str, name: str = "", street: tuple[str, ...] = (), city: str = "",
                 state: str = "", zip: str = "", country: str = "", where: Where | None = None,
                 address_where: Where | None = None, city_where: Where | None = None) -> None:
        self.qualifier = qualifier  # NM101: PW pick-up, 45 drop-off
        self.name = name  # NM103 (drop-off only)
        self.street = street  # N301, N302 (may be a description: "mile marker 265")
        self.city = city  # N401
        self.state = state  # N402
        self.zip = zip  # N403 as written
        self.country = country  # N404
        self.where = where  # the NM1 segment
        self.address_where = address_where  # the N3 segment (None: no N3)
        self.city_where = city_where  # the N4 segment (None: no N4)

    @property
    def zip5(self) -> str | None:
        """The 5 digits that price the trip: N403 of exactly 5 or 9 digits, else None (never padded)."""
        z = self.zip
        return z[:5] if len(z) in (5, 9) and z.isascii() and z.isdigit() else None


class Note(Value):
    """An NTE narrative (837P 2300 or 2400): NTE01 its kind (ADD, CER, DCP, DGN, TPO), NTE02 the text.
    The text is free text from the sender: it may name a patient, so it is never logged."""

    def __init__(self, kind: str, text: str, where: Where) -> None:
        self.kind = kind
        self.text = text
        self.where = where


class ServiceLine(Value):
    def __init__(self, lx: str, revenue_code: str, procedure_qualifier: str, procedure_code: str,
                 modifiers: tuple[str, ...], charge: Decimal | None, charge_text: str, unit_basis: str,
                 units: str, non_covered: Decimal | None, non_covered_text: str, service_date: dt.date | None,
                 service_date_text: str, line_control: str, where: Where, date_where: Where | None = None,
                 kind: str = "other", origin_destination: str = "", arrangement: str = "",
                 pronounced_dead: bool = False, place_of_service: str = "", pointers: tuple[str, ...] = (),
                 emergency: str = "", transport: Transport | None = None,
                 certifications: tuple[Certification, ...] = (), patient_count: str = "",
                 patient_count_where: Where | None = None, pickup: Location | None = None,
                 dropoff: Location | None = None, notes: tuple[Note, ...] = (),
                 prior_authorizations: tuple[Code, ...] = (), facility_where: Where | None = None) -> None:
        self.lx = lx
        self.revenue_code = revenue_code
        self.procedure_qualifier = procedure_qualifier
        self.procedure_code = procedure_code
        self.modifiers = modifiers
        self.charge = charge
        self.charge_text = charge_text
        self.unit_basis = unit_basis
        self.units = units  # as written, e.g. "12.5"
        self.non_covered = non_covered
        self.non_covered_text = non_covered_text
        self.service_date = service_date
        self.service_date_text = service_date_text
        self.line_control = line_control  # REF*6R
        self.where = where  # the SV2 segment
        self.date_where = date_where
        # -- ambulance view (from procedure_code and modifiers: see `ambulance_view`) -------------------
        self.kind = kind  # base, mileage, noncovered_mileage, noncovered, other (the ambulance HCPCS table)
        self.origin_destination = origin_destination  # the origin/destination modifier, e.g. "RH"
        self.arrangement = arrangement  # QM or QN ("QM+QN" when both are given)
        self.pronounced_dead = pronounced_dead  # QL
        # -- 837P only (an 837I line leaves them empty) -----------------------------------------------
        self.place_of_service = place_of_service  # SV105 (only when it differs from CLM05-1)
        self.pointers = pointers  # SV107: diagnosis code pointers
        self.emergency = emergency  # SV109 (Y)
        self.transport = transport  # 2400 CR1 (overrides the claim's for this line)
        self.certifications = certifications  # 2400 CRC, every category
        self.patient_count = patient_count  # 2400 QTY*PT QTY02 as written
        self.patient_count_where = patient_count_where
        self.pickup = pickup  # 2420G (overrides 2310E for this line)
        self.dropoff = dropoff  # 2420H (overrides 2310F)
        self.notes = notes  # 2400 NTE
        self.prior_authorizations = prior_authorizations  # 2400 REF*G1 (qualifier G1, code = REF02)
        self.facility_where = facility_where  # 2420C service facility (not used for ambulance)

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


class Claim(Value):
    def __init__(self, claim_id: str, total_charge: Decimal | None, total_charge_text: str, facility_type: str,
                 facility_qualifier: str, frequency: str, statement_from: dt.date | None,
                 statement_to: dt.date | None, admission_type: str, admission_source: str, patient_status: str,
                 principal_diagnosis: str, other_diagnoses: tuple[str, ...], condition_codes: tuple[Code, ...],
                 value_codes: tuple[Code, ...], occurrence_codes: tuple[Code, ...], billing_provider: Provider,
                 subscriber: Person, patient: Person, payer_name: str, payer_id: str,
                 attending: Provider | None, lines: tuple[ServiceLine, ...], file: str, transaction: str,
                 where: Where, hl_subscriber: str = "", hl_patient: str = "", clearinghouse_trace: str = "",
                 payer_claim_number: str = "", period_where: Where | None = None,
                 cl1_where: Where | None = None, ambulance_lines: tuple[ServiceLine, ...] = (),
                 lines_not_read: int = 0, diagnosis_codes: tuple[Code, ...] = (), claim_type: str = "837I",
                 created: dt.date | None = None, transport: Transport | None = None,
                 certifications: tuple[Certification, ...] = (), pickup: Location | None = None,
                 dropoff: Location | None = None, admission_date: dt.date | None = None,
                 admission_where: Where | None = None, notes: tuple[Note, ...] = (),
                 prior_authorizations: tuple[Code, ...] = (), facility_where: Where | None = None) -> None:
        self.claim_id = claim_id
        self.total_charge = total_charge
        self.total_charge_text = total_charge_text
        self.facility_type = facility_type  # CLM05-1
        self.facility_qualifier = facility_qualifier  # CLM05-2
        self.frequency = frequency  # CLM05-3
        self.statement_from = statement_from
        self.statement_to = statement_to
        self.admission_type = admission_type
        self.admission_source = admission_source
        self.patient_status = patient_status
        self.principal_diagnosis = principal_diagnosis
        self.other_diagnoses = other_diagnoses
        self.condition_codes = condition_codes
        self.value_codes = value_codes
        self.occurrence_codes = occurrence_codes
        self.billing_provider = billing_provider
        self.subscriber = subscriber
        self.patient = patient
        self.payer_name = payer_name
        self.payer_id = payer_id
        self.attending = attending
        self.lines = lines
        # where it came from
        self.file = file
        self.transaction = transaction  # ST02
        self.where = where  # the CLM segment
        self.hl_subscriber = hl_subscriber
        self.hl_patient = hl_patient
        self.clearinghouse_trace = clearinghouse_trace  # REF*D9 already on the claim, if any
        self.payer_claim_number = payer_claim_number  # REF*F8
        self.period_where = period_where  # DTP*434 (the statement period)
        self.cl1_where = cl1_where  # CL1 (admission type, point of origin, patient status)
        # The lines the ambulance rules judge (revenue code 054X or an A0xxx HCPCS code); a claim with
        # none is not an ambulance claim. Worked out once, when the claim is built.
        self.ambulance_lines = ambulance_lines
        self.lines_not_read = lines_not_read  # service lines past MAX_LINES (the guide rejects them; memory stays bounded)
        # The diagnosis codes as written (HI ABK principal, ABF other), each where it sits: for the code-form edit.
        self.diagnosis_codes = diagnosis_codes
        self.claim_type = claim_type  # "837I" (005010X223A2) or "837P" (005010X222A1)
        self.created = created  # BHT04: the date the set was created (both guides)
        # -- 837P only (an 837I claim leaves them empty) ----------------------------------------------
        self.transport = transport  # 2300 CR1
        self.certifications = certifications  # 2300 CRC, every category (07 is ambulance certification)
        self.pickup = pickup  # 2310E
        self.dropoff = dropoff  # 2310F
        self.admission_date = admission_date  # 2300 DTP*435
        self.admission_where = admission_where
        self.notes = notes  # 2300 NTE
        self.prior_authorizations = prior_authorizations  # 2300 REF*G1 (qualifier G1, code = REF02)
        self.facility_where = facility_where  # 2310C service facility (not used for ambulance)

    @property
    def type_of_bill(self) -> str:
        """837I: facility type + frequency (CLM05-1, CLM05-3). An 837P has no type of bill: "" there."""
        return self.facility_type + self.frequency if self.claim_type == "837I" else ""

    @property
    def place_of_service(self) -> str:
        """837P: CLM05-1 (41 ambulance - land, 42 air or water); "" on an 837I."""
        return self.facility_type if self.claim_type == "837P" else ""

    @property
    def professional(self) -> bool:
        return self.claim_type == "837P"

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
        """The ZIP that prices the trip: value code A0 (837I, a number: padded) or 2310E N403 (837P, a
        string: its first 5 of 5 or 9 digits, never padded)."""
        if self.claim_type == "837P":
            return self.pickup.zip5 if self.pickup is not None else None
        amount = self._first_value("A0")
        return None if amount is None else zip5(amount)

    @property
    def patient_count(self) -> str | None:
        """Patients in the vehicle: value code 32 (837I) or the largest QTY*PT of a line (837P), as written."""
        if self.claim_type == "837P":
            counts = [ln.patient_count for ln in self.lines if ln.patient_count]
            return max(counts, key=lambda c: money(c) or 0) if counts else None
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
