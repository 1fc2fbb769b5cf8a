"""edi837.answers.write.arrow: the claim rows (Arrow) equal `check --format json`, claim for claim; the schema's
document in schemas/ is the code's; the Parquet export; and `import edi837` needs no pyarrow."""

from __future__ import annotations

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


try:  # pyarrow is optional (the arrow and spark extras): without it the tests below skip
    import pyarrow.parquet as pq
    from arrow_rows import check_json, compare

    from edi837.answers.write import arrow
except ImportError:
    pq = arrow = check_json = compare = None  # type: ignore[assignment]
import edi837  # noqa: E402
from edi837.engine import pipeline  # noqa: E402

needs_arrow = pytest.mark.skipif(arrow is None, reason="needs pyarrow: pip install -e '.[arrow]'")


@needs_arrow
def test_rows_equal_check_json_on_fixtures_and_samples() -> None:
    paths = [str(p) for p in FIXTURES + SAMPLES_837I]
    check = pipeline.for_profile(today=__import__("datetime").date.fromisoformat(TODAY))
    rows = []
    for path in paths:
        with open(path, "rb") as fh:
            for batch in arrow.batches(fh.read(), path, check):
                assert batch.schema.equals(arrow.SCHEMA, check_metadata=True)
                rows += batch.to_pylist()
    compare(rows, check_json(paths))
    assert any(r["status"] == "rejected" for r in rows if r["kind"] == "claim")  # the comparison covers rejections
    assert any(f["rule"].startswith("AMB") for r in rows if r["kind"] == "claim" for f in r["findings"])


@needs_arrow
def test_claim_row_carries_lines_and_ambulance_view() -> None:
    path = str(ROOT / "fixtures" / "als-emergency.837")
    with open(path, "rb") as fh:
        [claim, file] = [r for b in arrow.batches(fh.read(), path) for r in b.to_pylist()]
    assert (claim["kind"], file["kind"]) == ("claim", "file")
    from edi837.answers.write import records  # noqa: PLC0415

    [result] = edi837.check(path).claims
    row = arrow.claim_row(records.claim_record(result, path, None))
    assert {k: v for k, v in claim.items() if k in records.SHAPE} == {k: v for k, v in row.items() if k != "kind"} | {
        "transaction_ack": "A"}  # the record, column for column (money as decimals)
    trip = claim["ambulance"]
    assert trip["level"] and trip["origin"] and trip["destination"] and trip["loaded_miles"]
    assert {"base", "mileage"} <= {ln["kind"] for ln in claim["lines"]}
    assert all(claim[k] is None for k in ("file_status", "file_error", "claims", "envelopes"))
    assert file["file_status"] == "read" and file["claims"] == 1 and file["envelopes"][0]["level"] == "transaction"
    assert file["claim_id"] is None and file["findings"] is None


@needs_arrow
def test_unreadable_bytes_are_a_file_row_with_the_located_error() -> None:
    rows = [r for b in arrow.batches(b"this is not X12 at all", "junk.837") for r in b.to_pylist()]
    [row] = rows
    assert row["kind"] == "file" and row["file_status"] == "unreadable"
    assert row["file_error"].startswith("junk.837") and "byte" in row["file_error"]


@needs_arrow
def test_too_large_row() -> None:
    [row] = arrow.too_large("big.837", 3_000_000_000, 2**31 - 1).to_pylist()
    assert row["file_status"] == "too large" and "3,000,000,000 bytes" in row["file_error"]


@needs_arrow
def test_many_claims_come_in_batches_of_at_most_batch(tmp_path) -> None:
    src = tmp_path / "b.837"
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen.py"), "--claims", str(arrow.BATCH + 5), "--out",
                    str(src)], check=True, capture_output=True)
    sizes = [b.num_rows for b in arrow.batches(src.read_bytes(), str(src))]
    assert sizes == [arrow.BATCH, 6]  # 5 claims and the file row


