"""edi837.answers.write.arrow_responses: the payer's answers as Arrow rows. On the outside 999 and
277CA samples the rows are the records of `edi837.read_responses`, one for one; the schema's documents
in schemas/ are the code's; a 999's IK404 value is in no row; and rows come in batches while a
277CA is still being written (read from a pipe), never after the whole file."""

from __future__ import annotations

import os
import threading

import pytest
from conftest import ROOT, SHARED

import edi837
from edi837.responses import BatchStatus, ClaimStatus, GroupAck, Problem, SetAck, Ta1

pa = pytest.importorskip("pyarrow")
from edi837.answers.write import arrow_responses as ar  # noqa: E402

SAMPLES = sorted([*(SHARED / "samples" / "999").glob("*"), *(SHARED / "samples" / "277ca").glob("*")])


def expected(r: object) -> dict:
    """What a record's row holds, read off the record (model.py) field by field."""
    if isinstance(r, Problem):
        return {"file": r.file, "kind": "problem", "record": "Problem", "line": r.line, "status": None,
                "problem_code": r.code, "problem_message": r.message, "payer": None, "level": None}
    named = {"answered_isa13": None, "answered_gs06": None, "answered_st02": None, "claim_id": None, "trace": None}
    if isinstance(r, Ta1):
        kind, level, named["answered_isa13"] = "TA1", "interchange", r.control
    elif isinstance(r, GroupAck):
        kind, level, named["answered_gs06"] = "999", "group", r.group_control
    elif isinstance(r, SetAck):
        kind, level = "999", "set"
        named.update(answered_gs06=r.group_control, answered_st02=r.set_control)
    elif isinstance(r, ClaimStatus):
        kind, level = "277CA", "claim"
        named.update(claim_id=r.claim_id, trace=r.trace)
    else:
        assert isinstance(r, BatchStatus)
        kind, level, named["trace"] = "277CA", r.level, r.trace
    i = r.interchange  # type: ignore[attr-defined]
    return {"file": i.file, "kind": kind, "record": type(r).__name__, "line": r.line,  # type: ignore[attr-defined]
            "status": r.status, "problem_code": None, "problem_message": None,  # type: ignore[attr-defined]
            "payer": i.sender, "level": level, "interchange_control": i.control,
            "words": r.words, **{k: v or None for k, v in named.items()}}  # type: ignore[attr-defined]


@pytest.mark.skipif(not SAMPLES, reason="the outside samples are in ../shared/samples")
def test_rows_are_the_records_of_read_responses_on_the_outside_samples() -> None:
    counts = {}
    for path in SAMPLES:
        records = list(edi837.read_responses(str(path)))
        batches = list(ar.response_batches([str(path)], batch_size=7))
        assert all(b.schema.equals(ar.SCHEMA, check_metadata=True) and b.num_rows <= 7 for b in batches)
        rows = [row for b in batches for row in b.to_pylist()]
        assert len(rows) == len(records) > 0, path.name
        for row, record in zip(rows, records, strict=True):
            want = expected(record)
            assert {k: row[k] for k in want} == want, (path.name, record)
        counts[path.name] = len(rows)
    every = [row for p in SAMPLES for b in ar.response_batches([str(p)]) for row in b.to_pylist()]
    assert {(r["kind"], r["level"]) for r in every} >= {("999", "set"), ("999", "group"), ("277CA", "claim"),
                                                        ("277CA", "batch"), ("277CA", "provider"), ("problem", None)}
    rejected = [r for r in every if r["record"] == "ClaimStatus" and r["codes"] == "A7:562:85"]
    assert rejected and all(r["status"] == "rejected" and r["payer_claim_number"] for r in rejected)
    [ik3] = [r for r in every if r["codes"] == "IK5*R 5 IK3*CLM*22**8" and "stupidedi" in r["file"]]
    assert (ik3["answered_gs06"], ik3["answered_st02"]) == ("17456", "0002")
    lines = [ln for r in every if r["record"] == "ClaimStatus" for ln in r["service_lines"]]
    assert any(ln["service"] == "HC:22305:22" and ln["status"] == "rejected" and str(ln["charge"]) == "350.00"
               for ln in lines)
    print(counts)  # the figures of the report (pytest -s)


