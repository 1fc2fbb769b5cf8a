"""The rule registry: every rule has a case, the clean claim and the fixtures pass every rule, and a
profile turns a rule off or changes its severity."""

from __future__ import annotations

import io

import pytest
from builders import BASE, CASES, MILES, TODAY, family, findings, swap
from conftest import FIXTURES
from professional import BASE_P, MILES_P, p_cases, p_swap

from edi837 import rules
from edi837.engine.pipeline import Checker, check_file, parse_stream
from edi837.errors import ProfileError


def test_every_rule_has_cases() -> None:
    """Every rule has a case: the 837I rules on the clean 837I claim, the 837P rules on the clean 837P claim."""
    assert not set(CASES) & set(p_cases())
    assert set(CASES) | set(p_cases()) == set(rules.REGISTRY)
    assert {r for r in p_cases() if rules.REGISTRY[r].claim_types == ("837P",)} == set(p_cases())


def test_a_rule_judges_only_its_claim_types() -> None:
    """The 837I rules never run on an 837P claim nor the 837P rules on an 837I claim; the identifier and
    code-form rules (NPI, MBI, TIN, taxonomy, ICD-10, HCPCS form, PO Box) run on both."""
    both = {r.id for r in rules.REGISTRY.values() if r.claim_types == ("837I", "837P")}
    assert both == {"NPI001", "MBI001", "TIN001", "COD005", "COD010", "COD011", "AMB024"}
    profile = rules.load_profile()
    for kind in ("837I", "837P"):
        assert {a.id for a in profile.by_type[kind]} == {
            r.id for r in rules.REGISTRY.values() if kind in r.claim_types and profile.level(r) != "off"}
    assert findings(BASE) == [] and findings(BASE_P) == []


def test_a_profile_sets_a_switched_sub_case_apart_from_its_rule(tmp_path) -> None:
    """Zero mileage units on an 837P line are a warning (Part B defaults missing mileage to 0.1); a payer
    may make them an error ("AMBP017.zero") without raising the rest of AMBP017; an unknown switch is
    refused when the profile is loaded."""
    zero = p_swap(MILES_P, "SV1*HC:A0425:RH*180*UN*0***1")(BASE_P)
    assert [f.severity for f in findings(zero) if f.rule == "AMBP017"] == ["warning"]
    strict = tmp_path / "strict.json"
    strict.write_text('{"rules": {"AMBP017.zero": "error"}}')
    checker = Checker(rules.load_profile(str(strict)), rules.Context(today=TODAY))
    [tx] = [t for t in checker.run(io.BytesIO(zero.encode()), "t.837") if hasattr(t, "claims")]
    [claim] = list(tx.claims)
    [f] = [f for f in claim.findings if f.rule == "AMBP017"]
    assert f.severity == "error" and f.stc == ("A7:267", "A7:476") and claim.status == "rejected"
    bad = tmp_path / "bad.json"
    bad.write_text('{"rules": {"AMBP017.nope": "error"}}')
    with pytest.raises(ProfileError, match="AMBP017.nope"):
        rules.load_profile(str(bad))


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
    assert {rules.REGISTRY[r].family for r in p_cases()} == {"transport", "locations", "conditions", "modifiers", "units"}
