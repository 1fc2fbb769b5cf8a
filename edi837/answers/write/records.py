"""A checked claim as one plain record: the single shape every export, the HTML report and the Arrow /
Parquet rows are made from.

`claim_record(result, file, transaction)` gives a dict of plain data only (str, int, bool, None, and
lists and dicts of those; no float, no Decimal, no date): money is the amount as written in the 837
(a string, exact), dates are ISO strings. Its keys and their order are the export's schema
(edi837/schemas/export.schema.json; SCHEMA_VERSION names it) and are stable: a key is added with a
new minor schema version, never renamed or retyped. Every key is always present (None when the
claim has no value for it).

    file, transaction, transaction_ack     where the claim came from (ST02; the 999's IK501: A, E, R)
    claim_id, status, position, line, offset   CLM01, accepted/rejected, the CLM's place (set, file line, byte)
    type_of_bill, total_charge, statement_from, statement_to,
    admission_type, admission_source, patient_status,
    principal_diagnosis, other_diagnoses, condition_codes, value_codes, occurrence_codes,
    patient, subscriber (last, first, member_id, birth_date, gender), payer (name, id),
    billing_provider (name, npi, zip), attending_npi
    claim_type       "837I" (005010X223A2) or "837P" (005010X222A1)
    ambulance        the trip: level, base_code, emergency, origin, destination (letters and words),
                     trip ("Residence → Hospital"), loaded_miles, pickup_zip, patient_count,
                     arrangement (QM/QN), pronounced_dead; and the 837P's own (None, or [] for a
                     list, on an 837I): place_of_service (CLM05-1 41/42, and in words),
                     transport_reason (CR104, and in words), cr1_miles (CR106 as written),
                     certification (CRC02 of CRC*07) and conditions (CRC03-07, and in words),
                     pickup_address and dropoff_address (2310E/2310F as written, on one line)
    lines            service lines: lx, revenue_code, procedure_code, modifiers, charge, unit_basis,
                     units, non_covered, service_date, kind, origin, destination, arrangement,
                     pronounced_dead, line_control, position, line (lx: the service line's LX01);
                     and the 837P's per line (None on an 837I): place_of_service, emergency,
                     pickup_zip, dropoff_zip, cr1_miles, patient_count (write/professional.py)
    lines_not_read   lines past the guide's 999 (counted, not kept)
    errors, warnings counts of the findings
    findings         rule, severity, message, fix, source, scope, loop, segment, position, line,
                     element, lx, value, stc

"line" is always the file line (the 1-based line of the file the segment is on; every segment is on
line 1 of a file without line breaks) and "lx" always the service line (LX01): the keys keep their
names (renaming one would break every reader of schema 1.x), and DESCRIPTIONS puts this in the schema.

Patient data is in it (names, member ids, birth dates, diagnoses): whatever is written from it is
protected health information.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from ..._version import __version__
from ...claims import Claim, Code, Person, ServiceLine, codes
from ...claims.model import Certification, Location
from ...engine.results import ClaimResult, TransactionResult
from ...findings import Finding
from ...x12 import guide_codes
from .professional import LINE_KEYS, line_keys

SCHEMA_VERSION = "1.1"  # 1.1: claim_type and the 837P keys of `ambulance` and of each line
ARROW = "\u2192"

Record = dict[str, Any]


def tool_version() -> str:
    return __version__


def versions() -> dict[str, str]:
    """What every JSON output starts with: the tool, its version and the schema version."""
    return {"tool": "edi837", "tool_version": tool_version(), "schema_version": SCHEMA_VERSION}


def _date(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _text(s: str) -> str | None:
    return s or None


@functools.cache
def place(letter: str) -> str:
    """An origin/destination letter in words (codes/ambulance_modifiers.csv): R -> Residence,
    H -> Hospital, N -> Skilled nursing facility; the letter itself when the table does not know it."""
    row = codes.table("ambulance_modifiers").get(letter)
    if row is None or not letter:
        return letter
    return re.split(r" \(|,| other than ", row["description"])[0]


@functools.cache
def place_title(letter: str) -> str:
    """The table's full description of an origin/destination letter (for a tooltip)."""
    row = codes.table("ambulance_modifiers").get(letter)
    return row["description"] if row is not None else letter


