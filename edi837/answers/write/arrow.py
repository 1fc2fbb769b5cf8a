"""Claims and their verdicts as Arrow rows (pyarrow, from the optional `arrow` or `spark` extra).

One table, defined once here (`SCHEMA`, versioned by `SCHEMA_VERSION`; schemas/claims-arrow.md and
schemas/claims-arrow.json describe it, `python -m edi837.answers.write.arrow --write` regenerates them): a row per
claim and a row per file, told apart by `kind`.

- A **claim row** (`kind` = "claim") is the shared claim record (`edi837.answers.write.records.claim_record`:
  the claim, its status, the ambulance view, its lines and its findings), column for column: the JSON,
  XML and CSV exports are made from the same record, so the tables and the exports cannot drift
  apart. Its findings are those `edi837 check --format json` lists for the claim.
- A **file row** (`kind` = "file", after its claims) says what the file as a whole came to
  (`file_status`: read, unreadable with the located error, or too large for Spark's 2 GB binary
  limit), its counts, each transaction set's 999 verdict (IK501) with the set's own findings, and the
  group and interchange envelope findings.

`batches(data, path)` checks one file's bytes and yields RecordBatches of SCHEMA: claim rows as each
transaction set is decided, up to `BATCH` rows a batch, then the file row.

Money is a decimal column (`MONEY`, decimal128(20, 2)): the claim's total charge and each line's charge
and non-covered charge, so an analyst sums them without parsing text. An X12 R amount has at most 18
digits; with the 2 decimal places money has, 20 digits of precision hold every one exactly. An amount
that is not one (not a number, more than 2 decimal places, more than 18 digits) is null there: such
a value is what a finding is about, and the finding's `value` keeps it as written (so do the JSON, XML
and CSV exports, which carry amounts as written). Other values stay as the record has them: dates as
ISO strings, value code amounts as written (A0's is a ZIP, 32's a count: not money).
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ...claims.model import money as read_amount
from ...engine.results import GroupResult, InterchangeResult, TransactionResult
from ...errors import Edi837Error, InputError, printable
from . import records

if TYPE_CHECKING:
    from ...engine.pipeline import Checker
    from .report import Summary

SCHEMA_VERSION = 3  # of the Arrow table; bump on any change of SCHEMA (and regenerate its documents)
# 2: money columns (total_charge, lines[].charge, lines[].non_covered) are decimal128(20, 2), not strings
# 3: the 837P (record schema 1.1): claim_type, the 837P keys of `ambulance` and of each line (null on an 837I)
BATCH = 1000  # claim rows per RecordBatch

CLAIM, FILE = "claim", "file"
READ, UNREADABLE, TOO_LARGE = "read", "unreadable", "too large"
_TYPES = {"str": pa.string(), "int": pa.int64(), "bool": pa.bool_()}
MONEY = pa.decimal128(20, 2)  # an X12 R amount: at most 18 digits, money has 2 decimal places
MONEY_KEYS = ("total_charge", "charge", "non_covered")  # the record's amounts that are money (claim, lines)
CENT = Decimal("0.01")


def money(text: str | None) -> Decimal | None:
    """An amount as written, as the money column holds it: exact to the cent, or None when it is not
    an amount of at most 18 digits and 2 decimal places (its finding keeps it as written)."""
    amount = read_amount(text) if text else None  # the claim model's own reading of an R element
    if amount is None or amount != amount.quantize(CENT):
        return None
    return amount.quantize(CENT)


def _f(name: str, kind: pa.DataType, doc: str, nullable: bool = True) -> pa.Field:
    return pa.field(name, kind, nullable=nullable, metadata={"doc": doc})


def arrow_type(shape: Any, key: str = "") -> pa.DataType:
    """The Arrow type of a part of the claim record's SHAPE (edi837.answers.write.records): "str", "int",
    "bool" ("?": may be None), [item] a list, {key: shape} a struct; a money key (MONEY_KEYS) is MONEY.
    Every field is nullable: a file row's claim columns are null structs, whose fields Spark and Arrow
    then read as null too (which keys a claim always has is the record's schema,
    schemas/export.schema.json)."""
    if isinstance(shape, list):
        return pa.list_(pa.field("item", arrow_type(shape[0])))
    if isinstance(shape, dict):
        return pa.struct([pa.field(k, arrow_type(v, k)) for k, v in shape.items()])
    return MONEY if key in MONEY_KEYS else _TYPES[shape.rstrip("?")]


FINDINGS = arrow_type([records.FINDING])
ENVELOPE = pa.struct([
    _f("level", pa.string(), "transaction, group or interchange"),
    _f("control", pa.string(), "ST02, GS06 or ISA13"),
    _f("ack", pa.string(), "transaction: the 999's IK501 (A, E, R); null for a group or interchange"),
    _f("findings", FINDINGS, "its own findings (a transaction's reject every claim in it)"),
])
CLAIM_DOC = "claim: the claim record's key (edi837/write/records.py; schemas/export.schema.json)"

# Every column but `kind` and `file` may be null: a claim row leaves the file columns empty, and a
# file row the claim columns. The claim columns are the claim record's keys, in its order.
SCHEMA = pa.schema([
    _f("kind", pa.string(), "claim (a row per claim) or file (a row per file, after its claims)", nullable=False),
    _f("file", pa.string(), "the input's path, as the CLI names it (a URI when not a local file)", nullable=False),
    *[_f(key, arrow_type(shape, key), CLAIM_DOC) for key, shape in records.SHAPE.items() if key != "file"],
    _f("file_status", pa.string(), "file: read | unreadable | too large"),
    _f("file_error", pa.string(), "file: the located error that stopped the reading (never quotes the input)"),
    _f("claims", pa.int64(), "file: claims read"),
    _f("accepted", pa.int64(), "file: claims accepted"),
    _f("rejected", pa.int64(), "file: claims rejected"),
    _f("envelopes", pa.list_(pa.field("item", ENVELOPE)), "file: each transaction set's 999 verdict with its"
       " own findings, then each group's and interchange's envelope findings"),
], metadata={"edi837.schema": f"claims-arrow-v{SCHEMA_VERSION}", "edi837.record_schema": records.SCHEMA_VERSION})


def envelope_record(item: TransactionResult | GroupResult | InterchangeResult) -> dict[str, Any]:
    found = [records.finding_record(f) for f in item.findings]
    if isinstance(item, TransactionResult):
        return {"level": "transaction", "control": item.control, "ack": item.ack, "findings": found}
    if isinstance(item, GroupResult):
        return {"level": "group", "control": item.control, "ack": None, "findings": found}
    return {"level": "interchange", "control": item.isa[13] if len(item.isa) > 13 else "", "ack": None,
            "findings": found}


def claim_row(record: dict[str, Any]) -> dict[str, Any]:
    """A claim record as its row: money as MONEY (see the module docstring), the rest as it is."""
    row = {"kind": CLAIM, **record, "total_charge": money(record["total_charge"])}
    row["lines"] = [{**ln, "charge": money(ln["charge"]), "non_covered": money(ln["non_covered"])}
                    for ln in record["lines"]]
    return row


def file_record(path: str, status: str, error: str | None, claims: int = 0, accepted: int = 0,
                envelopes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"kind": FILE, "file": path, "file_status": status, "file_error": error, "claims": claims,
            "accepted": accepted, "rejected": claims - accepted, "envelopes": envelopes or []}


# -- rows ---------------------------------------------------------------------------------------------

def _batch(rows: list[dict[str, Any]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist(rows, schema=SCHEMA)


def rows(data: bytes, path: str, checker: Checker) -> Iterator[dict[str, Any]]:
    """One file's rows as plain data (see the module docstring): claim rows, then the file row."""
    claims = accepted = 0
    envelopes: list[dict[str, Any]] = []
    error: Edi837Error | None = None
    try:
        for item in checker.run(io.BytesIO(data), path):
            if isinstance(item, TransactionResult):
                for c in item.claims:
                    claims += 1
                    accepted += c.status == "accepted"
                    yield claim_row(records.claim_record(c, path, item))
            envelopes.append(envelope_record(item))
    except Exception as exc:  # noqa: BLE001 (Edi837Error, or a defect of ours: one located error either way)
        from ...engine.inputs import as_edi_error  # noqa: PLC0415

        error = as_edi_error(exc, path)
    yield file_record(path, READ if error is None else UNREADABLE, str(error) if error else None, claims, accepted,
                      envelopes)


