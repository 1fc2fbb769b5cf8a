"""edi837.arrow: the claim rows (Arrow) equal `check --format json`, claim for claim; the schema's
document in schemas/ is the code's; the Parquet export; and `import edi837` needs no pyarrow."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT, SAMPLES_837I

from edi837.cli import main

TODAY = "2026-11-01"


def test_import_edi837_imports_no_arrow_or_spark() -> None:
    code = ("import sys, edi837, edi837.api, edi837.cli; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyarrow', 'pyspark', 'pandas')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from edi837 import api, arrow  # noqa: E402 (after the skip: pyarrow is optional)


def check_json(paths: list[str]) -> dict:
    res = CliRunner().invoke(main, ["check", "--format", "json", "--jobs", "1", "--today", TODAY, *paths])
    assert res.exit_code in (0, 1, 2), res.output
    return json.loads(res.stdout)


def claim_key(row: dict) -> dict:
    """What a claim row shares with the claims of `check --format json`."""
    keys = ("claim_id", "transaction", "status", "total_charge", "type_of_bill", "position", "findings")
    return {k: row[k] for k in keys}


def expected(doc: dict) -> tuple[dict, dict]:
    """(claims by file, file outcome by file) of a check report."""
    claims = {f["path"]: sorted((c for c in f["claims"]), key=lambda c: (c["transaction"], c["position"]))
              for f in doc["files"]}
    outcome = {f["path"]: {"error": f["error"],
                           "transactions": [{"control": t["control_number"], "ack": t["ack"], "findings": t["findings"]}
                                            for t in f["transactions"]],
                           "groups": f["groups"], "interchanges": f["interchanges"]} for f in doc["files"]}
    return claims, outcome


def compare(rows: list[dict], doc: dict) -> None:
    """Rows of edi837.arrow (any order across files) against a check report: claim for claim, and
    every file's outcome."""
    claims, outcome = expected(doc)
    got_claims: dict[str, list] = {path: [] for path in claims}
    got_files = {}
    for row in rows:
        if row["kind"] == "claim":
            got_claims[row["file"]].append(claim_key(row))
        else:
            assert row["file"] not in got_files
            got_files[row["file"]] = row
    for path in claims:
        got = sorted(got_claims[path], key=lambda c: (c["transaction"], c["position"]))
        assert got == [claim_key(c) for c in claims[path]], path
        f = got_files[path]
        want = outcome[path]
        assert f["error"] == want["error"], path
        assert f["status"] == ("read" if want["error"] is None else "unreadable")
        assert (f["claims"], f["accepted"]) == (len(got), sum(c["status"] == "accepted" for c in got))
        sets = [{k: e[k] for k in ("control", "ack", "findings")} for e in f["envelopes"] if e["level"] == "transaction"]
        assert sets == want["transactions"], path
        for level, key in (("group", "groups"), ("interchange", "interchanges")):
            assert [{"control": e["control"], "findings": e["findings"]} for e in f["envelopes"] if e["level"] == level] \
                == want[key], path
    assert set(got_files) == set(claims)


def test_rows_equal_check_json_on_fixtures_and_samples() -> None:
    paths = [str(p) for p in FIXTURES + SAMPLES_837I]
    check = api.checker(today=__import__("datetime").date.fromisoformat(TODAY))
    rows = []
    for path in paths:
        with open(path, "rb") as fh:
            for batch in arrow.batches(fh.read(), path, check):
                assert batch.schema.equals(arrow.SCHEMA, check_metadata=True)
                rows += batch.to_pylist()
    compare(rows, check_json(paths))
    assert any(r["status"] == "rejected" for r in rows)  # the comparison covers rejections
    assert any(f["rule"].startswith("AMB") for r in rows if r["kind"] == "claim" for f in r["findings"])


def test_claim_row_carries_lines_and_ambulance_view() -> None:
    path = str(ROOT / "fixtures" / "als-emergency.837")
    with open(path, "rb") as fh:
        [claim, file] = [r for b in arrow.batches(fh.read(), path) for r in b.to_pylist()]
    assert (claim["kind"], file["kind"]) == ("claim", "file")
    assert claim["trip"] and claim["origin"] and claim["destination"] and claim["loaded_miles"]
    kinds = {ln["kind"] for ln in claim["lines"]}
    assert {"base", "mileage"} <= kinds
    assert file["status"] == "read" and file["claims"] == 1 and file["envelopes"][0]["level"] == "transaction"


def test_unreadable_bytes_are_a_file_row_with_the_located_error() -> None:
    rows = [r for b in arrow.batches(b"this is not X12 at all", "junk.837") for r in b.to_pylist()]
    [row] = rows
    assert row["kind"] == "file" and row["status"] == "unreadable"
    assert row["error"].startswith("junk.837") and "byte" in row["error"]


def test_too_large_row() -> None:
    [row] = arrow.too_large("big.837", 3_000_000_000, 2**31 - 1).to_pylist()
    assert row["status"] == "too large" and "3,000,000,000 bytes" in row["error"]


def test_many_claims_come_in_batches_of_at_most_batch(tmp_path) -> None:
    src = tmp_path / "b.837"
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen.py"), "--claims", str(arrow.BATCH + 5), "--out",
                    str(src)], check=True, capture_output=True)
    sizes = [b.num_rows for b in arrow.batches(src.read_bytes(), str(src))]
    assert sizes == [arrow.BATCH, 6]  # 5 claims and the file row


def test_schema_document_is_the_code() -> None:
    assert (ROOT / "schemas" / "claims-arrow.md").read_text() == arrow.describe()
    assert json.loads((ROOT / "schemas" / "claims-arrow.json").read_text()) == json.loads(arrow.schema_json())
    assert arrow.SCHEMA.metadata[b"edi837.schema"] == f"claims-v{arrow.SCHEMA_VERSION}".encode()


def test_write_parquet_holds_the_same_rows(tmp_path) -> None:
    out = tmp_path / "claims.parquet"
    paths = [str(p) for p in FIXTURES]
    n = arrow.write_parquet(paths, str(out), api.checker(today=__import__("datetime").date.fromisoformat(TODAY)))
    table = pq.read_table(out)
    assert table.num_rows == n
    assert os.stat(out).st_mode & 0o777 == 0o600
    compare(table.to_pylist(), check_json(paths))