@functools.cache
def level(procedure_code: str) -> str | None:
    """A base-rate HCPCS code's level in words: A0427 -> "ALS emergency" (codes/ambulance_hcpcs.csv)."""
    row = codes.table("ambulance_hcpcs").get(procedure_code)
    return row.get("short") if row is not None else None


GUIDES = {"837I": "005010X223A2", "837P": "005010X222A1"}  # the implementation guide of each claim type


@functools.cache
def source_of(rule: str, claim_type: str = "837I") -> str:
    """Where a finding's rule comes from: the rule's source (billing guide, CMS manual), or for an
    X12-level code the implementation guide of the claim's type and how the 999 answers it."""
    from ... import rules  # noqa: PLC0415

    r = rules.REGISTRY.get(rule)
    if r is not None:
        return r.source
    guide = f"{GUIDES.get(claim_type, GUIDES['837I'])} implementation guide"
    code = next((c for c in guide_codes.CODES if c.id == rule), None)
    return f"{guide}; {code.answer}" if code else guide


def finding_record(f: Finding, claim_type: str = "837I") -> Record:
    return {"rule": f.rule, "severity": f.severity, "message": f.message, "fix": _text(f.fix),
            "source": source_of(f.rule, claim_type), "scope": f.scope, "loop": _text(f.loop), "segment": _text(f.segment),
            "position": f.position or None, "line": f.line or None, "element": _text(f.element), "lx": _text(f.lx),
            "value": f.value, "stc": list(f.stc)}


def _person(p: Person) -> Record:
    return {"last": p.last, "first": p.first, "member_id": p.member_id, "birth_date": _date(p.birth_date),
            "gender": p.gender}


def _value(c: Code) -> Record:
    return {"code": c.code, "amount": _text(c.amount)}


def _occurrence(c: Code) -> Record:
    return {"code": c.code, "date": _text(c.date)}


def line_record(ln: ServiceLine) -> Record:
    return {"lx": ln.lx, "revenue_code": ln.revenue_code, "procedure_code": ln.procedure_code,
            "modifiers": list(ln.modifiers), "charge": _text(ln.charge_text), "unit_basis": ln.unit_basis,
            "units": _text(ln.units), "non_covered": _text(ln.non_covered_text),
            "service_date": _date(ln.service_date), "kind": ln.kind, "origin": _text(ln.origin),
            "destination": _text(ln.destination), "arrangement": _text(ln.arrangement),
            "pronounced_dead": ln.pronounced_dead, "line_control": _text(ln.line_control),
            "position": ln.where.position, "line": ln.where.line or None}


def emergency(c: Claim, base: ServiceLine | None, lvl: str | None) -> bool | None:
    """Whether the trip was an emergency: from the base code's level ("BLS emergency"); None without a
    base line. An 837P base line whose level does not say (air, specialty care) tells it in SV109 (Y)."""
    if lvl is None or base is None:
        return None
    if "emergency" in lvl or c.claim_type != "837P":
        return "non-emergency" not in lvl and "emergency" in lvl
    return base.emergency == "Y"


def ambulance_record(c: Claim) -> Record:
    """The trip: what a clerk reads first. Its base line (the first base-rate line) gives the level and
    the origin/destination modifier; a claim without one has no level and, unless a line carries an
    origin/destination, no trip."""
    base = c.base_lines[0] if c.base_lines else None
    od_line = base if base is not None and base.origin_destination else next(
        (ln for ln in c.lines if ln.origin_destination), None)
    origin = od_line.origin if od_line else ""
    destination = od_line.destination if od_line else ""
    lvl = level(base.procedure_code) if base else None
    arrangements = sorted({ln.arrangement for ln in c.ambulance_lines if ln.arrangement})
    return {
        "level": lvl, "base_code": base.procedure_code if base else None,
        "emergency": emergency(c, base, lvl),
        "origin": _text(origin), "destination": _text(destination),
        "origin_name": place(origin) if origin else None, "destination_name": place(destination) if destination else None,
        "trip": f"{place(origin)} {ARROW} {place(destination)}" if od_line else None,
        "loaded_miles": c.loaded_miles, "pickup_zip": c.pickup_zip, "patient_count": c.patient_count,
        "arrangement": "+".join(arrangements) or None, "pronounced_dead": any(ln.pronounced_dead for ln in c.lines),
        **professional_record(c),
    }


