"""The library API: check and parse over a path, bytes or a binary stream give the same answers."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

import edi837
from edi837 import rules
from edi837.pipeline import Checker, check_file

TODAY = dt.date(2026, 11, 22)


def verdicts(result) -> list[tuple[str, str, list[str]]]:
    return [(c.claim.claim_id, c.status, [f.rule for f in c.all_findings]) for c in result.claims]


@pytest.mark.parametrize("path", FIXTURES[:4], ids=lambda p: p.name)
def test_check_path_bytes_and_stream_agree_with_the_pipeline(path: Path) -> None:
    want = verdicts(check_file(str(path), Checker(rules.load_profile(), rules.Context(today=TODAY))))
    assert want
    assert verdicts(edi837.check(path, today=TODAY)) == want
    assert verdicts(edi837.check(path.read_bytes(), today=TODAY)) == want
    with open(path, "rb") as fh:
        assert verdicts(edi837.check(fh, today=TODAY)) == want


def test_check_reports_unreadable_input_instead_of_raising(tmp_path: Path) -> None:
    assert "not an X12 interchange" in str(edi837.check(b"hello").error)
    missing = edi837.check(tmp_path / "nothing.837")
    assert "cannot open" in str(missing.error) and missing.claims == []


def test_check_with_a_profile_that_switches_a_rule_off(tmp_path: Path) -> None:
    data = (ROOT / "fixtures" / "bls-emergency.837").read_bytes().replace(b"*716.00*", b"*717.00*")  # out of balance
    assert [c.status for c in edi837.check(data, today=TODAY).claims] == ["rejected"]
    profile = tmp_path / "p.json"
    profile.write_text('{"rules": {"AMB013": "off"}}')
    assert [c.status for c in edi837.check(data, profile=str(profile), today=TODAY).claims] == ["accepted"]


def test_parse_yields_claims_and_raises_located_errors() -> None:
    claims = list(edi837.parse(io.BytesIO(FIXTURES[0].read_bytes())))
    assert claims and all(c.claim_id for c in claims)
    with pytest.raises(edi837.EdiError, match="byte 0"):
        list(edi837.parse(b"hello", name="x.837"))


def test_version() -> None:
    assert edi837.__version__ and edi837.__version__[0].isdigit()