@needs_arrow
def test_schema_documents_are_the_code() -> None:
    for name, text in arrow.documents().items():
        assert (ROOT / "schemas" / name).read_text() == text, f"stale: python -m edi837.answers.write.arrow --write ({name})"
    assert arrow.SCHEMA.metadata[b"edi837.schema"] == f"claims-arrow-v{arrow.SCHEMA_VERSION}".encode()


@needs_arrow
def test_claim_columns_are_the_claim_record() -> None:
    from edi837.answers.write import records  # noqa: PLC0415

    names = arrow.SCHEMA.names
    assert names[:2] == ["kind", "file"] and names[2:len(records.SHAPE) + 1] == list(records.SHAPE)[1:]


@needs_arrow
def test_export_parquet_holds_the_rows_check_reports(tmp_path) -> None:
    out = tmp_path / "claims.parquet"
    paths = [str(p) for p in FIXTURES + SAMPLES_837I]
    res = CliRunner().invoke(main, ["export", "--format", "parquet", "-o", str(out), "--today", TODAY, *paths])
    doc = check_json(paths)
    assert res.exit_code == 2 if doc["summary"]["unreadable_files"] else 1  # as check: unreadable samples
    summary = doc["summary"]
    assert res.stdout.strip().splitlines()[-1].startswith(
        f"{summary['files']} files, {summary['claims']} claims: {summary['accepted']} accepted")
    assert res.stderr.count("error: ") == summary["unreadable_files"]
    assert os.stat(out).st_mode & 0o777 == 0o600
    table = pq.read_table(out)
    assert table.schema.equals(arrow.SCHEMA)  # Parquet adds its own metadata beside ours
    assert table.schema.metadata[b"edi837.schema"] == arrow.SCHEMA.metadata[b"edi837.schema"]
    compare(table.to_pylist(), doc)


@needs_arrow
def test_export_parquet_needs_an_output_file() -> None:
    res = CliRunner().invoke(main, ["export", "--format", "parquet", str(FIXTURES[0])])
    assert res.exit_code == 2 and "-o FILE" in res.stderr


@needs_arrow
def test_money_is_decimal_exact_to_the_cent(tmp_path) -> None:
    """Issue 22: total_charge and the line charges are decimal128(20, 2) in Arrow and Parquet (not
    strings); an amount that is not money (here 3 decimal places) is null, its text kept by the export."""
    import decimal  # noqa: PLC0415

    import pyarrow as pa  # noqa: PLC0415

    assert arrow.SCHEMA.field("total_charge").type == pa.decimal128(20, 2)
    line = arrow.SCHEMA.field("lines").type.value_type
    assert line.field("charge").type == line.field("non_covered").type == pa.decimal128(20, 2)
    assert arrow.SCHEMA.field("value_codes").type.value_type.field("amount").type == pa.string()  # A0: a ZIP
    fixture = ROOT / "fixtures" / "bls-emergency.837"
    out = tmp_path / "claims.parquet"
    CliRunner().invoke(main, ["export", "--format", "parquet", "-o", str(out), "--today", TODAY, str(fixture)])
    table = pq.read_table(out)
    claim = next(r for r in table.to_pylist() if r["kind"] == "claim")
    assert claim["total_charge"] == decimal.Decimal("716.00")
    assert sum(ln["charge"] for ln in claim["lines"]) == claim["total_charge"]
    odd = fixture.read_bytes().replace(b"CLM*AMB-BLS--002*716", b"CLM*AMB-BLS--002*716.005")
    [row] = [r for b in arrow.batches(odd, "odd.837") for r in b.to_pylist() if r["kind"] == "claim"]
    assert row["total_charge"] is None
    assert (arrow.money("716"), arrow.money("-1.5"), arrow.money("7.1.6"), arrow.money("1" * 19)) == (
        decimal.Decimal("716.00"), decimal.Decimal("-1.50"), None, None)
