"""What `check` prints: `check --format json` output matches schemas/check-report.schema.json, and
its per-claim JSON is exactly what json.dumps writes.

The schema uses a small part of JSON Schema (type, enum, pattern, minimum, required, properties, items, and
$ref into $defs); `conforms` checks exactly that part, so the test needs no schema library.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from builders import CLAIM, ELEMENT_TEXT, ISA, mutants
from click.testing import CliRunner
from conftest import FIXTURES, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from edi837.answers.write.report import finding_dict
from edi837.cli import main
from edi837.findings import CLAIM as CLAIM_SCOPE
from edi837.findings import ERROR, TRANSACTION, WARNING, Finding

SCHEMA = json.loads((ROOT / "schemas" / "check-report.schema.json").read_text())
TYPES = {"string": str, "integer": int, "array": list, "object": dict, "null": type(None)}


def conforms(value: object, schema: dict, where: str = "$") -> list[str]:
    """What in `value` breaks `schema` (empty when nothing does)."""
    if "$ref" in schema:
        schema = SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    wrong: list[str] = []
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(isinstance(value, TYPES[t]) and not (t == "integer" and isinstance(value, bool)) for t in types):
            return [f"{where}: {value!r} is not {'/'.join(types)}"]
    if "enum" in schema and value not in schema["enum"]:
        wrong.append(f"{where}: {value!r} not in {schema['enum']}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        wrong.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if "minimum" in schema and isinstance(value, int) and value < schema["minimum"]:
        wrong.append(f"{where}: {value!r} is below {schema['minimum']}")
    if isinstance(value, dict):
        wrong += [f"{where}: missing {k!r}" for k in schema.get("required", []) if k not in value]
        for k, sub in schema.get("properties", {}).items():
            if k in value:
                wrong += conforms(value[k], sub, f"{where}.{k}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            wrong += conforms(item, schema["items"], f"{where}[{i}]")
    return wrong


def report(*paths: Path) -> dict:
    result = CliRunner().invoke(main, ["check", "--format", "json", *map(str, paths)])
    return json.loads(result.stdout)


def test_the_check_is_not_vacuous() -> None:
    assert conforms({"files": [{"path": 1}]}, SCHEMA) == [
        "$: missing 'tool'", "$: missing 'tool_version'", "$: missing 'schema_version'",
        "$: missing 'summary'", "$.files[0]: missing 'error'", "$.files[0]: missing 'transactions'",
        "$.files[0]: missing 'claims'", "$.files[0].path: 1 is not string"]


def test_fixtures_report_conforms() -> None:
    assert conforms(report(*FIXTURES), SCHEMA) == []


@pytest.mark.parametrize("i,data", list(enumerate(mutants(30, 21))))
def test_rejections_and_unreadable_files_conform(tmp_path: Path, i: int, data: bytes) -> None:
    path = tmp_path / "m.837"
    path.write_bytes(data)
    broken = tmp_path / "broken.837"
    broken.write_bytes(data[: len(data) // 2])
    assert conforms(report(path, broken), SCHEMA) == []


@settings(max_examples=40, deadline=None)
@given(claim_id=ELEMENT_TEXT, total=st.sampled_from(["1130", "1130.00", "99", ""]))
def test_check_report_claim_json_is_what_json_dumps_writes(claim_id: str, total: str) -> None:
    """check's per-claim JSON (an f-string) is what json.dumps writes, findings included: a total
    that does not balance, or none, and claim ids of odd characters give the claim findings with
    quotes and escapes of their own."""
    from edi837.answers.write import report
    from edi837.engine.pipeline import Checker
    from edi837.engine.results import TransactionResult
    from edi837.rules import Context, load_profile

    text = (ISA + CLAIM).replace("CLM*OK1*1130*", f"CLM*{claim_id}*{total}*")
    checker = Checker(load_profile(), Context(today=dt.date(2026, 11, 23)))
    sets = [r for r in checker.run(io.BytesIO(text.encode("latin-1")), "inline.837") if isinstance(r, TransactionResult)]
    [c] = list(sets[0].claims)
    out = report.claim_json(c)
    data = json.loads(out)
    assert out == json.dumps(data)
    assert data["claim_id"] == claim_id and data["total_charge"] == (total or None)
    assert data["status"] == c.status and (data["findings"] or total not in ("99", ""))  # unbalanced: a finding


def test_where_says_which_line_it_means() -> None:
    """"line" alone meant the service line in `check` and the file line in the report: now each says which."""
    from edi837.answers.write.report import where
    from edi837.findings import Finding

    f = Finding("AMB006", "error", "m", loop="2400", segment="SV2", position=28, line=31, element="SV205", lx="2")
    assert where(f) == "loop 2400, SV2 (segment 28, file line 31), SV205, service line 2"
    one_line = Finding("AMB006", "error", "m", loop="2400", segment="SV2", position=28, line=1, element="SV205", lx="2")
    assert where(one_line) == "loop 2400, SV2 (segment 28), SV205, service line 2"


def test_claims_phrase_always_names_the_rejected() -> None:
    from edi837.answers.write.report import claims_phrase

    assert claims_phrase(1, 0) == "1 claim: 0 accepted, 1 rejected"
    assert claims_phrase(2, 2) == "2 claims: 2 accepted, 0 rejected"
    assert claims_phrase(0, 0) == "0 claims: 0 accepted, 0 rejected"


def test_check_and_ack_say_service_line_and_rejected(tmp_path: Path) -> None:
    """The README's bad-mileage walk-through: the finding names service line 2, and ack's line for the
    file says how many claims were rejected, in the words check uses."""
    fixture = next(p for p in FIXTURES if p.name == "bls-emergency.837")
    bad = tmp_path / "bad-mileage.837"
    bad.write_text(fixture.read_text().replace("UN*8~", "UN*0~"))
    res = CliRunner().invoke(main, ["check", str(bad)])
    assert res.exit_code == 1
    assert 'loop 2400, SV2 (segment 28), SV205, service line 2 value "0"' in res.output
    res = CliRunner().invoke(main, ["ack", str(bad), "--out", str(tmp_path / "out"), "--fixed-time", "202611221200"])
    assert res.exit_code == 1
    assert res.output.splitlines()[0] == f"{bad}: 1 claim: 0 accepted, 1 rejected"


def test_a_guide_error_on_the_pickup_zip_gets_a_zip_fix(tmp_path: Path) -> None:
    """X12-IK4-6 on value code A0's amount: the fix speaks of the ZIP, not of "a decimal number such as
    125.50"; on a money element (CLM02) the decimal fix stays."""
    fixture = next(p for p in FIXTURES if p.name == "bls-emergency.837")
    bad = tmp_path / "badzip.837"
    bad.write_text(fixture.read_text().replace("BE:A0:::62704", "BE:A0:::6270X"))
    found = json.loads(CliRunner().invoke(main, ["check", "--format", "json", str(bad)]).output)
    [ik4] = [f for f in found["files"][0]["claims"][0]["findings"] if f["rule"] == "X12-IK4-6"]
    assert ik4["element"] == "HI01-05" and "pick-up ZIP" in ik4["fix"] and "125.50" not in ik4["fix"]
    money = tmp_path / "badcharge.837"
    money.write_text(fixture.read_text().replace("CLM*AMB-BLS--002*716", "CLM*AMB-BLS--002*71X"))
    found = json.loads(CliRunner().invoke(main, ["check", "--format", "json", str(money)]).output)
    fixes = [f["fix"] for f in found["files"][0]["claims"][0]["findings"] if f["rule"] == "X12-IK4-6"]
    assert fixes and all("125.50" in fix for fix in fixes)


