"""The rule registry: every rule has a case, the clean claim and the fixtures pass every rule, and a
profile turns a rule off or changes its severity."""

from __future__ import annotations

import io

import pytest
from builders import BASE, CASES, MILES, TODAY, family, findings, swap
from conftest import FIXTURES

from edi837 import rules
from edi837.engine.pipeline import Checker, check_file, parse_stream


def test_every_rule_has_cases() -> None:
    assert set(CASES) == set(rules.REGISTRY)


def test_base_claim_is_clean() -> None:
    assert findings(BASE) == []


def test_profile_turns_a_rule_off_and_downgrades(tmp_path) -> None:
    p = tmp_path / "p.json"
    p.write_text('{"rules": {"AMB013": "off", "AMB001": "warning"}}')
    [claim] = list(parse_stream(io.BytesIO(swap("13:A:1", "11:A:1")(swap("CLM*OK1*1130*", "CLM*OK1*1200*")(BASE)).encode()), "t"))
    found = rules.run(claim, rules.load_profile(str(p)), rules.Context(today=TODAY))
    assert "AMB013" not in {f.rule for f in found}
    assert [f.severity for f in found if f.rule == "AMB001"] == ["warning"]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixtures_are_accepted_with_zero_errors(path) -> None:
    result = check_file(str(path), Checker(rules.load_profile(), rules.Context(today=TODAY)))
    assert result.error is None
    assert result.claims and all(c.status == "accepted" for c in result.claims)
    assert not [f for c in result.claims for f in c.all_findings if f.is_error]
    assert all(t.ack == "A" for t in result.transactions)


def test_a_warning_only_claim_is_accepted() -> None:
    text = swap(MILES, "HC:A0425:RH:QN*180*UN*12.25")(BASE)
    path_findings = findings(text)
    assert path_findings and all(not f.is_error for f in path_findings)


def test_every_rule_with_a_case_is_in_one_family() -> None:
    families = ("ambulance", "coverage", "billing", "codesets")
    assert sorted(r for module in families for r in family(module)) == sorted(CASES)
