"""Claims and their verdicts as Arrow rows (pyarrow, from the optional `arrow`/`spark` extra).

One table shape, defined once here (`SCHEMA`, versioned by `SCHEMA_VERSION` and documented in
schemas/claims-arrow.md, which `python -m edi837.arrow` regenerates): a row per claim and a row per
file, told apart by `kind`.

- A **claim row** (`kind` = "claim") carries the file, the transaction set (ST02), the claim id, its
  status (accepted or rejected), the claim's fields and ambulance view, its service lines (a nested
  list) and its findings (a nested list), exactly the findings `edi837 check --format json` gives it.
- A **file row** (`kind` = "file") carries what the file as a whole came to: read, unreadable (with
  the located error) or too large for the reader that fed it (Spark's 2 GB binary limit), its counts,
  each transaction set's 999 verdict (IK501) with the set-level findings, and the group and
  interchange envelope findings.

`batches(data, path)` checks one file's bytes and yields RecordBatches of this schema: claim rows as
each transaction set is decided, in batches of up to `BATCH` rows, then the file row last. The rows
are built from the plain-data claim records (`claim_record`, `file_record`), so the Parquet export,
the Spark job and any other table view cannot drift apart.

Values stay as written in the file (amounts and dates are strings, as in the JSON report): a column of
decimals or dates would have to drop what is malformed, and malformed values are what a rejected
claim is about. Cast them in the query when the claims are accepted.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa

from .claims import Claim
from .findings import Finding
from .pipeline import Checker
from .read import EdiError
from .results import ClaimResult, GroupResult, InterchangeResult, TransactionResult

SCHEMA_VERSION = 1  # bump on any change of SCHEMA (and regenerate schemas/claims-arrow.md)
BATCH = 1000  # claim rows per RecordBatch

CLAIM, FILE = "claim", "file"
READ, UNREADABLE, TOO_LARGE = "read", "unreadable", "too large"


def _f(name: str, kind: pa.DataType, doc: str, nullable: bool = True) -> pa.Field:
    return pa.field(name, kind, nullable=nullable, metadata={"doc": doc})


def _list(kind: pa.DataType) -> pa.DataType:
    return pa.list_(pa.field("item", kind))


_STR = pa.string()
FINDING = pa.struct([
    _f("rule", _STR, "rule id: AMB006, or an X12 guide code such as X12-IK4-7 (`edi837 rules CODE` explains it)"),
    _f("severity", _STR, "error | warning"),
    _f("message", _STR, "what is wrong, in a billing clerk's words"),
    _f("scope", _STR, "what an error rejects: claim, block (its subscriber/patient), transaction, group, interchange"),
    _f("loop", _STR, "loop id, e.g. 2400"),
    _f("segment", _STR, "segment id, e.g. SV2"),
    _f("position", pa.int64(), "segment position in the transaction set (ST = 1)"),
    _f("line", pa.int64(), "line of the segment in the file"),
    _f("element", _STR, "element reference, e.g. SV205"),
    _f("lx", _STR, "LX01 of the service line"),
    _f("value", _STR, "the bad value as written (empty when the finding quotes none)"),
    _f("fix", _STR, "how to fix it"),
    _f("stc", _list(_STR), "277CA status composites, e.g. A7:267"),
    _f("ik3", _STR, "999 IK304 segment syntax error code"),
    _f("ik4", _STR, "999 IK403 element syntax error code"),
])
LINE = pa.struct([
    _f("lx", _STR, "LX01"),
    _f("revenue_code", _STR, "SV201"),
    _f("procedure_code", _STR, "SV202-2 (HCPCS)"),
    _f("modifiers", _list(_STR), "SV202-3..6"),
    _f("charge", _STR, "SV203 as written"),
    _f("unit_basis", _STR, "SV204"),
    _f("units", _STR, "SV205 as written"),
    _f("non_covered", _STR, "SV207 as written"),
    _f("service_date", _STR, "DTP*472, YYYY-MM-DD"),
    _f("kind", _STR, "ambulance view: base, mileage, noncovered_mileage, noncovered, other"),
    _f("origin", _STR, "origin of the origin/destination modifier"),
    _f("destination", _STR, "destination of the origin/destination modifier"),
    _f("arrangement", _STR, "QM or QN"),
    _f("pronounced_dead", pa.bool_(), "modifier QL"),
    _f("line_control", _STR, "REF*6R"),
    _f("position", pa.int64(), "position of the SV2 segment in the transaction set"),
])
ENVELOPE = pa.struct([
    _f("level", _STR, "transaction, group or interchange"),
    _f("control", _STR, "ST02, GS06 or ISA13"),
    _f("ack", _STR, "transaction: the 999's IK501 (A, E, R); empty for a group or interchange"),
    _f("findings", _list(FINDING), "its own findings (a transaction's reject all its claims)"),
])

SCHEMA = pa.schema([
    _f("kind", _STR, "claim (a row per claim) or file (a row per file, last of its rows)", nullable=False),
    _f("file", _STR, "the input's path (as the reader named it)", nullable=False),
    # -- claim rows ------------------------------------------------------------------------------
    _f("transaction", _STR, "claim: ST02 of its transaction set"),
    _f("claim_id", _STR, "claim: CLM01"),
    _f("status", _STR, "claim: accepted | rejected; file: read | unreadable | too large"),
    _f("position", pa.int64(), "claim: position of the CLM segment in the transaction set"),
    _f("type_of_bill", _STR, "claim: CLM05-1 + CLM05-3"),
    _f("total_charge", _STR, "claim: CLM02 as written"),
    _f("statement_from", _STR, "claim: DTP*434 from, YYYY-MM-DD"),
    _f("statement_to", _STR, "claim: DTP*434 to, YYYY-MM-DD"),
    _f("payer_id", _STR, "claim: 2010BB payer id"),
    _f("billing_npi", _STR, "claim: 2010AA billing provider NPI"),
    _f("trip", _STR, "claim: ambulance view, the base-rate line(s), e.g. ALS emergency"),
    _f("origin", _STR, "claim: ambulance view, origin code of the base line's modifier"),
    _f("destination", _STR, "claim: ambulance view, destination code of the base line's modifier"),
    _f("loaded_miles", _STR, "claim: ambulance view, units of the mileage line(s), '+'-joined"),
    _f("pickup_zip", _STR, "claim: ambulance view, value code A0 as a ZIP code"),
    _f("lines", _list(LINE), "claim: its service lines"),
    _f("findings", _list(FINDING), "claim: its findings, as `check --format json` lists them"),
    # -- file rows -------------------------------------------------------------------------------
    _f("error", _STR, "file: the located error that stopped the reading (never quotes the input)"),
    _f("claims", pa.int64(), "file: claims read"),
    _f("accepted", pa.int64(), "file: claims accepted"),
    _f("rejected", pa.int64(), "file: claims rejected"),
    _f("envelopes", _list(ENVELOPE), "file: each transaction set's verdict, and group/interchange findings"),
], metadata={"edi837.schema": f"claims-v{SCHEMA_VERSION}"})


# -- plain-data records (provisional: to be replaced by the shared claim record of the export) ----

def finding_record(f: Finding) -> dict[str, Any]:
    return {"rule": f.rule, "severity": f.severity, "message": f.message, "scope": f.scope,
            "loop": f.loop or None, "segment": f.segment or None, "position": f.position or None,
            "line": f.line or None, "element": f.element or None, "lx": f.lx or None, "value": f.value,
            "fix": f.fix or None, "stc": list(f.stc), "ik3": f.ik3 or None, "ik4": f.ik4 or None}


def _date(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _trip(c: Claim) -> str | None:
    from . import codes  # noqa: PLC0415

    table = codes.table("ambulance_hcpcs")
    base = c.base_lines
    return "+".join((table.get(b.procedure_code) or {}).get("short") or b.procedure_code for b in base) or None


def claim_record(result: ClaimResult) -> dict[str, Any]:
    """One claim with its verdict as plain data (str, int, bool, None, lists, dicts)."""
    c = result.claim
    od = next((ln for ln in c.base_lines if ln.origin_destination), None)
    return {
        "transaction": c.transaction, "claim_id": c.claim_id, "status": result.status,
        "position": c.where.position, "type_of_bill": c.type_of_bill, "total_charge": c.total_charge_text or None,
        "statement_from": _date(c.statement_from), "statement_to": _date(c.statement_to),
        "payer_id": c.payer_id, "billing_npi": c.billing_provider.npi, "trip": _trip(c),
        "origin": od.origin if od else None, "destination": od.destination if od else None,
        "loaded_miles": c.loaded_miles, "pickup_zip": c.pickup_zip,
        "lines": [{"lx": ln.lx, "revenue_code": ln.revenue_code, "procedure_code": ln.procedure_code,
                   "modifiers": list(ln.modifiers), "charge": ln.charge_text or None, "unit_basis": ln.unit_basis,
                   "units": ln.units or None, "non_covered": ln.non_covered_text or None,
                   "service_date": _date(ln.service_date), "kind": ln.kind, "origin": ln.origin or None,
                   "destination": ln.destination or None, "arrangement": ln.arrangement or None,
                   "pronounced_dead": ln.pronounced_dead, "line_control": ln.line_control or None,
                   "position": ln.where.position} for ln in c.lines],
        "findings": [finding_record(f) for f in result.all_findings],
    }


def envelope_record(item: TransactionResult | GroupResult | InterchangeResult) -> dict[str, Any]:
    if isinstance(item, TransactionResult):
        return {"level": "transaction", "control": item.control, "ack": item.ack,
                "findings": [finding_record(f) for f in item.findings]}
    if isinstance(item, GroupResult):
        return {"level": "group", "control": item.control, "ack": None,
                "findings": [finding_record(f) for f in item.findings]}
    return {"level": "interchange", "control": item.isa[13] if len(item.isa) > 13 else "", "ack": None,
            "findings": [finding_record(f) for f in item.findings]}


def file_record(status: str, error: str | None, claims: int, accepted: int,
                envelopes: list[dict[str, Any]]) -> dict[str, Any]:
    return {"status": status, "error": error, "claims": claims, "accepted": accepted, "rejected": claims - accepted,
            "envelopes": envelopes}


# -- rows ---------------------------------------------------------------------------------------------

def _batch(rows: list[dict[str, Any]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist(rows, schema=SCHEMA)


def records(data: bytes, path: str, checker: Checker) -> Iterator[dict[str, Any]]:
    """One file's rows as plain data (see the module docstring): claim rows, then the file row."""
    claims = accepted = 0
    envelopes: list[dict[str, Any]] = []
    error: EdiError | None = None
    try:
        for item in checker.run(io.BytesIO(data), path):
            if isinstance(item, TransactionResult):
                for c in item.claims:
                    claims += 1
                    accepted += c.status == "accepted"
                    yield {"kind": CLAIM, "file": path, **claim_record(c)}
            envelopes.append(envelope_record(item))
    except Exception as exc:  # noqa: BLE001 (EdiError, or a defect of ours: one located error either way)
        from .inputs import as_edi_error  # noqa: PLC0415

        error = as_edi_error(exc, path)
    yield {"kind": FILE, "file": path, **file_record(READ if error is None else UNREADABLE,
                                                     str(error) if error else None, claims, accepted, envelopes)}