# -- the 837P's own data, in a clerk's words ------------------------------------------------------------
# CR104 (837P TR3; ../shared/domain/ambulance-837p-rules.md, "transport reason")
TRANSPORT_REASONS = {"A": "nearest facility", "B": "preferred physician", "C": "near family",
                     "D": "specialist or special equipment", "E": "rehabilitation facility"}
# CLM05-1 on an ambulance claim (CMS place of service codes)
PLACES_OF_SERVICE = {"41": "ambulance - land", "42": "ambulance - air or water"}
# CRC*07 condition codes CRC03-CRC07 (domain notes P11)
AMBULANCE_CONDITIONS = {"01": "admitted to a hospital", "04": "moved by stretcher", "05": "unconscious or in shock",
                        "06": "emergency situation", "07": "physically restrained", "08": "visible hemorrhaging",
                        "09": "medically necessary", "12": "confined to a bed or chair"}


def in_words(table: dict[str, str], code: str | None) -> str | None:
    """A code in words from one of the tables above; an unknown code as "unknown code X" (the guide or a
    P rule reports it), never a guess."""
    if not code:
        return None
    return table.get(code) or f"unknown code {code}"


def address(loc: Location | None) -> str | None:
    """A pick-up or drop-off location on one line, as written: name (a drop-off's NM103), street (N301,
    N302), city, state and ZIP (N401-N403; the ZIP unpadded, 5 or 9 digits or whatever was sent)."""
    if loc is None:
        return None
    state_zip = " ".join(p for p in (loc.state, loc.zip) if p)
    return ", ".join(p for p in (loc.name, *loc.street, loc.city, state_zip) if p) or None


def ambulance_crc(certifications: tuple[Certification, ...]) -> Certification | None:
    """The first CRC*07 (ambulance certification) of a loop."""
    return next((x for x in certifications if x.category == "07"), None)


def claim_crc(c: Claim) -> Certification | None:
    """The claim's CRC*07 (2300), else the first one on a line (2400)."""
    return ambulance_crc(c.certifications) or next(
        (x for ln in c.lines if (x := ambulance_crc(ln.certifications)) is not None), None)


def cr1_miles(c: Claim) -> str | None:
    """CR106 as written: the claim's (2300); without a 2300 CR1, the lines' own CR1s joined with "+"
    (as `loaded_miles` joins the mileage units), so it reads beside the billed units."""
    if c.transport is not None:
        return _text(c.transport.miles_text)
    own = [ln.transport.miles_text for ln in c.lines if ln.transport is not None and ln.transport.miles_text]
    return "+".join(own) or None


def claim_transport_reason(c: Claim) -> str | None:
    """CR104: the claim's, else the first line CR1's."""
    if c.transport is not None:
        return _text(c.transport.reason)
    return next((ln.transport.reason for ln in c.lines if ln.transport is not None and ln.transport.reason), None)


def professional_record(c: Claim) -> Record:
    """The 837P's keys of the ambulance view; on an 837I each is None (a list: []), so the record has
    one shape for both claim types."""
    if c.claim_type != "837P":
        return {"place_of_service": None, "place_of_service_name": None, "transport_reason": None,
                "transport_reason_name": None, "cr1_miles": None, "certification": None, "conditions": [],
                "condition_names": [], "pickup_address": None, "dropoff_address": None}
    crc = claim_crc(c)
    conditions = list(crc.codes) if crc is not None else []
    reason = claim_transport_reason(c)
    pos = c.place_of_service
    return {"place_of_service": _text(pos), "place_of_service_name": in_words(PLACES_OF_SERVICE, pos),
            "transport_reason": reason, "transport_reason_name": in_words(TRANSPORT_REASONS, reason),
            "cr1_miles": cr1_miles(c), "certification": _text(crc.answer) if crc is not None else None,
            "conditions": conditions, "condition_names": [in_words(AMBULANCE_CONDITIONS, x) for x in conditions],
            "pickup_address": address(c.pickup), "dropoff_address": address(c.dropoff)}