def batches(data: bytes, path: str, checker: Checker | None = None) -> Iterator[pa.RecordBatch]:
    """Check one file's bytes and yield its rows as RecordBatches of SCHEMA: claim rows in batches of up
    to BATCH, the file row last. `checker` defaults to the Medicare profile with today's date."""
    batch: list[dict[str, Any]] = []
    for row in rows(data, path, checker or default_checker()):
        batch.append(row)
        if len(batch) == BATCH:
            yield _batch(batch)
            batch = []
    if batch:
        yield _batch(batch)


def too_large(path: str, length: int, limit: int) -> pa.RecordBatch:
    """The file row of a file that was not read because it is over `limit` bytes."""
    why = (f"{path}: not read: {length:,} bytes, over the {limit:,}-byte limit of a binary file in Spark;"
           " check it with `edi837 check`, which streams, or split it")
    return _batch([file_record(path, TOO_LARGE, why)])


def default_checker() -> Checker:
    from ...engine.pipeline import for_profile  # noqa: PLC0415

    return for_profile()


def count(summary: Summary, row: dict[str, Any]) -> None:
    """Add a file row to a check summary (files, claims, verdicts, envelope errors), as `check` counts:
    the row's sets and envelopes in the shape Summary.fold counts."""
    summary.file(unreadable=row["file_status"] != READ)
    for e in row["envelopes"]:
        if e["level"] == "transaction":
            summary.add_counts(0, 0, e["ack"] == "R")
        else:
            summary.envelope_errors += sum(f["severity"] == "error" for f in e["findings"])
    summary.add_counts(row["claims"], row["accepted"], False)