def batches(data: bytes, path: str, checker: Checker | None = None) -> Iterator[pa.RecordBatch]:
    """Check one file's bytes and yield its rows as RecordBatches of SCHEMA: claim rows in batches of up
    to BATCH, the file row last. `checker` defaults to the Medicare profile with today's date."""
    rows: list[dict[str, Any]] = []
    for row in records(data, path, checker or default_checker()):
        rows.append(row)
        if len(rows) == BATCH:
            yield _batch(rows)
            rows = []
    if rows:
        yield _batch(rows)


def too_large(path: str, length: int, limit: int) -> pa.RecordBatch:
    """The file row of a file that was not read because it is over `limit` bytes."""
    why = (f"{path}: not read: {length:,} bytes, over the {limit:,}-byte limit of a binary file in Spark;"
           " check it with `edi837 check`, which streams, or split it")
    return _batch([{"kind": FILE, "file": path, **file_record(TOO_LARGE, why, 0, 0, [])}])


def default_checker() -> Checker:
    from .api import checker  # noqa: PLC0415

    return checker()


def write_parquet(paths: Iterable[str], out: str, checker: Checker | None = None) -> int:
    """Write the rows of every file in `paths` (files or folders, as `check` takes them) to one Parquet
    file `out` (0600), a batch at a time; returns the number of rows."""
    import os  # noqa: PLC0415

    import pyarrow.parquet as pq  # noqa: PLC0415

    from .inputs import expand  # noqa: PLC0415

    check = checker or default_checker()
    written = 0
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with open(fd, "wb") as fh, pq.ParquetWriter(fh, SCHEMA) as writer:
        for path in expand(paths):
            try:
                with open(path, "rb") as src:
                    data = src.read()
            except OSError as exc:
                error = EdiError(f"cannot open: {exc.strerror or exc}", file=path)
                batch = _batch([{"kind": FILE, "file": path, **file_record(UNREADABLE, str(error), 0, 0, [])}])
                writer.write_batch(batch)
                written += 1
                continue
            for batch in batches(data, path, check):
                writer.write_batch(batch)
                written += batch.num_rows
    return written


