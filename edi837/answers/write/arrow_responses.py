"""The payer's answers (TA1, 999, 277CA) as Arrow rows, beside the claim rows of `arrow`.

One table, defined once here (`SCHEMA`, versioned by `SCHEMA_VERSION`; schemas/responses-arrow.md and
schemas/responses-arrow.json describe it, `python -m edi837.answers.write.arrow_responses --write`
regenerates them): a row per record `edi837.responses.read` yields (edi837/responses/model.py), in
file order. `record` is the record's type and `kind` the answer it came in:

    record       kind     level                  what it names (the rest of those columns null)
    Ta1          TA1      interchange            answered_isa13 (TA101)
    GroupAck     999      group                  answered_gs06 (AK102)
    SetAck       999      set                    answered_gs06 (AK102), answered_st02 (AK202)
    ClaimStatus  277CA    claim                  claim_id (TRN02 = CLM01), trace (REF*D9), batch (BHT03)
    BatchStatus  277CA    batch or provider      trace (2200B TRN02 = the 837's BHT03; 2200C TRN02)
    Problem      problem  null                   problem_* (what is wrong with the answer file itself)

These are the keys the stage matches an answer to what it forwarded by (edi837/stage/payer.py), so a
Spark job can join response rows to claim rows itself. Rows hold codes, control numbers and the
payer's words, never a patient's data: a 277CA's patient (2100D NM1) is not in the records, and a
999's IK404 (the payer's copy of a bad value, `ElementNote.value`) is not put in any column: `codes`
and `words` name its element and code only.

`response_batches(sources, batch_size)` streams: rows are made as the records are read and handed
on in RecordBatches of at most `batch_size` rows, so a 277CA of a million claims is never a list of
a million records (nor of a million rows). An input that cannot be opened is one Problem row
("unreadable"), as input that cannot be read on is (`responses.read`).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa

from ...errors import printable
from ...responses import BatchStatus, ClaimStatus, GroupAck, Problem, Response, SetAck, Status, Ta1
from ...responses import read as read_responses
from ...responses.model import SERVICE, shown, status_of
from .arrow import MONEY, _f, _fields, field_json, money, write_documents

SCHEMA_VERSION = 1  # of the response table; bump on any change of SCHEMA (and regenerate its documents)
BATCH = 1000  # rows per RecordBatch
KINDS = {Ta1: "TA1", GroupAck: "999", SetAck: "999", ClaimStatus: "277CA", BatchStatus: "277CA", Problem: "problem"}
LEVELS = {Ta1: "interchange", GroupAck: "group", SetAck: "set", ClaimStatus: "claim"}  # BatchStatus: its own
UNREADABLE, TOO_LARGE = "unreadable", "too large"  # problem_code of a file not read (Problem's own codes beside)

Source = str | os.PathLike[str] | tuple[str, bytes]  # a path, or (name, the file's bytes)

SERVICE_LINE = pa.struct([
    _f("service", pa.string(), "SVC01 as written, components joined by ':' (HC:A0427:RH, NU:0540);"
       " '(value not shown)' when it does not have that form"),
    _f("charge", MONEY, "SVC02, exact to the cent (null when not an amount)"),
    _f("control", pa.string(), "REF*FJ: the line item control number"),
    _f("status", pa.string(), "accepted, rejected or noted, from the line's own STC categories"),
    _f("codes", pa.string(), "the line's STC composites, category:status[:entity], space-separated"),
    _f("words", pa.string(), "the line's statuses in plain words"),
])

SCHEMA = pa.schema([
    _f("file", pa.string(), "the answer file's path, as the CLI names it (a URI when not a local file)",
       nullable=False),
    _f("kind", pa.string(), "TA1, 999, 277CA, or problem (the answer file itself is wrong)", nullable=False),
    _f("record", pa.string(), "Ta1, GroupAck, SetAck, ClaimStatus, BatchStatus or Problem"
       " (edi837/responses/model.py)", nullable=False),
    _f("level", pa.string(), "what the payer judged: interchange, group, set, batch, provider or claim;"
       " null for a problem"),
    _f("payer", pa.string(), "ISA06 of the answer (the payer), trailing blanks dropped; null for a problem"),
    _f("receiver", pa.string(), "ISA08 of the answer (the clearinghouse); null for a problem"),
    _f("interchange_control", pa.string(), "ISA13 of the answer itself; null for a problem"),
    _f("interchange_date", pa.string(), "ISA09 of the answer, YYMMDD; null for a problem"),
    _f("usage", pa.string(), "ISA15 of the answer: P production, T test; null for a problem"),
    _f("line", pa.int64(), "the file line the record starts on (TA1, AK2, AK9, HL; a problem's segment)",
       nullable=False),
    _f("answered_isa13", pa.string(), "Ta1: TA101, the ISA13 of the interchange answered"),
    _f("answered_gs06", pa.string(), "GroupAck, SetAck: AK102, the GS06 of the group answered"),
    _f("answered_st02", pa.string(), "SetAck: AK202, the ST02 of the transaction set answered"),
    _f("claim_id", pa.string(), "ClaimStatus: TRN02, the patient control number (CLM01) the claim was sent with"),
    _f("trace", pa.string(), "ClaimStatus: REF*D9, the trace number the claim was forwarded with;"
       " BatchStatus: TRN02 (batch: the 837's BHT03; provider: the provider's trace)"),
    _f("batch", pa.string(), "ClaimStatus: the TRN02 of its 2200B, the BHT03 of the 837 it was sent in"),
    _f("status", pa.string(), "accepted, rejected or noted (edi837/responses/model.py); null for a problem"),
    _f("codes", pa.string(), "the payer's codes: TA1 TA104 TA105; AK9 AK901 AK905...; IK5*IK501 IK502..."
       " IK3*id*position*loop*IK304...; STC category:status[:entity]... (never an IK404 value)"),
    _f("words", pa.string(), "the payer's codes in plain words (edi837 rules lists them)"),
    _f("payer_claim_number", pa.string(), "ClaimStatus: REF*1K, the payer's own number for the claim"),
    _f("charge", MONEY, "ClaimStatus: STC04, the claim's total charge, exact to the cent (null when not an amount)"),
    _f("service_lines", pa.list_(pa.field("item", SERVICE_LINE)), "ClaimStatus: each 2220D service line with"
       " its statuses (empty for other records)"),
    _f("problem_code", pa.string(), "Problem: X12-IK3-n, X12-IK4-n, X12-ENV-..., unreadable or too large"),
    _f("problem_message", pa.string(), "Problem: what is wrong, located, never quoting a value"),
    _f("problem_segment", pa.string(), "Problem: the segment id"),
    _f("problem_loop", pa.string(), "Problem: the loop of the answer's guide"),
    _f("problem_element", pa.string(), "Problem: the element (e.g. STC02)"),
], metadata={"edi837.schema": f"responses-arrow-v{SCHEMA_VERSION}"})

_EMPTY = dict.fromkeys(SCHEMA.names)


def _text(statuses: tuple[Status, ...]) -> str:
    return " ".join(s.text for s in statuses)


def codes(r: Response) -> str | None:
    """The payer's codes of a record as one string (the record's own `codes`, as the stage's ledger
    writes them), None for a Problem."""
    return None if isinstance(r, Problem) else r.codes


def _named(r: Response) -> dict[str, Any]:
    """The columns that say what `r` answers (see the module docstring)."""
    if isinstance(r, Ta1):
        return {"answered_isa13": r.control}
    if isinstance(r, GroupAck):
        return {"answered_gs06": r.group_control}
    if isinstance(r, SetAck):
        return {"answered_gs06": r.group_control, "answered_st02": r.set_control}
    if isinstance(r, ClaimStatus):
        lines = [{"service": shown(ln.service, SERVICE), "charge": money(ln.charge), "control": ln.control or None,
                  "status": status_of(ln.statuses), "codes": _text(ln.statuses),
                  "words": ", ".join(s.words for s in ln.statuses)} for ln in r.lines]
        return {"claim_id": r.claim_id, "trace": r.trace, "batch": r.batch, "payer_claim_number": r.payer_claim_number,
                "charge": money(r.charge), "service_lines": lines}
    if isinstance(r, BatchStatus):
        return {"trace": r.trace}
    return {}


def _absent_is_null(row: dict[str, Any]) -> dict[str, Any]:
    """An element the answer does not have (a record holds "") is null in the row, as in the claim rows."""
    return {k: None if v == "" else v for k, v in row.items()}


def response_row(r: Response) -> dict[str, Any]:
    """One record as its row of SCHEMA (an element the answer does not have is null)."""
    row: dict[str, Any] = {**_EMPTY, "kind": KINDS[type(r)], "record": type(r).__name__, "line": r.line, "service_lines": []}
    if isinstance(r, Problem):
        return _absent_is_null({**row, "file": r.file, "problem_code": r.code, "problem_message": r.message,
                                "problem_segment": r.segment_id, "problem_loop": r.loop, "problem_element": r.element})
    i = r.interchange
    return _absent_is_null({
        **row, "file": i.file, "level": r.level if isinstance(r, BatchStatus) else LEVELS[type(r)],
        "payer": i.sender, "receiver": i.receiver, "interchange_control": i.control, "interchange_date": i.date,
        "usage": i.usage, "status": r.status, "codes": codes(r), "words": r.words, **_named(r)})


def problem_row(file: str, code: str, message: str) -> dict[str, Any]:
    """The row of an answer file that was not read at all (not opened, or too large for Spark)."""
    return response_row(Problem(file, 0, "", "", "", code, message))


def _records(source: Source) -> Iterator[dict[str, Any]]:
    """One source's rows, as its records are read."""
    if isinstance(source, tuple):
        name, data = source
        yield from map(response_row, read_responses(io.BytesIO(data), name))
        return
    path = os.fspath(source)
    name = printable(path)  # Arrow strings are UTF-8: a name's undecodable bytes escaped
    try:
        fh = open(path, "rb")  # noqa: SIM115 (closed below, after the generator is drained)
    except OSError as exc:
        yield problem_row(name, UNREADABLE, f"cannot open: {exc.strerror or type(exc).__name__}")
        return
    except ValueError:  # a NUL in it: no file has that name (as edi837.read_responses says)
        yield problem_row(name, UNREADABLE, "cannot open: not a valid path (it holds a NUL character)")
        return
    with fh:
        yield from map(response_row, read_responses(fh, name))


