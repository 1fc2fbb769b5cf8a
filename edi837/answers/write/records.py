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
    ambulance        the trip: level, base_code, emergency, origin, destination (letters and words),
                     trip ("Residence → Hospital"), loaded_miles, pickup_zip, patient_count,
                     arrangement (QM/QN), pronounced_dead
    lines            service lines: lx, revenue_code, procedure_code, modifiers, charge, unit_basis,
                     units, non_covered, service_date, kind, origin, destination, arrangement,
                     pronounced_dead, line_control, position, line (lx: the service line's LX01)
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
from ...engine.results import ClaimResult, TransactionResult
from ...findings import Finding
from ...x12 import guide_codes

SCHEMA_VERSION = "1.0"
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


@functools.cache
def source_of(rule: str) -> str:
    """Where a finding's rule comes from: the rule's source (billing guide, CMS manual), or for an
    X12-level code the implementation guide and how the 999 answers it."""
    from ... import rules  # noqa: PLC0415

    r = rules.REGISTRY.get(rule)
    if r is not None:
        return r.source
    code = next((c for c in guide_codes.CODES if c.id == rule), None)
    return f"005010X223A2 implementation guide; {code.answer}" if code else "005010X223A2 implementation guide"


def finding_record(f: Finding) -> Record:
    return {"rule": f.rule, "severity": f.severity, "message": f.message, "fix": _text(f.fix),
            "source": source_of(f.rule), "scope": f.scope, "loop": _text(f.loop), "segment": _text(f.segment),
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
        "emergency": None if lvl is None else ("non-emergency" not in lvl and "emergency" in lvl),
        "origin": _text(origin), "destination": _text(destination),
        "origin_name": place(origin) if origin else None, "destination_name": place(destination) if destination else None,
        "trip": f"{place(origin)} {ARROW} {place(destination)}" if od_line else None,
        "loaded_miles": c.loaded_miles, "pickup_zip": c.pickup_zip, "patient_count": c.patient_count,
        "arrangement": "+".join(arrangements) or None, "pronounced_dead": any(ln.pronounced_dead for ln in c.lines),
    }


def claim_record(result: ClaimResult, file: str, transaction: TransactionResult | None = None) -> Record:
    """The record of one checked claim (see the module docstring for its keys). `file` is the path as
    given; `transaction` the set it came in, for its 999 verdict (None when not at hand)."""
    c = result.claim
    found = result.all_findings
    errors = sum(f.is_error for f in found)
    return {
        "file": file, "transaction": c.transaction, "transaction_ack": transaction.ack if transaction else None,
        "claim_id": c.claim_id, "status": result.status, "position": c.where.position, "line": c.where.line or None,
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
        "lines": [line_record(ln) for ln in c.lines],
        "lines_not_read": c.lines_not_read,
        "errors": errors, "warnings": len(found) - errors,
        "findings": [finding_record(f) for f in found],
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
        "line_control": "str?", "position": "int", "line": "int?"}
AMBULANCE = {"level": "str?", "base_code": "str?", "emergency": "bool?", "origin": "str?", "destination": "str?",
             "origin_name": "str?", "destination_name": "str?", "trip": "str?", "loaded_miles": "str?",
             "pickup_zip": "str?", "patient_count": "str?", "arrangement": "str?", "pronounced_dead": "bool"}
SHAPE: dict[str, Any] = {
    "file": "str", "transaction": "str", "transaction_ack": "str?", "claim_id": "str", "status": "str",
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
         "stc": "stc"}
ENUMS: dict[str, list[str | None]] = {"status": ["accepted", "rejected"], "transaction_ack": ["A", "E", "R", None],
         "severity": ["error", "warning"]}