class Leg:
    """One trip of an 837P claim for the report's card: its date and O/D pair, where it started and
    ended (the line's 2420G/2420H, else the claim's 2310E/2310F), the miles billed (SV104 of its
    mileage lines) and the miles its CR1 says (CR106 of its mileage line's CR1, else the claim's)."""

    def __init__(self, date: str, pair: str, codes: list[str], pickup: str | None, dropoff: str | None,
                 billed_miles: str | None, cr1_miles: str | None) -> None:
        self.date = date
        self.pair = pair
        self.codes = codes
        self.pickup = pickup
        self.dropoff = dropoff
        self.billed_miles = billed_miles
        self.cr1_miles = cr1_miles


def legs(c: Claim) -> list[Leg]:
    """The claim's trips (lines with the same date and O/D pair, as rules/trips.py groups them), in
    line order; [] for an 837I or a claim without ambulance lines."""
    if c.claim_type != "837P":
        return []
    grouped: dict[tuple[str, str], list[ServiceLine]] = {}
    for ln in c.lines:
        if ln.procedure_code[:2] == "A0":
            grouped.setdefault((ln.service_date_text, ln.origin_destination or ("QL" if ln.pronounced_dead else "")),
                               []).append(ln)
    out: list[Leg] = []
    for (_when, pair), lines in grouped.items():
        first = lines[0]
        mileage = [ln for ln in lines if ln.kind in ("mileage", "noncovered_mileage")]
        own_cr1 = [ln.transport.miles_text for ln in mileage if ln.transport is not None]
        pickup = next((ln.pickup for ln in lines if ln.pickup is not None), c.pickup)
        dropoff = next((ln.dropoff for ln in lines if ln.dropoff is not None), c.dropoff)
        out.append(Leg(_date(first.service_date) or first.service_date_text, pair,
                       [ln.procedure_code for ln in lines], address(pickup), address(dropoff),
                       "+".join(ln.units for ln in mileage) or None,
                       "+".join(own_cr1) or (c.transport.miles_text if c.transport is not None else None)))
    return out


def claim_record(result: ClaimResult, file: str, transaction: TransactionResult | None = None) -> Record:
    """The record of one checked claim (see the module docstring for its keys). `file` is the path as
    given; `transaction` the set it came in, for its 999 verdict (None when not at hand)."""
    c = result.claim
    found = result.all_findings
    errors = sum(f.is_error for f in found)
    return {
        "file": file, "transaction": c.transaction, "transaction_ack": transaction.ack if transaction else None,
        "claim_id": c.claim_id, "claim_type": c.claim_type, "status": result.status,
        "position": c.where.position, "line": c.where.line or None,
        "offset": c.where.offset if c.where.offset >= 0 else None,
        "type_of_bill": c.type_of_bill, "total_charge": _text(c.total_charge_text),
        "statement_from": _date(c.statement_from), "statement_to": _date(c.statement_to),
        "admission_type": c.admission_type, "admission_source": c.admission_source,
        "patient_status": c.patient_status, "principal_diagnosis": _text(c.principal_diagnosis),
        "other_diagnoses": list(c.other_diagnoses), "condition_codes": [x.code for x in c.condition_codes],
        "value_codes": [_value(v) for v in c.value_codes],
        "occurrence_codes": [_occurrence(o) for o in c.occurrence_codes],
        "patient": _person(c.patient), "subscriber": _person(c.subscriber),
        "payer": {"name": c.payer_name, "id": c.payer_id},
        "billing_provider": {"name": c.billing_provider.name, "npi": c.billing_provider.npi,
                             "zip": c.billing_provider.zip},
        "attending_npi": _text(c.attending_npi),
        "ambulance": ambulance_record(c),
        "lines": [{**line_record(ln), **line_keys(c, ln)} for ln in c.lines],
        "lines_not_read": c.lines_not_read,
        "errors": errors, "warnings": len(found) - errors,
        "findings": [finding_record(f, c.claim_type) for f in found],
    }