def test_schema_documents_are_the_code() -> None:
    for name, text in ar.documents().items():
        assert (ROOT / "schemas" / name).read_text() == text, \
            f"stale: python -m edi837.answers.write.arrow_responses --write ({name})"
    assert ar.SCHEMA.metadata[b"edi837.schema"] == f"responses-arrow-v{ar.SCHEMA_VERSION}".encode()


ISA = ("ISA*00*          *00*          *ZZ*PAYER01        *ZZ*EDI837         *261201*1200*^*00501*000000901*0*T*:~")
TA1 = ISA + "TA1*000000123*261130*0930*R*022~IEA*0*000000901~"
IK404 = "DOEJANE1960"
_999 = (ISA + "GS*FA*PAYER01*EDI837*20261201*1200*77*X*005010X231A1~ST*999*0001*005010X231A1~"
        "AK1*HC*1021*005010X223A2~AK2*837*0001*005010X223A2~IK3*NM1*7*2010*8~CTX*CLM01:PCN1~"
        f"IK4*3*1035*6*{IK404}~IK5*R*5~AK9*R*1*1*0~SE*9*0001~GE*1*77~IEA*1*000000901~")


def test_no_row_holds_an_ik404_value_or_a_name_where_a_code_belongs() -> None:
    """The IK404 is the payer's copy of a bad value (here a made-up name): the record keeps it for the
    API, no column of any row does; nor does a name where a code belongs (TA105, AK905, STC01, SVC01)."""
    name = "DOEJANE"
    odd_ta1 = TA1.replace("*R*022~", f"*R*{name}~")
    odd_999 = _999.replace("AK9*R*1*1*0~", f"AK9*R*1*1*0*{name}~")
    odd_277 = claims_277(1).replace("STC*A2:20*", f"STC*{name}:20*").replace(
        "DTP*472*D8*20261101~", f"DTP*472*D8*20261101~SVC*HC:{name}*10*10~STC*A3:{name}~")
    odd = [("x.ta1", odd_ta1.encode()), ("x.999", odd_999.encode()), ("x.277ca", odd_277.encode())]
    odd_rows = [r for b in ar.response_batches(odd) for r in b.to_pylist()]
    assert {r["kind"] for r in odd_rows} >= {"TA1", "999", "277CA"}
    assert name not in repr(odd_rows)
    [line] = [ln for r in odd_rows if r["record"] == "ClaimStatus" for ln in r["service_lines"]]
    assert line["service"] == "(value not shown)"
    [ta1] = [r for b in ar.response_batches([("a.ta1", TA1.encode())]) for r in b.to_pylist()]
    assert (ta1["kind"], ta1["level"], ta1["answered_isa13"], ta1["status"]) == ("TA1", "interchange", "000000123",
                                                                                 "rejected")
    assert ta1["codes"] == "TA1 R 022" and ta1["payer"] == "PAYER01" and ta1["line"] == 1
    records = list(edi837.read_responses(_999.encode(), "a.999"))
    assert [e.value for r in records if isinstance(r, SetAck) for s in r.segments for e in s.elements] == [IK404]
    rows = [r for b in ar.response_batches([("a.999", _999.encode())]) for r in b.to_pylist()]
    assert [r["record"] for r in rows] == [type(r).__name__ for r in records] and len(rows) >= 2
    assert IK404 not in repr(rows)
    [set_row] = [r for r in rows if r["record"] == "SetAck"]
    assert set_row["codes"] == "IK5*R 5 IK3*NM1*7*2010*8" and "element 3 (data element 1035)" in set_row["words"]


def test_a_path_that_cannot_be_opened_is_one_problem_row(tmp_path) -> None:
    missing = tmp_path / "gone.999"
    [row] = [r for b in ar.response_batches([missing]) for r in b.to_pylist()]
    assert (row["file"], row["kind"], row["problem_code"]) == (str(missing), "problem", "unreadable")
    assert row["problem_message"].startswith("cannot open: ")
    [nul] = [r for b in ar.response_batches([str(missing) + "\0"]) for r in b.to_pylist()]
    assert nul["problem_code"] == "unreadable" and "NUL" in nul["problem_message"] and "\\x00" in nul["file"]


