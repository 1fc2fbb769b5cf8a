"""The finding model: what every writer reads, the plain data the JSON report carries, and the line
of its segment in the file that every finding carries."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from builders import BATCH, LF, check, cli, edit, findings_of
from conftest import ROOT

from edi837.findings import ERROR, WARNING, Finding


def test_only_an_error_is_an_error() -> None:
    assert Finding(rule="R", severity=ERROR, message="m").is_error
    assert not Finding(rule="R", severity=WARNING, message="m").is_error


def line_of(text: str, start: str) -> int:
    """The 1-based line of the first segment starting with `start`."""
    [n] = [i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith(start)]
    return n


@pytest.mark.parametrize("name", ["lf-lines.837", "crlf.837"])
def test_findings_carry_the_line_of_their_segment(name: str, tmp_path: Path) -> None:
    text = (ROOT / "fixtures" / name).read_bytes().decode()
    text = re.sub(r"SV2\*0540\*HC:A0425:([A-Z:]*)\*([0-9.]+)\*UN\*[0-9.]+", r"SV2*0540*HC:A0425:\1*\2*UN*8.123",
                  text, count=1)  # AMB006: mileage with three decimals
    text = re.sub(r"\nSE\*[0-9]+", "\nSE*99", text)  # and the set is rejected
    found = findings_of(check(text))
    sv2 = [f for f in found if f.rule == "AMB006"]
    se = [f for f in found if f.rule == "X12-ENV-TR4"]
    assert sv2 and se
    assert {f.line for f in sv2} == {line_of(text, "SV2*0540*HC:A0425")}
    assert {f.line for f in se} == {line_of(text, "SE*")}
    path = tmp_path / name
    path.write_bytes(text.encode())
    _, out = cli("check", str(path))
    assert f"SV2 (segment {sv2[0].position}, file line {sv2[0].line})" in out
    _, out = cli("check", "--format", "json", str(path))
    doc = json.loads(out)
    entry = doc["files"][0]
    lines = {(f["rule"], f["line"]) for c in entry["claims"] for f in c["findings"]}
    lines |= {(f["rule"], f["line"]) for t in entry["transactions"] for f in t["findings"]}
    assert ("AMB006", sv2[0].line) in lines and ("X12-ENV-TR4", se[0].line) in lines


def test_a_file_without_line_breaks_shows_no_line_in_text(tmp_path: Path) -> None:
    path = tmp_path / "one-line.837"
    path.write_text(edit(BATCH, "N4*SPRINGFIELD*IL*627690001", "N4*SPRINGFIELD*IL*62769"))
    _, out = cli("check", str(path))
    assert "N4 (segment 10), N403" in out and ", line " not in out
    _, out = cli("check", "--format", "json", str(path))
    assert {f["line"] for f in json.loads(out)["files"][0]["transactions"][0]["findings"]} == {1}


def test_a_structure_error_is_located_at_the_line_where_it_was_found() -> None:
    text = edit(LF, "CL1*1*1*01~\n", "")  # CL1 missing: reported at the next segment, HI
    [f] = [f for f in findings_of(check(text)) if f.rule == "X12-IK3-3"]
    assert f.segment == "CL1" and f.line == line_of(text, "HI*ABK")
