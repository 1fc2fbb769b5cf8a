"""edi837.spark on a real Spark in local[2] (skipped without pyspark or Java): the claim rows equal
`check --format json` claim for claim, and `answers` writes byte for byte what `ack --fixed-time`
writes, on the fixtures (837I, 837P and the mixed 837I + 837P interchange), the outside 837I and
837P samples and a 20,000-claim bench file split into 20 files.
One Spark session serves the whole module (a JVM start costs 10-30 s here)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT, SAMPLES_837I, SHARED

pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java (apt-get install -y openjdk-17-jre-headless)", allow_module_level=True)

from pyspark.sql import SparkSession  # noqa: E402

from edi837 import spark as edi_spark  # noqa: E402
from edi837.answers.control import Settings  # noqa: E402
from edi837.cli import main  # noqa: E402

TODAY = dt.date(2026, 11, 1)
FIXED = "202611220930"
BENCH_CLAIMS, BENCH_FILES = 20_000, 20
SAMPLES_837P = sorted((SHARED / "samples" / "837p-ambulance").glob("*"))


@pytest.fixture(scope="module")
def spark():
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # the workers run this venv's Python, activated or not
    session = (SparkSession.builder.master("local[2]").appName("edi837-tests")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def bench_files(tmp_path_factory) -> list[Path]:
    """A 20,000-claim bench/gen.py file split into 20 files between its sets (bench/split.py)."""
    folder = tmp_path_factory.mktemp("bench20")
    whole = folder.parent / "whole.837"
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen.py"), "--claims", str(BENCH_CLAIMS),
                    "--claims-per-st", str(BENCH_CLAIMS // BENCH_FILES), "--out", str(whole)],
                   check=True, capture_output=True)
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import split  # noqa: PLC0415
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return split.split(whole, folder, BENCH_FILES)


def inputs(bench_files: list[Path]) -> list[str]:
    """Every input, sorted by path."""
    return sorted(os.path.abspath(p) for p in [*FIXTURES, *SAMPLES_837I, *SAMPLES_837P, *bench_files])


def test_rows_equal_check_json(spark, bench_files) -> None:
    import arrow_rows  # noqa: PLC0415 (the comparison is the one of the Arrow rows, not a copy)

    paths = inputs(bench_files)
    compared = ["kind", "file", "transaction", "claim_id", "claim_type", "status", "position", "total_charge",
                "type_of_bill", "findings", "file_status", "file_error", "claims", "accepted", "rejected", "envelopes"]
    rows = edi_spark.rows(spark, paths, today=TODAY).select(*compared).toArrow().to_pylist()
    doc = arrow_rows.check_json(paths)
    arrow_rows.compare(rows, doc)
    assert sum(r["kind"] == "claim" for r in rows) == sum(len(f["claims"]) for f in doc["files"]) > BENCH_CLAIMS
    assert {r["file_status"] for r in rows if r["kind"] == "file"} == {"read", "unreadable"}
    mixed = str(ROOT / "fixtures" / "mixed-837i-837p.837")
    assert {r["claim_type"] for r in rows if r["file"] == mixed and r["kind"] == "claim"} == {"837I", "837P"}
    professional = [r for r in rows if r["kind"] == "claim" and r["claim_type"] == "837P"]
    assert len(professional) > len(SAMPLES_837P) and any(r["status"] == "accepted" for r in professional)


def test_claims_and_files_split_the_rows(spark) -> None:
    paths = [str(p) for p in FIXTURES]
    claims = edi_spark.claims(spark, paths, today=TODAY).select("kind", "claim_id").collect()
    files = edi_spark.files(spark, paths, today=TODAY).select("kind", "file").collect()
    assert len(claims) == sum(r["claims"] for r in edi_spark.files(spark, paths).select("claims").collect()) > 0
    assert {r["kind"] for r in claims} == {"claim"}
    assert sorted(r["file"] for r in files) == sorted(map(str, FIXTURES))


def test_answers_byte_for_byte_as_ack_fixed_time(spark, bench_files, tmp_path) -> None:
    """Given the same PATHs in the same (here unsorted) order, `answers` numbers them as ack does."""
    paths = list(reversed(inputs(bench_files)))
    ack_out, spark_out = tmp_path / "ack", tmp_path / "spark"
    res = CliRunner().invoke(main, ["ack", *paths, "--out", str(ack_out), "--fixed-time", FIXED, "--jobs", "1"])
    assert res.exit_code in (0, 1, 2), res.output
    done = edi_spark.answers(spark, paths, str(spark_out),
                             Settings(fixed_time=dt.datetime.strptime(FIXED, "%Y%m%d%H%M")))
    assert [r["path"] for r in done] == paths
    assert [r["control"] for r in done] == list(range(1, 3 * len(paths), 3))
    want = sorted(p.name for p in ack_out.iterdir())
    assert sorted(p.name for p in spark_out.iterdir()) == want
    assert len(want) > 3 * BENCH_FILES
    for name in want:
        assert (spark_out / name).read_bytes() == (ack_out / name).read_bytes(), name
        assert os.stat(spark_out / name).st_mode & 0o777 == 0o600
    assert sum(r["claims"] for r in done) > BENCH_CLAIMS


def test_answers_take_their_numbers_from_the_state_file(spark, tmp_path) -> None:
    """Without a fixed time, two jobs in a row reserve disjoint blocks from ack's state file; answers
    written inside the input folder are not read back as inputs (as for ack)."""
    inbound = tmp_path / "inbound"
    inbound.mkdir()
    for p in FIXTURES[:3]:
        shutil.copy(p, inbound / p.name)
    out = inbound / "answers"
    first = edi_spark.answers(spark, [str(inbound)], str(out))
    second = edi_spark.answers(spark, [str(inbound)], str(out))
    assert [r["control"] for r in first] == [1, 4, 7]
    assert [r["control"] for r in second] == [10, 13, 16]
    state = out / ".edi837-control-numbers.json"
    assert state.read_text().endswith('"numbers": [{"sender_id": "EDI837", "receiver_id": "", "last": 18}]}')
    res = CliRunner().invoke(main, ["ack", str(inbound / FIXTURES[0].name), "--out", str(out)])  # ack numbers after them
    assert res.exit_code in (0, 1), res.output
    assert state.read_text().endswith('"last": 21}]}')


def test_a_file_over_the_binary_limit_is_reported_not_read(spark, tmp_path) -> None:
    """A sparse file one byte over Spark's limit (2 GB - 1): listed, never read, a 'too large' row."""
    big = tmp_path / "big.837"
    with open(big, "wb") as fh:
        fh.truncate(edi_spark.limit(spark) + 1)
    small = ROOT / "fixtures" / "bls-emergency.837"
    rows = edi_spark.rows(spark, [str(big), str(small)], today=TODAY).toArrow().to_pylist()
    by_file = {r["file"]: r for r in rows if r["kind"] == "file"}
    assert by_file[str(big)]["file_status"] == "too large" and "over the" in by_file[str(big)]["file_error"]
    assert by_file[str(small)]["file_status"] == "read"
    twin = tmp_path / "twin" / small.name  # answered under the same name: refused, as ack refuses it
    twin.parent.mkdir()
    shutil.copy(small, twin)
    done = edi_spark.answers(spark, [str(big), str(small), str(twin)], str(tmp_path / "out"),
                             Settings(fixed_time=dt.datetime(2026, 11, 22)))
    assert [(r["path"], bool(r["written"])) for r in done] == [(str(big), False), (str(small), True), (str(twin), False)]
    assert "not answered" in done[0]["error"] and "would overwrite" in done[2]["error"]
    assert done[1]["control"] == 1  # refused inputs take no numbers