def claims_277(n: int) -> str:
    """A 277CA of `n` claims, each about 300 bytes (the longest trace numbers and names the guide takes)."""
    head = (ISA + "GS*HN*PAYER01*EDI837*20261201*1200*5*X*005010X214~ST*277*0001*005010X214~"
            "BHT*0085*08*B1*20261201*1200*TH~HL*1**20*1~NM1*PR*2*PAYER*****PI*PAYER01~TRN*1*B1~"
            "DTP*050*D8*20261201~DTP*009*D8*20261201~HL*2*1*21*1~NM1*41*2*CH*****46*EDI837~TRN*2*0001~"
            "STC*A1:19:PR*20261201*WQ*100~HL*3*2*19*1~NM1*85*2*AMB*****XX*1234567893~TRN*1*P1~"
            "STC*A1:19:PR**WQ*100~")
    claim = ("HL*{hl}*3*PT~NM1*QC*1*{last}*{first}****MI*MEMBER{i:08d}~TRN*2*PCN{i:017d}~"
             "STC*A2:20*20261201*WQ*10.00~REF*1K*PAY{i:047d}~REF*D9*TR{i:048d}~DTP*472*D8*20261101~")
    body = "".join(claim.format(hl=4 + i, i=i, last="L" * 60, first="F" * 35) for i in range(n))
    return f"{head}{body}SE*{16 + 7 * n}*0001~GE*1*5~IEA*1*000000901~"


def test_rows_come_while_the_file_is_still_being_written(tmp_path) -> None:
    """A 277CA of 4,500 claims (1.4 MB) read from a named pipe: the writer sends 1.2 MB (more than the
    reader's 1 MB chunk), then waits for the first batch of 100 rows before it sends the rest. A
    reader that made a list of the file's records (or rows) first would wait for the end of the
    file, which the writer holds back."""
    n, size = 4500, 100
    text = claims_277(n)
    cut = 1_200_000
    pipe = tmp_path / "big.277ca"
    os.mkfifo(pipe)
    got_batch = threading.Event()
    held_back: list[bool] = []

    def write() -> None:
        with open(pipe, "w", encoding="ascii") as fh:
            fh.write(text[:cut])
            fh.flush()
            held_back.append(got_batch.wait(timeout=30))  # False: the reader waited for the end
            fh.write(text[cut:])

    writer = threading.Thread(target=write)
    writer.start()
    try:
        sizes = []
        for batch in ar.response_batches([pipe], batch_size=size):
            got_batch.set()
            sizes.append(batch.num_rows)
    finally:
        got_batch.set()
        writer.join()
    assert held_back == [True]
    rows = [r for b in ar.response_batches([("big.277ca", text.encode())]) for r in b.to_pylist()]
    assert [r["record"] for r in rows] == ["BatchStatus", "BatchStatus"] + ["ClaimStatus"] * n  # no problem
    assert rows[-1]["claim_id"] == f"PCN{n - 1:017d}" and "F" * 35 not in repr(rows)  # no patient's name
    assert sizes == [size] * (len(rows) // size) + [len(rows) % size]


def test_a_file_over_sparks_binary_limit_is_one_problem_row() -> None:
    """The Spark job's worker for files it lists but must not read (edi837/spark_responses.py)."""
    from edi837 import spark_responses  # noqa: PLC0415 (imports no pyspark until a job runs)

    listed = pa.RecordBatch.from_pylist([{"path": "file:/in/big.277ca", "length": 3_000_000_000}])
    [batch] = spark_responses._too_large_batches(iter([listed]), 2**31 - 1, lambda uri: uri.removeprefix("file:"))
    [row] = batch.to_pylist()
    assert (row["file"], row["kind"], row["problem_code"]) == ("/in/big.277ca", "problem", "too large")
    assert "3,000,000,000 bytes" in row["problem_message"] and batch.schema.equals(ar.SCHEMA, check_metadata=True)


def test_the_table_of_docs_spark_md_names_every_column() -> None:
    text = (ROOT / "docs" / "spark.md").read_text()
    section = text[text.index("## The payer's answers"):text.index("## On a cluster")]
    assert [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")] == ar.SCHEMA.names