def response_rows(sources: Iterable[Source]) -> Iterator[dict[str, Any]]:
    """Every row of every source, in order: paths (read as they stream) or (name, bytes) pairs."""
    for source in sources:
        yield from _records(source)


def response_batches(sources: Iterable[Source], batch_size: int = BATCH) -> Iterator[pa.RecordBatch]:
    """The rows of `sources` as RecordBatches of SCHEMA, each of at most `batch_size` rows, made as the
    records are read (a batch may hold rows of more than one file)."""
    if batch_size < 1:
        raise ValueError(f"batch_size is at least 1, not {batch_size}")
    batch: list[dict[str, Any]] = []
    for row in response_rows(sources):
        batch.append(row)
        if len(batch) == batch_size:
            yield pa.RecordBatch.from_pylist(batch, schema=SCHEMA)
            batch = []
    if batch:
        yield pa.RecordBatch.from_pylist(batch, schema=SCHEMA)


# -- the schema, described ----------------------------------------------------------------------------

def describe() -> str:
    """The schema as markdown (schemas/responses-arrow.md)."""
    head = [f"# edi837 response rows: Arrow schema, version {SCHEMA_VERSION}", "",
            "Generated by `python -m edi837.answers.write.arrow_responses --write` from",
            "`edi837/answers/write/arrow_responses.py`, where the schema is defined once; a test fails when",
            "this file and the code disagree. Written by `edi837.answers.write.arrow_responses.response_batches`",
            "and `edi837.spark.read_responses` (and `python -m edi837.spark --responses`). The schema's",
            f"metadata carries `edi837.schema: responses-arrow-v{SCHEMA_VERSION}`.", "",
            "A row is one record of `edi837.read_responses` (a payer's TA1, 999 or 277CA), in file order:",
            "`record` is its type, `kind` the answer (TA1, 999, 277CA, or problem: what is wrong with the",
            "answer file itself), `level` what the payer judged. Of the columns that name what is answered",
            "(`answered_isa13`, `answered_gs06`, `answered_st02`, `claim_id`, `trace`, `batch`) a row has",
            "those of its record, the others are null; so are the `problem_*` columns but on a problem row,",
            "and the interchange columns, `status`, `codes` and `words` on it. An element the answer does",
            "not have (no REF*D9, no REF*1K ...) is null, not an empty string. `charge` and",
            "`service_lines[].charge` are decimal128(20, 2), as the claim rows' money. No column holds a",
            "patient's data or a 999's IK404 (the payer's copy of a bad value).", "",
            "| column | type | meaning |", "|---|---|---|"]
    return "\n".join([*head, *_fields(SCHEMA), ""])


def schema_json() -> str:
    """The schema's fields as JSON (name, type, nullable, doc), for tools that read no markdown."""
    return json.dumps({"version": SCHEMA_VERSION, "fields": [field_json(f) for f in SCHEMA]}, indent=1) + "\n"


def documents() -> dict[str, str]:
    """The schema's documents in edi837/schemas/ (file name -> text)."""
    return {"responses-arrow.md": describe(), "responses-arrow.json": schema_json()}


if __name__ == "__main__":
    write_documents(documents, describe)
