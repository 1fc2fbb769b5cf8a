"""Claims as plain data (for JSON) and as one readable line per claim (for people)."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from typing import TypeVar

from ...claims import MAX_LINES, Claim, Code, Person, Provider, ServiceLine, codes
from ...errors import Edi837Error, printable

ARROW = "\u2192"


# JSON is written straight from the claim with f-strings: a claim's object is about 1.5 kB and
# building dicts for json.dumps cost twice as much. Strings go through the json module's own escaper
# (ASCII output, as json.dumps gives); every key and its order are spelled out once, here.
_str = encode_basestring_ascii
_BOOL = {True: "true", False: "false"}
T = TypeVar("T")


def _opt(text: str | None) -> str:
    """A string, or null when empty or absent."""
    return _str(text) if text else "null"


def _maybe(text: str | None) -> str:
    """A string (even empty), or null when absent."""
    return "null" if text is None else _str(text)


@functools.lru_cache(maxsize=4096)  # dates, and lists of modifiers or diagnoses, repeat from claim to claim
def _date(d: dt.date | None) -> str:
    return f'"{d.isoformat()}"' if d else "null"


def _array(encode: Callable[[T], str], items: Sequence[T]) -> str:
    return "[" + ", ".join(map(encode, items)) + "]" if items else "[]"


@functools.lru_cache(maxsize=4096)
def _strings(items: tuple[str, ...]) -> str:
    return _array(_str, items)


def line_json(ln: ServiceLine) -> str:
    od = ln.origin_destination
    return (
        f'{{"lx": {_str(ln.lx)}, "revenue_code": {_str(ln.revenue_code)}, '
        f'"procedure_code": {_str(ln.procedure_code)}, "modifiers": {_strings(ln.modifiers)}, '
        f'"charge": {_opt(ln.charge_text)}, "unit_basis": {_str(ln.unit_basis)}, "units": {_opt(ln.units)}, '
        f'"non_covered": {_opt(ln.non_covered_text)}, "service_date": {_date(ln.service_date)}, '
        f'"kind": {_str(ln.kind)}, "origin": {_opt(od[:1])}, "destination": {_opt(od[1:])}, '
        f'"arrangement": {_opt(ln.arrangement)}, "pronounced_dead": {_BOOL[ln.pronounced_dead]}, '
        f'"line_control": {_opt(ln.line_control)}, "position": {ln.where.position}}}')


def _code(c: Code) -> str:
    amount = f', "amount": {_opt(c.amount)}' if c.qualifier == "BE" else ""
    date = f', "date": {_str(c.date)}' if c.date else ""
    return f'{{"code": {_str(c.code)}{amount}{date}}}'


def _same_as_last(encode: Callable[[T], str]) -> Callable[[T], str]:
    """`encode`, remembering its last answer: a claim's patient is often its subscriber, whose claims
    come one after another, and every claim of a set has the same billing provider (the same object)."""
    last: list = [(_same_as_last, "")]  # [(object, its JSON)], replaced whole (safe across threads)

    def encode_last(obj: T) -> str:
        seen, text = last[0]
        if obj is not seen:
            text = encode(obj)
            last[0] = (obj, text)
        return text

    return encode_last


@_same_as_last
def _person(p: Person) -> str:
    return (f'{{"last": {_str(p.last)}, "first": {_str(p.first)}, "member_id": {_str(p.member_id)}, '
            f'"birth_date": {_date(p.birth_date)}, "gender": {_str(p.gender)}}}')


@_same_as_last
def _billing(b: Provider) -> str:
    return f'{{"name": {_str(b.name)}, "npi": {_str(b.npi)}, "zip": {_str(b.zip)}}}'


def claim_json(c: Claim) -> str:
    """A claim as one JSON object (the shape `parse --format json` documents)."""
    return (
        f'{{"claim_id": {_str(c.claim_id)}, "transaction": {_str(c.transaction)}, "claim_type": {_str(c.claim_type)}, '
        f'"type_of_bill": {_str(c.type_of_bill)}, "total_charge": {_opt(c.total_charge_text)}, '
        f'"statement_from": {_date(c.statement_from)}, "statement_to": {_date(c.statement_to)}, '
        f'"admission_type": {_str(c.admission_type)}, "admission_source": {_str(c.admission_source)}, '
        f'"patient_status": {_str(c.patient_status)}, "principal_diagnosis": {_opt(c.principal_diagnosis)}, '
        f'"other_diagnoses": {_strings(c.other_diagnoses)}, '
        f'"condition_codes": {_array(_str, [x.code for x in c.condition_codes])}, '
        f'"value_codes": {_array(_code, c.value_codes)}, '
        f'"occurrence_codes": {_array(_code, c.occurrence_codes)}, '
        f'"pickup_zip": {_maybe(c.pickup_zip)}, "patient_count": {_maybe(c.patient_count)}, '
        f'"loaded_miles": {_maybe(c.loaded_miles)}, '
        f'"billing_provider": {_billing(c.billing_provider)}, '
        f'"subscriber": {_person(c.subscriber)}, "patient": {_person(c.patient)}, '
        f'"payer": {{"name": {_str(c.payer_name)}, "id": {_str(c.payer_id)}}}, '
        f'"attending_npi": {_opt(c.attending_npi)}, "lines": {_array(line_json, c.lines)}, '
        f'{_not_read(c.lines_not_read)}"position": {c.where.position}}}')


def _not_read(n: int) -> str:
    """Only a claim with more service lines than the guide allows says how many were not read."""
    return f'"lines_not_read": {n}, ' if n else ""


def _trip(c: Claim) -> str:
    base = c.base_lines
    if not base:
        return "no base-rate line"
    table = codes.table("ambulance_hcpcs")
    return "+".join((table.get(b.procedure_code) or {}).get("short") or b.procedure_code for b in base)


def claim_line(c: Claim) -> str:
    """One readable line per claim, e.g. `OK1  TOB 131  ALS emergency  R→H  12.5 mi  pick-up 62704  $1,130.00`
    (an 837P names its place of service where the 837I has its type of bill: `POS 41`)."""
    kind = f"POS {c.place_of_service or '?'}" if c.claim_type == "837P" else f"TOB {c.type_of_bill or '?'}"
    parts = [c.claim_id, kind, _trip(c)]
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
    if c.lines_not_read:
        parts.append(f"({c.lines_not_read} service lines past the guide's {MAX_LINES} not read)")
    return "  ".join(parts)


def text_line(c: Claim) -> str:
    """A claim as `parse --format text` prints it."""
    return "  " + claim_line(c)


# -- `parse`'s output: one file at a time, claims written as they are read ------------------------------

BATCH = 64  # claims written at a time: a write per claim cost more than its JSON


def _batches(items: Iterable[str | Edi837Error]) -> Iterator[list[str] | Edi837Error]:
    """Rendered claims in lists of up to BATCH, then the reader's error if it had one (its last word)."""
    batch: list[str] = []
    for item in items:
        if isinstance(item, Edi837Error):
            yield from ([batch] if batch else [])
            batch = []
            yield item
            continue
        batch.append(item)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def write_text(path: str, items: Iterable[str | Edi837Error], echo: Callable[[str], object]) -> Edi837Error | None:
    """One file of `parse --format text`: its path, a line per claim (`text_line`), its count; returns
    the error that stopped the reading, if any."""
    echo(path + "\n")
    count, error = 0, None
    for batch in _batches(items):
        if isinstance(batch, Edi837Error):
            error = batch
            continue
        echo("\n".join(batch) + "\n")
        count += len(batch)
    stopped = " (stopped at the error)" if error else ""
    echo(f"  {count} claim{'s' if count != 1 else ''}{stopped}\n")
    return error


def write_json(path: str, items: Iterable[str | Edi837Error], echo: Callable[[str], object], first: bool
               ) -> Edi837Error | None:
    """One file's entry of `parse --format json`'s `{"files": [...]}`: its path (as check shows it), its
    claims (`claim_json`, one per line, written as they are read) and its error; returns the error, if any."""
    echo(("" if first else ",\n") + f'{{"path": {json.dumps(printable(path))}, "claims": [')
    count, error = 0, None
    for batch in _batches(items):
        if isinstance(batch, Edi837Error):
            error = batch
            continue
        echo(("\n" if not count else ",\n") + ",\n".join(batch))
        count += len(batch)
    echo(f"], \"error\": {json.dumps(str(error) if error is not None else None)}}}")
    return error