# -- the record's shape: the one description its JSON Schema, XSD, XML and CSV are made from --------
# A type is "str", "int" or "bool", with "?" when it may be None; a list is [type] (its XML items are
# named in ITEMS); a dict is a nested shape. `python -m edi837.answers.write.records` writes the schemas from
# it into edi837/schemas/ (a test fails when they are stale).

PERSON = {"last": "str", "first": "str", "member_id": "str", "birth_date": "str?", "gender": "str"}
FINDING = {"rule": "str", "severity": "str", "message": "str", "fix": "str?", "source": "str", "scope": "str",
           "loop": "str?", "segment": "str?", "position": "int?", "line": "int?", "element": "str?", "lx": "str?",
           "value": "str", "stc": ["str"]}
LINE = {"lx": "str", "revenue_code": "str", "procedure_code": "str", "modifiers": ["str"], "charge": "str?",
        "unit_basis": "str", "units": "str?", "non_covered": "str?", "service_date": "str?", "kind": "str",
        "origin": "str?", "destination": "str?", "arrangement": "str?", "pronounced_dead": "bool",
        "line_control": "str?", "position": "int", "line": "int?", **LINE_KEYS}
AMBULANCE = {"level": "str?", "base_code": "str?", "emergency": "bool?", "origin": "str?", "destination": "str?",
             "origin_name": "str?", "destination_name": "str?", "trip": "str?", "loaded_miles": "str?",
             "pickup_zip": "str?", "patient_count": "str?", "arrangement": "str?", "pronounced_dead": "bool",
             # 837P only (None, or [], on an 837I)
             "place_of_service": "str?", "place_of_service_name": "str?", "transport_reason": "str?",
             "transport_reason_name": "str?", "cr1_miles": "str?", "certification": "str?", "conditions": ["str"],
             "condition_names": ["str"], "pickup_address": "str?", "dropoff_address": "str?"}
SHAPE: dict[str, Any] = {
    "file": "str", "transaction": "str", "transaction_ack": "str?", "claim_id": "str", "claim_type": "str",
    "status": "str",
    "position": "int", "line": "int?", "offset": "int?", "type_of_bill": "str", "total_charge": "str?",
    "statement_from": "str?", "statement_to": "str?", "admission_type": "str", "admission_source": "str",
    "patient_status": "str", "principal_diagnosis": "str?", "other_diagnoses": ["str"],
    "condition_codes": ["str"], "value_codes": [{"code": "str", "amount": "str?"}],
    "occurrence_codes": [{"code": "str", "date": "str?"}], "patient": PERSON, "subscriber": PERSON,
    "payer": {"name": "str", "id": "str"}, "billing_provider": {"name": "str", "npi": "str", "zip": "str"},
    "attending_npi": "str?", "ambulance": AMBULANCE, "lines": [LINE], "lines_not_read": "int",
    "errors": "int", "warnings": "int", "findings": [FINDING],
}
# JSON Schema descriptions of keys whose name alone could mislead ("line" is not the service line).
DESCRIPTIONS = {
    "line": "file line: the 1-based line of the file the segment is on (every segment is on line 1 of a file"
            " without line breaks); null when unknown. The service line is `lx`.",
    "lx": "service line: the service line's number as written in its LX01 (\"service line 2\" in text)",
    "position": "the segment's position in its transaction set (ST = 1)",
}
# XML: what a list's items are called.
ITEMS = {"other_diagnoses": "code", "condition_codes": "code", "value_codes": "value_code",
         "occurrence_codes": "occurrence", "modifiers": "modifier", "lines": "line", "findings": "finding",
         "stc": "stc", "conditions": "code", "condition_names": "name"}
ENUMS: dict[str, list[str | None]] = {"status": ["accepted", "rejected"], "claim_type": ["837I", "837P"],
         "transaction_ack": ["A", "E", "R", None],
         "severity": ["error", "warning"]}
