"""Claims as plain data (for JSON) and as one readable line per claim (for people)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from .. import codes, parallel
from ..claims import Claim, Code, ServiceLine
from ..pipeline import parse_segments, read_file
from ..read import EdiError, Segment

ARROW = "\u2192"


def _date(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _money(d: Decimal | None, text: str) -> str | None:
    return text if d is not None else (text or None)


def line_dict(ln: ServiceLine) -> dict[str, Any]:
    return {
        "lx": ln.lx, "revenue_code": ln.revenue_code, "procedure_code": ln.procedure_code,
        "modifiers": list(ln.modifiers), "charge": ln.charge_text or None, "unit_basis": ln.unit_basis,
        "units": ln.units or None, "non_covered": ln.non_covered_text or None,
        "service_date": _date(ln.service_date), "kind": ln.kind, "origin": ln.origin or None,
        "destination": ln.destination or None, "arrangement": ln.arrangement or None,
        "pronounced_dead": ln.pronounced_dead, "line_control": ln.line_control or None,
        "position": ln.where.position,
    }


def _code(c: Code) -> dict[str, Any]:
    out: dict[str, Any] = {"code": c.code}
    if c.qualifier == "BE":
        out["amount"] = c.amount or None
    if c.date:
        out["date"] = c.date
    return out


def claim_dict(c: Claim) -> dict[str, Any]:
    p, s = c.patient, c.subscriber
    return {
        "claim_id": c.claim_id, "transaction": c.transaction, "type_of_bill": c.type_of_bill,
        "total_charge": c.total_charge_text or None,
        "statement_from": _date(c.statement_from), "statement_to": _date(c.statement_to),
        "admission_type": c.admission_type, "admission_source": c.admission_source,
        "patient_status": c.patient_status, "principal_diagnosis": c.principal_diagnosis or None,
        "other_diagnoses": list(c.other_diagnoses),
        "condition_codes": [x.code for x in c.condition_codes],
        "value_codes": [_code(x) for x in c.value_codes],
        "occurrence_codes": [_code(x) for x in c.occurrence_codes],
        "pickup_zip": c.pickup_zip, "patient_count": c.patient_count, "loaded_miles": c.loaded_miles,
        "billing_provider": {"name": c.billing_provider.name, "npi": c.billing_provider.npi,
                             "zip": c.billing_provider.zip},
        "subscriber": {"last": s.last, "first": s.first, "member_id": s.member_id,
                       "birth_date": _date(s.birth_date), "gender": s.gender},
        "patient": {"last": p.last, "first": p.first, "member_id": p.member_id,
                    "birth_date": _date(p.birth_date), "gender": p.gender},
        "payer": {"name": c.payer_name, "id": c.payer_id},
        "attending_npi": c.attending_npi or None,
        "lines": [line_dict(ln) for ln in c.lines],
        "position": c.where.position,
    }


def _trip(c: Claim) -> str:
    base = c.base_lines
    if not base:
        return "no base-rate line"
    table = codes.table("ambulance_hcpcs")
    return "+".join((table.get(b.procedure_code) or {}).get("short") or b.procedure_code for b in base)


def claim_line(c: Claim) -> str:
    """One readable line per claim, e.g. `OK1  TOB 131  ALS emergency  R→H  12.5 mi  pick-up 62704  $1,130.00`."""
    parts = [c.claim_id, f"TOB {c.type_of_bill or '?'}", _trip(c)]
    od = next((ln for ln in c.base_lines if ln.origin_destination), None)
    if od is not None:
        parts.append(f"{od.origin}{ARROW}{od.destination}")
    elif any(ln.pronounced_dead for ln in c.lines):
        parts.append("pronounced dead (QL)")
    if c.loaded_miles:
        parts.append(f"{c.loaded_miles} mi")
    if c.pickup_zip:
        parts.append(f"pick-up {c.pickup_zip}")
    if c.total_charge is not None:
        parts.append(f"${c.total_charge:,.2f}")
    return "  ".join(parts)


def render(c: Claim, fmt: str) -> str:
    """A claim as `parse` prints it: a JSON object, or one readable line."""
    return json.dumps(claim_dict(c)) if fmt == "json" else "  " + claim_line(c)


def rendered(path: str, fmt: str, jobs: int) -> Iterator[str | EdiError]:
    """`path`'s claims rendered, in file order, from worker processes when the file is large enough to
    split (see edi837.parallel); an unreadable file ends with its error."""

    def read(segs: Iterable[Segment], part: parallel.Part | None) -> Iterator[str]:
        for claim in parse_segments(segs, path, whole=part is None or part.last):
            yield render(claim, fmt)

    return read_file(path, jobs, read)