def test_one_guide_load_per_python_worker(spark) -> None:
    """The job's own worker function, one file per task (18 tasks on 2 cores): each Python worker
    process loads the guide once, however many tasks it runs."""
    import pyarrow as pa  # noqa: PLC0415

    def probe(batches):
        from edi837.x12 import guide  # noqa: PLC0415

        checked = sum(b.num_rows for b in edi_spark._check_batches(batches, "medicare", TODAY))
        yield pa.RecordBatch.from_pylist([{"pid": os.getpid(), "loads": guide.load.cache_info().misses,
                                           "rows": checked}])

    spark.conf.set("spark.sql.files.maxPartitionBytes", "1")  # one file per partition
    try:
        files = spark.read.format("binaryFile").load([str(p) for p in FIXTURES])
        assert files.rdd.getNumPartitions() == len(FIXTURES)
        seen = files.mapInArrow(probe, "pid long, loads long, rows long").collect()
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    assert len(seen) == len(FIXTURES) and all(r["rows"] > 0 for r in seen)
    assert all(r["loads"] == 1 for r in seen), seen
    assert len({r["pid"] for r in seen}) < len(FIXTURES)  # workers are reused, not started per task


def test_main_prints_the_counts(spark, capsys) -> None:
    code = edi_spark.main([*map(str, FIXTURES), "--today", str(TODAY)])
    out = capsys.readouterr().out
    assert out.startswith(f"{len(FIXTURES)} files, ")
    assert code == CliRunner().invoke(main, ["check", "--today", str(TODAY), *map(str, FIXTURES)]).exit_code
    assert spark.sparkContext._jsc is not None  # the module's session is not stopped by main


def test_main_exits_as_check_exits_on_an_envelope_error(spark, tmp_path, capsys) -> None:
    """Every claim accepted, but the group trailer miscounts its sets: `check` exits 1, and so does the
    Spark job (it exited 0, counting rejected claims only). The clean file exits 0 in both."""
    clean = ROOT / "fixtures" / "bls-emergency.837"
    miscounted = tmp_path / "ge.837"
    miscounted.write_text(clean.read_text(encoding="latin-1").replace("GE*1*1021", "GE*2*1021"), encoding="latin-1")
    assert CliRunner().invoke(main, ["check", "--today", str(TODAY), str(clean)]).exit_code == 0
    assert CliRunner().invoke(main, ["check", "--today", str(TODAY), str(miscounted)]).exit_code == 1
    assert edi_spark.main([str(miscounted), "--today", str(TODAY)]) == 1
    capsys.readouterr()


