"""`edi837 export`: every fixture's JSON and XML validate against their schemas (jsonschema, lxml's
XSD), the XML read back gives the same claims, the CSV loads into one row per service line; the
schemas are generated from the record's shape, ship in the package, and `schemas/` is them."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from builders import CASES, CLAIM, ISA, invoke
from conftest import FIXTURES, ROOT
from lxml import etree

from edi837.answers.write import formats, records

SCHEMAS = resources.files("edi837") / "schemas"


def export(fmt: str, *paths: Path) -> str:
    res = invoke("export", "--format", fmt, "--today", "2026-11-22", *map(str, paths))
    assert res.exit_code in (0, 1), res.output
    return res.stdout


@pytest.fixture(scope="module")
def rejected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Claims that rules reject, and a patient whose name is markup."""
    base = ISA + CLAIM
    parts = [CASES[rule][0](base) for rule in ("AMB006", "AMB003", "COD005")]
    parts.append(base.replace("NM1*IL*1*DOE*JANE", "NM1*IL*1*<SCRIPT>&*JANE\"'"))
    path = tmp_path_factory.mktemp("rej") / "rejected.837"
    path.write_text("\n".join(parts))
    return path


def test_schemas_are_generated_from_the_shape_and_shipped() -> None:
    for name, text in formats.schema_files().items():
        assert (SCHEMAS / name).read_text() == text, f"{name} is stale: python -m edi837.answers.write.formats"
    assert (ROOT / "schemas").resolve() == (ROOT / "edi837" / "schemas").resolve()  # one copy
    assert (SCHEMAS / "check-report.schema.json").is_file()


def test_json_export_validates_and_carries_versions(rejected: Path) -> None:
    schema = json.loads((SCHEMAS / "export.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    doc = json.loads(export("json", *FIXTURES, rejected))
    jsonschema.validate(doc, schema)
    assert doc["tool"] == "edi837" and doc["schema_version"] == records.SCHEMA_VERSION and doc["tool_version"]
    assert len(doc["claims"]) == doc["summary"]["claims"] == 46 + 17 + 4  # the fixtures' 837I and 837P, the 4 above
    assert [c["claim_type"] for c in doc["claims"]].count("837P") == 17
    bad = [c for c in doc["claims"] if c["status"] == "rejected"]
    assert len(bad) == 3
    assert {f["rule"] for c in bad for f in c["findings"] if f["severity"] == "error"} >= {"AMB003", "AMB006", "COD005"}
    assert all(f["source"] for c in doc["claims"] for f in c["findings"])
    trip = doc["claims"][-1]["ambulance"]
    assert trip["trip"] == "Residence \u2192 Hospital" and trip["level"] == "ALS emergency" and trip["emergency"]
    assert doc["claims"][-1]["patient"]["last"] == "<SCRIPT>&"
    broken = dict(doc["claims"][0], status="maybe")
    with pytest.raises(jsonschema.ValidationError):  # the schema can fail
        jsonschema.validate(dict(doc, claims=[broken]), schema)


def test_xml_export_validates_and_reads_back_as_the_same_claims(rejected: Path) -> None:
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / "export.xsd")))
    paths = [*FIXTURES, rejected]
    root = etree.fromstring(export("xml", *paths).encode())
    xsd.assertValid(root)
    assert root.get("schema_version") == records.SCHEMA_VERSION
    claims = [formats.from_xml(e, records.SHAPE) for e in root.iter("claim")]
    assert claims == json.loads(export("json", *paths))["claims"]
    assert root.find("summary").get("claims") == str(len(claims))
    root.find("claim").find("status").text = "maybe"
    assert not xsd.validate(root)  # the schema can fail


def test_csv_export_is_one_row_per_service_line(rejected: Path) -> None:
    paths = [*FIXTURES, rejected]
    rows = list(csv.DictReader(io.StringIO(export("csv", *paths))))
    claims = json.loads(export("json", *paths))["claims"]
    assert len(rows) == sum(max(1, len(c["lines"])) for c in claims)
    first = claims[0]
    for row, line in zip(rows, first["lines"], strict=False):
        assert row["claim_id"] == first["claim_id"] and row["line_lx"] == line["lx"]
        assert row["line_procedure_code"] == line["procedure_code"] and row["total_charge"] == first["total_charge"]
        assert row["patient_last"] == first["patient"]["last"] and row["ambulance_trip"] == first["ambulance"]["trip"]
    assert {r["finding_rules"] for r in rows if r["status"] == "rejected"} >= {"AMB006", "AMB003"}


def test_output_file_is_private(tmp_path: Path) -> None:
    out = tmp_path / "claims.json"
    res = invoke("export", "--format", "json", "-o", str(out), str(FIXTURES[0]))
    assert res.exit_code == 0 and stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert json.loads(out.read_text())["summary"]["claims"] == 1


def test_check_json_carries_versions_first() -> None:
    res = invoke("check", "--format", "json", str(FIXTURES[0]))
    assert res.stdout.startswith('{"tool": "edi837", "tool_version": ')
    doc = json.loads(res.stdout)
    assert doc["schema_version"] == records.SCHEMA_VERSION
    jsonschema.validate(doc, json.loads((SCHEMAS / "check-report.schema.json").read_text()))


def test_unreadable_file_is_a_located_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.837"
    bad.write_text("hello")
    res = invoke("export", "--format", "json", str(bad))
    assert res.exit_code == 2 and "Traceback" not in res.output
    doc = json.loads(res.stdout)
    assert doc["files"][0]["error"] and doc["claims"] == []


def test_csv_money_is_the_amount_as_written(tmp_path) -> None:
    """Issue 22: CSV money cells are the 837's amount as written (CLM02 `716.00`, SV203 `96.00`; `716` stays `716`): plain
    decimal text, no currency sign or thousands separator, exact (no float ever made it), so
    `decimal.Decimal(cell)` reads it back and the lines sum to the claim's total; empty when absent."""
    import decimal

    from click.testing import CliRunner
    from conftest import ROOT

    from edi837.cli import main

    fixture = ROOT / "fixtures" / "bls-emergency.837"
    res = CliRunner().invoke(main, ["export", "--format", "csv", str(fixture)])
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [r["total_charge"] for r in rows] == ["716.00", "716.00"]
    assert [r["line_charge"] for r in rows] == ["620.00", "96.00"] and {r["line_non_covered"] for r in rows} == {""}
    assert sum(decimal.Decimal(r["line_charge"]) for r in rows) == decimal.Decimal(rows[0]["total_charge"])


def test_schemas_say_which_line_line_and_lx_are() -> None:
    """Issue 22: the keys keep their names; the schemas say `line` is the file line, `lx` the service line."""
    from conftest import ROOT

    export = json.loads((ROOT / "schemas" / "export.schema.json").read_text())
    claim = export["properties"]["claims"]["items"]["properties"]
    for props in (claim, claim["lines"]["items"]["properties"], claim["findings"]["items"]["properties"]):
        assert props["line"]["description"].startswith("file line")
    for props in (claim["lines"]["items"]["properties"], claim["findings"]["items"]["properties"]):
        assert props["lx"]["description"].startswith("service line")
    check = json.loads((ROOT / "schemas" / "check-report.schema.json").read_text())["$defs"]["finding"]["properties"]
    assert check["line"]["description"].startswith("file line") and check["lx"]["description"].startswith("service line")