def write_parquet(paths: Iterable[str], out: str, checker: Checker | None = None,
                  on_file: Callable[[dict[str, Any]], object] | None = None) -> int:
    """Write the rows of every file in `paths` to one Parquet file `out` (mode 0600: it carries patient
    data), a batch at a time, each file read whole (as Spark hands it over); returns the number of
    rows. `on_file` is called with each file row (a dict) as it is written. `out` is written whole or
    not at all (durable.replacing); a file name that is not UTF-8 is written as check shows it."""
    import pyarrow.parquet as pq  # noqa: PLC0415

    from ...durable import replacing  # noqa: PLC0415

    check = checker or default_checker()
    written = 0
    with replacing(out, encoding=None) as fh, pq.ParquetWriter(fh, SCHEMA) as writer:
        for path in paths:
            name = printable(path)  # Arrow strings are UTF-8: a name's undecodable bytes escaped
            try:
                with open(path, "rb") as src:
                    data = src.read()
            except OSError as exc:
                error = InputError(f"cannot open: {exc.strerror or exc}", file=path)
                made: Iterable[pa.RecordBatch] = [_batch([file_record(name, UNREADABLE, str(error))])]
            else:
                made = batches(data, name, check)
            for batch in made:
                writer.write_batch(batch)
                written += batch.num_rows
                if on_file is not None and batch.column("kind")[batch.num_rows - 1].as_py() == FILE:
                    on_file(batch.slice(batch.num_rows - 1).to_pylist()[0])
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
            yield from _fields(inner, f"{prefix}{f.name}{'[]' if pa.types.is_list(f.type) else ''}.")


def describe() -> str:
    """The schema as markdown (schemas/claims-arrow.md)."""
    head = [f"# edi837 claim rows: Arrow schema, version {SCHEMA_VERSION}", "",
            "Generated by `python -m edi837.answers.write.arrow --write` from `edi837/arrow.py`, where the schema is defined",
            "once (its claim columns from the claim record's SHAPE, edi837/write/records.py); a test fails",
            "when this file and the code disagree. Written by `edi837.answers.write.arrow.batches`,",
            "`edi837.spark.rows/claims/files` and `edi837 export --format parquet`. The schema's metadata",
            f"carries `edi837.schema: claims-arrow-v{SCHEMA_VERSION}` and `edi837.record_schema:"
            f" {records.SCHEMA_VERSION}`.", "",
            "A row is a claim (`kind` = claim) or a file (`kind` = file, after its claims); the columns of the",
            "other kind are null. Money (`total_charge`, `lines[].charge`, `lines[].non_covered`) is",
            "decimal128(20, 2): exact to the cent; null when the amount as written is not an amount of at",
            "most 18 digits and 2 decimal places (its finding's `value` keeps it as written). Value code",
            "amounts stay strings (A0's is a ZIP, 32's a count). Dates are strings, YYYY-MM-DD. `line` is",
            "the line of the file a segment is on (file line); `lx` is the service line's number (LX01).",
            "`claim_type` is 837I or 837P; the 837P's own data is in `ambulance` (place_of_service,",
            "transport_reason, cr1_miles, certification, conditions, pickup/dropoff addresses) and in",
            "`lines[]` (place_of_service, emergency, pickup_zip, dropoff_zip, cr1_miles, patient_count),",
            "null (a list: empty) on an 837I claim. Version 3 added them (record schema 1.1).",
            "The claim columns carry patient data (names, member ids, birth dates, diagnoses).", "",
            "| column | type | meaning |", "|---|---|---|"]
    return "\n".join([*head, *_fields(SCHEMA), ""])


def field_json(f: pa.Field) -> dict[str, Any]:
    """A field as its JSON entry (name, type, nullable, doc; a struct's fields inside), for this
    schema's document and the response rows' (arrow_responses)."""
    inner = f.type.value_type if pa.types.is_list(f.type) else f.type
    entry: dict[str, Any] = {"name": f.name, "type": _describe(f.type), "nullable": f.nullable,
                             "doc": (f.metadata or {}).get(b"doc", b"").decode()}
    if pa.types.is_struct(inner):
        entry["fields"] = [field_json(x) for x in inner]
    return entry


def schema_json() -> str:
    """The schema's fields as JSON (name, type, nullable, doc), for tools that read no markdown."""
    return json.dumps({"version": SCHEMA_VERSION, "record_schema": records.SCHEMA_VERSION,
                       "fields": [field_json(f) for f in SCHEMA]}, indent=1) + "\n"


def documents() -> dict[str, str]:
    """The schema's documents in edi837/schemas/ (file name -> text)."""
    return {"claims-arrow.md": describe(), "claims-arrow.json": schema_json()}


def write_documents(documents: Callable[[], dict[str, str]], describe: Callable[[], str]) -> None:
    """A schema module run as a script: `--write` writes its documents into edi837/schemas/; without
    it, its markdown is printed."""
    if sys.argv[1:] == ["--write"]:
        for name, text in documents().items():
            (Path(__file__).resolve().parents[2] / "schemas" / name).write_text(text)
    else:
        print(describe(), end="")


if __name__ == "__main__":
    write_documents(documents, describe)