def test_a_folder_is_read_by_include_as_the_cli_reads_it(spark, tmp_path, capsys) -> None:
    """Before: a saved report, a pyx12 .997 and a README.md in the folder were 3 "unreadable" files,
    exit 2. Now they are skipped and counted, as `check` does; a file named as a PATH is read whatever
    its name; `answers` answers the same inputs."""
    inbound = tmp_path / "inbound"
    inbound.mkdir()
    shutil.copy(FIXTURES[0], inbound / FIXTURES[0].name)
    for name, text in (("report.html", "<html>a saved report</html>"), ("claims.997", "ISA*00*"),
                       ("README.md", "# inbound\n")):
        (inbound / name).write_text(text)
    named = tmp_path / "claims.dat"
    shutil.copy(FIXTURES[1], named)
    code = edi_spark.main([str(inbound), str(named), "--today", str(TODAY)])
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("2 files, ") and first.endswith(", 0 unreadable, 0 too large for Spark"
                                                            ", 3 files skipped (not --include)"), first
    assert code in (0, 1)
    done = edi_spark.answers(spark, [str(inbound)], str(tmp_path / "out"), Settings(fixed_time=dt.datetime(2026, 11, 22)))
    assert [r["path"] for r in done] == [str(inbound / FIXTURES[0].name)]


def test_read_responses_are_the_arrow_rows_and_main_writes_them(spark, tmp_path, capsys) -> None:
    """Issue 26: the 999 and 277CA edi837 writes to a fixture and an outside 277CA (a rejected claim,
    '|' separators), read on Spark, are the rows of `edi837.answers.write.arrow_responses`, file for
    file in order; `main --responses ... --responses-out DIR` prints their counts and writes the same
    rows as Parquet."""
    import pyarrow.parquet as pq  # noqa: PLC0415

    import edi837  # noqa: PLC0415
    from edi837.answers.write import arrow_responses  # noqa: PLC0415

    got = edi837.answer(ROOT / "fixtures" / "batch.837", Settings(fixed_time=dt.datetime(2026, 11, 22)))
    payer = tmp_path / "payer"
    payer.mkdir()
    (payer / "batch.999").write_bytes(got.ack999)
    (payer / "batch.277ca").write_bytes(got.ack277)
    (payer / "notes.md").write_text("not an answer: a folder's file --include does not name")
    outside = sorted((SHARED / "samples" / "277ca").glob("*eMedNY*"))
    named = sorted([str(payer / "batch.999"), str(payer / "batch.277ca"), *map(str, outside)])

    def by_file(rows: list[dict]) -> dict[str, list[dict]]:
        files: dict[str, list[dict]] = {}
        for row in rows:
            files.setdefault(row["file"], []).append(row)
        return files

    want = by_file([r for b in arrow_responses.response_batches(named) for r in b.to_pylist()])
    table = edi_spark.read_responses(spark, [str(payer), *map(str, outside)]).toArrow()
    assert [(f.name, str(f.type).replace("element", "item")) for f in table.schema] == [
        (f.name, str(f.type)) for f in arrow_responses.SCHEMA]
    assert by_file(table.to_pylist()) == want and sorted(want) == named
    claims = [r for r in table.to_pylist() if r["record"] == "ClaimStatus"]
    assert len(claims) == 26 + len(outside) and {r["status"] for r in claims} == {"accepted"} | ({"rejected"} if outside else set())
    assert all(r["trace"] for r in claims if r["file"].endswith("batch.277ca"))  # REF*D9: the way back

    out = tmp_path / "responses.parquet"
    code = edi_spark.main(["--responses", str(payer), *[arg for p in outside for arg in ("--responses", str(p))],
                           "--responses-out", str(out)])  # no PATH of 837s: the answers only
    total = sum(map(len, want.values()))
    assert capsys.readouterr().out.splitlines() == [
        f"{total} response records in {len(named)} files: {sum(r['status'] == 'accepted' for r in table.to_pylist())}"
        f" accepted, {len(outside)} rejected, 0 noted, {sum(r['kind'] == 'problem' for r in table.to_pylist())}"
        f" problems", f"wrote {total} response rows into {out}"]
    assert code == 0
    assert by_file(pq.read_table(out).to_pylist()) == want
    assert edi_spark.main(["--responses", str(payer), "--responses-out", str(out)]) == 2  # never overwritten
    assert f"error: {out}: not written: " in capsys.readouterr().err
    with pytest.raises(SystemExit):
        edi_spark.main(["--responses-out", str(tmp_path / "elsewhere")])  # no --responses: a usage error
