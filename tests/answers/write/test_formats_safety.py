"""`export` and `report` on hostile input (run in this process, with CliRunner): CSV cells that a
spreadsheet would run as formulas are written as text (OWASP "CSV injection"), a file name that is
not UTF-8 is written escaped in every format, and `-o` is written whole or not at all (never through
a link, never left truncated)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from pathlib import Path

import pytest
from builders import CLAIM, ISA, invoke
from conftest import FIXTURES
from lxml import etree

from edi837.answers.write import formats, records

FORMULA_ID = "@SUM(1+1)"
FORMULA_NAME = "=cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def formulas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A claim whose id and patient name are spreadsheet formulas, with a negative line charge."""
    text = (ISA + CLAIM).replace("CLM*OK1*", f"CLM*{FORMULA_ID}*").replace("NM1*IL*1*DOE*JANE", f"NM1*IL*1*{FORMULA_NAME}*JANE")
    text = text.replace("SV2*0540*HC:A0425:RH:QN*180*UN*12.5", "SV2*0540*HC:A0425:RH:QN*-180.50*UN*12.5")
    path = tmp_path_factory.mktemp("formulas") / "formulas.837"
    path.write_text(text)
    return path


def test_csv_cells_that_start_like_formulas_are_text(formulas: Path) -> None:
    res = invoke("export", "--format", "csv", "--today", "2026-11-22", str(formulas))
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == 2
    assert {r["claim_id"] for r in rows} == {"'" + FORMULA_ID}
    assert {r["patient_last"] for r in rows} == {"'" + FORMULA_NAME}
    assert [r["line_charge"] for r in rows] == ["950", "-180.50"]  # a plain number stays a number
    for row in rows:  # no cell at all starts like a formula, unless it is a plain number
        assert not [v for v in row.values() if v[:1] in ("=", "+", "@", "\t", "\r")], row
        assert all(v[:1] != "-" or formats.PLAIN_NUMBER.match(v) for v in row.values()), row


def test_json_and_xml_keep_the_raw_value(formulas: Path) -> None:
    doc = json.loads(invoke("export", "--format", "json", str(formulas)).stdout)
    assert doc["claims"][0]["claim_id"] == FORMULA_ID and doc["claims"][0]["patient"]["last"] == FORMULA_NAME
    xml = etree.fromstring(invoke("export", "--format", "xml", str(formulas)).stdout.encode())
    claim = formats.from_xml(xml.find("claim"), records.SHAPE)
    assert claim["claim_id"] == FORMULA_ID and claim["patient"]["last"] == FORMULA_NAME


@pytest.mark.parametrize(("cell", "shown"), [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-1+1", "'-1+1"), ("@A1", "'@A1"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("-12.50", "-12.50"), ("+3", "+3"), ("-", "'-"), ("-1e3", "'-1e3"), ("A=1", "A=1"), ("", ""),
])
def test_defused(cell: str, shown: str) -> None:
    assert formats.defused(cell) == shown


@pytest.fixture()
def non_utf8_folder(tmp_path: Path) -> Path:
    """A folder holding one valid 837 whose name is the bytes caf\\xe9.837 (Latin-1, not UTF-8)."""
    folder = tmp_path / "in"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.837"), "wb") as fh:
        fh.write(FIXTURES[0].read_bytes())
    return folder


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    """`edi837 ARGS` in this process (CliRunner; an exception is raised, not caught), as a finished process."""
    res = invoke(*args)
    return subprocess.CompletedProcess(["edi837", *args], res.exit_code, res.stdout_bytes, res.stderr_bytes)


@pytest.mark.parametrize("fmt", ["csv", "xml", "json"])
def test_export_of_a_non_utf8_file_name(non_utf8_folder: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    done = run("export", "--format", fmt, "-o", str(out), str(non_utf8_folder))
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    text = out.read_text(encoding="utf-8")  # whole and UTF-8
    if fmt == "json":  # as check shows the name
        assert json.loads(text)["claims"][0]["file"].endswith("caf\\udce9.837")
        assert json.loads(text)["files"][0]["path"].endswith("caf\\udce9.837")
    elif fmt == "xml":
        root = etree.fromstring(text.encode())
        assert root.find("claim/file").text.endswith("caf\\udce9.837") and root.find("summary") is not None
    else:
        assert next(csv.DictReader(io.StringIO(text)))["file"].endswith("caf\\udce9.837")
    assert set(os.listdir(tmp_path)) == {"in", out.name}  # no temporary left beside it


def test_report_of_a_non_utf8_file_name(non_utf8_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    done = run("report", "-o", str(out), str(non_utf8_folder))
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    page = out.read_text(encoding="utf-8")
    assert "caf\\udce9.837" in page and page.rstrip().endswith("</html>") and page.count("<article") == 1


def test_parse_json_of_a_non_utf8_file_name(non_utf8_folder: Path) -> None:
    done = run("parse", "--format", "json", str(non_utf8_folder))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["files"][0]["path"].endswith("caf\\udce9.837")


def test_a_failed_export_leaves_the_old_output_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    """A failure after the first claim (here a defect injected into the record builder, a pure module)
    leaves `-o` as it was: no truncated XML, no temporary beside it."""
    out = tmp_path / "claims.xml"
    out.write_text("the previous export\n")
    calls = []

    def failing(*args: object) -> records.Record:
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("disk on fire")
        return real(*args)  # type: ignore[arg-type]

    real = records.claim_record
    monkeypatch.setattr(records, "claim_record", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        invoke("export", "--format", "xml", "-o", str(out), *map(str, FIXTURES[:3]))
    assert len(calls) == 2
    assert out.read_text() == "the previous export\n" and os.listdir(tmp_path) == ["claims.xml"]


@pytest.mark.parametrize("command", [["export", "--format", "csv"], ["report"]])
def test_output_through_a_link_is_refused(tmp_path: Path, command: list[str]) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("not yours\n")
    link = tmp_path / "out"
    link.symlink_to(target)
    done = run(*command, "-o", str(link), str(FIXTURES[0]))
    assert done.returncode == 2 and b"a symbolic link" in done.stderr and b"Traceback" not in done.stderr
    assert target.read_text() == "not yours\n" and link.is_symlink()


def test_parquet_of_a_non_utf8_file_name(non_utf8_folder: Path, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "claims.parquet"
    done = run("export", "--format", "parquet", "-o", str(out), str(non_utf8_folder))
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    assert {f.endswith("caf\\udce9.837") for f in pq.read_table(out).column("file").to_pylist()} == {True}
    assert set(os.listdir(tmp_path)) == {"in", out.name}


@pytest.mark.parametrize("command", [["export", "--format", "xml"], ["report"]])
def test_output_that_cannot_be_written_is_one_line_and_exit_2(tmp_path: Path, command: list[str]) -> None:
    out = tmp_path / "no such folder" / "out"
    done = run(*command, "-o", str(out), str(FIXTURES[0]))
    assert done.returncode == 2 and b"Traceback" not in done.stderr, done.stderr
    assert f"cannot write {out}: No such file or directory".encode() in done.stderr
    assert os.listdir(tmp_path) == []
