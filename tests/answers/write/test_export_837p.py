"""`edi837 export` on the 837P and on a mixed 837I + 837P interchange (issue 25): every format carries
`claim_type` and the 837P's own data, held against an independent reading of the fixtures (a few
lines of segment splitting below, not the engine); 837I claims keep every new key null (CSV: empty);
the JSON validates against its schema, the XML against its XSD and reads back as the JSON, and the
Parquet rows carry the same; a consumer tells the new shape by its schema version."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from builders import invoke
from conftest import ROOT
from lxml import etree

from edi837.answers.write import formats, records
from edi837.answers.write.professional import LINE_KEYS

SCHEMAS = resources.files("edi837") / "schemas"
TODAY = "2026-11-01"
MIXED = ROOT / "fixtures" / "mixed-837i-837p.837"
PROFESSIONAL = sorted((ROOT / "fixtures").glob("837p-*.837"))
PATHS = [MIXED, *PROFESSIONAL]


def export(fmt: str, *paths: Path, out: Path | None = None) -> str:
    res = invoke("export", "--format", fmt, "--today", TODAY, *(["-o", str(out)] if out else []), *map(str, paths))
    assert res.exit_code in (0, 1), res.output
    return res.stdout


# -- an independent reader of the fixtures: segments by "~", elements by "*", components by ":" --------

def _loc(segment: list[str]) -> str | None:
    return {"PW": "pickup", "45": "dropoff"}.get(segment[1]) if segment[0] == "NM1" else None


def _el(segment: list[str], n: int) -> str:
    return segment[n] if len(segment) > n else ""


def read_fixture(path: Path) -> list[dict]:
    """Each claim of `path`: its id, its type (by its group's GS08), and what the 837P says of each line,
    each loop's own values, the line's falling back on the claim's as the guide says (2420G/H over
    2310E/F), read straight from the segments."""
    claims: list[dict] = []
    claim_type, claim, line, where = "", None, None, None
    for text in path.read_text(encoding="latin-1").replace("\n", "").split("~"):
        seg = text.split("*")
        tag = seg[0]
        if tag == "GS":
            claim_type = {"005010X222A1": "837P", "005010X223A2": "837I"}[seg[8]]
        elif tag == "CLM":
            claim = {"claim_id": seg[1], "claim_type": claim_type, "pos": seg[5].split(":")[0], "lines": [],
                     "pickup": None, "dropoff": None}
            claims.append(claim)
            line = where = None
        elif tag == "LX" and claim is not None:
            line = {"lx": seg[1], "pickup": None, "dropoff": None, "cr1": None, "qty": None, "pos": "", "emg": ""}
            claim["lines"].append(line)
            where = None
        elif tag == "NM1":
            where = _loc(seg)
        elif tag == "N4" and where is not None and claim is not None:
            (line if line is not None else claim)[where] = _el(seg, 3) or None
        elif tag == "CR1" and line is not None:
            line["cr1"] = _el(seg, 6) or None
        elif tag == "QTY" and line is not None and seg[1] == "PT":
            line["qty"] = seg[2]
        elif tag == "SV1" and line is not None:
            line["pos"], line["emg"] = _el(seg, 5), _el(seg, 9)
    return claims


def zip5(n403: str | None) -> str | None:
    """The ZIP that prices a trip: 5 digits of a 5- or 9-digit N403."""
    return n403[:5] if n403 and len(n403) in (5, 9) and n403.isdigit() else None


def expected_line(claim: dict, line: dict) -> dict:
    if claim["claim_type"] == "837I":
        return dict.fromkeys(LINE_KEYS)
    return {"place_of_service": line["pos"] or claim["pos"], "emergency": line["emg"] == "Y",
            "pickup_zip": zip5(line["pickup"] or claim["pickup"]),
            "dropoff_zip": zip5(line["dropoff"] or claim["dropoff"]),
            "cr1_miles": line["cr1"], "patient_count": line["qty"]}


@pytest.fixture(scope="module")
def exported() -> dict:
    doc = json.loads(export("json", *PATHS))
    jsonschema.validate(doc, json.loads((SCHEMAS / "export.schema.json").read_text()))
    return doc


@pytest.fixture(scope="module")
def fixtures_read() -> list[dict]:
    return [c for p in PATHS for c in read_fixture(p)]


def test_json_carries_claim_type_and_each_lines_837p_data(exported: dict, fixtures_read: list[dict]) -> None:
    assert exported["schema_version"] == "1.1"  # 1.0 had neither claim_type nor the 837P keys
    claims = exported["claims"]
    assert [(c["claim_id"], c["claim_type"]) for c in claims] == [(c["claim_id"], c["claim_type"])
                                                                    for c in fixtures_read]
    assert {c["claim_type"] for c in claims} == {"837I", "837P"}
    for got, want in zip(claims, fixtures_read, strict=True):
        assert [ln["lx"] for ln in got["lines"]] == [ln["lx"] for ln in want["lines"]], got["claim_id"]
        for ln, src in zip(got["lines"], want["lines"], strict=True):
            assert {k: ln[k] for k in LINE_KEYS} == expected_line(want, src), (got["claim_id"], ln["lx"])
        trip = got["ambulance"]
        if got["claim_type"] == "837I":  # the 837P keys of the ambulance view are empty on an 837I
            assert trip["place_of_service"] is None and trip["cr1_miles"] is None and trip["conditions"] == []
        else:
            assert trip["place_of_service"] == want["pos"]
    # what the fixtures cover: a trip whose lines have their own 2420G/2420H, line CR1s, patients
    lines = [ln for c in claims for ln in c["lines"]]
    trips = {(ln["pickup_zip"], ln["dropoff_zip"]) for c in claims if c["claim_id"] == "AMB-P-MULTI-01" for ln in c["lines"]}
    assert len(trips) == 2  # lines 3-4 have their own 2420G/2420H
    assert any(ln["cr1_miles"] for ln in lines) and any(ln["patient_count"] for ln in lines)
    assert {ln["emergency"] for ln in lines} == {True, False, None}


def test_csv_has_the_columns_and_leaves_them_empty_on_837i(exported: dict) -> None:
    rows = list(csv.DictReader(io.StringIO(export("csv", *PATHS))))
    lines = [(c, ln) for c in exported["claims"] for ln in c["lines"]]
    assert len(rows) == len(lines)
    new = ["claim_type", *(f"line_{k}" for k in LINE_KEYS)]
    assert set(new) <= set(rows[0])
    for row, (claim, ln) in zip(rows, lines, strict=True):
        assert (row["claim_id"], row["claim_type"], row["line_lx"]) == (claim["claim_id"], claim["claim_type"], ln["lx"])
        for k in LINE_KEYS:
            value = ln[k]
            assert row[f"line_{k}"] == ("" if value is None else str(value).lower() if isinstance(value, bool)
                                        else value), (claim["claim_id"], k)
        if claim["claim_type"] == "837I":
            assert all(row[c] == "" for c in new[1:]) and row["ambulance_place_of_service"] == ""


def test_xml_validates_and_reads_back_as_the_json(exported: dict) -> None:
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / "export.xsd")))
    root = etree.fromstring(export("xml", *PATHS).encode())
    xsd.assertValid(root)
    assert root.get("schema_version") == "1.1"
    assert [formats.from_xml(e, records.SHAPE) for e in root.iter("claim")] == exported["claims"]
    root.find("claim").find("claim_type").text = "837Q"
    assert not xsd.validate(root)  # the schema knows the two claim types


def test_parquet_carries_the_same(exported: dict, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "claims.parquet"
    export("parquet", *PATHS, out=out)
    table = pq.read_table(out)
    assert table.schema.metadata[b"edi837.schema"] == b"claims-arrow-v3"
    assert table.schema.metadata[b"edi837.record_schema"] == b"1.1"
    claims = [r for r in table.to_pylist() if r["kind"] == "claim"]
    assert [(c["claim_id"], c["claim_type"]) for c in claims] == [(c["claim_id"], c["claim_type"])
                                                                    for c in exported["claims"]]
    for row, want in zip(claims, exported["claims"], strict=True):
        assert [{k: ln[k] for k in LINE_KEYS} for ln in row["lines"]] == [{k: ln[k] for k in LINE_KEYS}
                                                                            for ln in want["lines"]]
        assert row["ambulance"] == want["ambulance"]