# -- the schema, described ----------------------------------------------------------------------------

def _describe(kind: pa.DataType) -> str:
    if pa.types.is_list(kind):
        return f"list<{_describe(kind.value_type)}>"
    if pa.types.is_struct(kind):
        return "struct"
    return str(kind)


def _fields(fields: Iterable[pa.Field], prefix: str = "") -> Iterator[str]:
    for f in fields:
        doc = (f.metadata or {}).get(b"doc", b"").decode()
        yield f"| `{prefix}{f.name}` | {_describe(f.type)} | {'' if f.nullable else 'not null; '}{doc} |"
        inner = f.type.value_type if pa.types.is_list(f.type) else f.type
        if pa.types.is_struct(inner):
            yield from _fields(inner, f"{prefix}{f.name}[].")


def describe() -> str:
    """The schema as markdown (schemas/claims-arrow.md)."""
    head = [f"# edi837 claim rows: Arrow schema, version {SCHEMA_VERSION}", "",
            "Generated by `python -m edi837.arrow > schemas/claims-arrow.md` from `edi837/arrow.py`, where the",
            "schema is defined once; a test fails when this file and the code disagree. Written by",
            "`edi837.arrow.batches`, `edi837.spark.rows/claims/files` and `edi837 export --format parquet`.",
            f"The schema's metadata carries `edi837.schema: claims-v{SCHEMA_VERSION}`.", "",
            "A row is a claim (`kind` = claim) or a file (`kind` = file, after its claims); columns of the",
            "other kind are null. Amounts and dates are strings as written (dates as YYYY-MM-DD).", "",
            "| column | type | meaning |", "|---|---|---|"]
    return "\n".join([*head, *_fields(SCHEMA), ""])


def schema_json() -> str:
    """The schema's fields as JSON (name, type, nullable, doc), for tools that read no markdown."""
    def one(f: pa.Field) -> dict[str, Any]:
        inner = f.type.value_type if pa.types.is_list(f.type) else f.type
        entry: dict[str, Any] = {"name": f.name, "type": _describe(f.type), "nullable": f.nullable,
                                 "doc": (f.metadata or {}).get(b"doc", b"").decode()}
        if pa.types.is_struct(inner):
            entry["fields"] = [one(x) for x in inner]
        return entry
    return json.dumps({"version": SCHEMA_VERSION, "fields": [one(f) for f in SCHEMA]}, indent=1)


if __name__ == "__main__":
    print(describe(), end="")