KEYS = ["rule", "severity", "message", "scope", "loop", "segment", "position", "line", "element", "lx",
        "value", "fix", "stc", "ik3", "ik4"]


def test_finding_dict_gives_every_key_with_none_for_what_is_unknown() -> None:
    f = Finding(rule="AMB006", severity=WARNING, message="m")
    d = finding_dict(f)
    assert list(d) == KEYS
    assert d == {"rule": "AMB006", "severity": "warning", "message": "m", "scope": CLAIM_SCOPE, "loop": None,
                 "segment": None, "position": None, "line": None, "element": None, "lx": None, "value": "",
                 "fix": None, "stc": [], "ik3": None, "ik4": None}
    assert json.loads(json.dumps(d)) == d


def test_finding_dict_carries_where_and_how_to_answer() -> None:
    f = Finding(rule="X12-IK4-7", severity=ERROR, message="not a code", scope=TRANSACTION, loop="2400",
                segment="SV2", position=31, line=4, element="SV201", lx="2", value="9999", fix="use 0540",
                stc=("A7:562:71", "A3:21"), ik3="8", ik4="7", file="a.837", claim_id="OK1", offset=120)
    d = finding_dict(f)
    assert d["loop"] == "2400" and d["segment"] == "SV2" and d["position"] == 31 and d["line"] == 4
    assert d["element"] == "SV201" and d["lx"] == "2" and d["value"] == "9999" and d["fix"] == "use 0540"
    assert d["stc"] == ["A7:562:71", "A3:21"] and d["ik3"] == "8" and d["ik4"] == "7"
    assert "file" not in d and "claim_id" not in d and "offset" not in d  # said once per file and claim
