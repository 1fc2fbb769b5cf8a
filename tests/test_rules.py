"""Every rule: a claim that fires it and a near miss that must not. Fixtures stay clean."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from conftest import FIXTURES
from test_claims import CLAIM, ISA

from edi837 import rules
from edi837.pipeline import Checker, check_file, parse_stream

TODAY = dt.date(2026, 11, 22)
BASE = ISA + CLAIM


def findings(text: str) -> list:
    [claim] = list(parse_stream(io.BytesIO(text.encode()), "t.837"))
    return rules.run(claim, rules.load_profile(), rules.Context(today=TODAY))


def swap(old: str, new: str):
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new)
    return edit


MILES = "HC:A0425:RH:QN*180*UN*12.5"
BASE_LINE = "HC:A0427:RH:QN*950*UN*1"
# rule -> (edit that fires it, near-miss edit that must not)
CASES = {
    "AMB001": (swap("13:A:1", "11:A:1"), swap("13:A:1", "85:A:1")),
    "AMB002": (swap("SV2*0540*HC:A0427", "SV2*0450*HC:A0427"), swap("SV2*0540*HC:A0427", "SV2*0540*HC:A0427")),
    "AMB003": (swap(BASE_LINE, "HC:A0427:RH*950*UN*1"), swap(BASE_LINE, "HC:A0427:RH:QM*950*UN*1")),
    "AMB004": (swap(BASE_LINE, "HC:A0427:QN*950*UN*1"), swap(BASE_LINE, "HC:A0427:QL:QN*950*UN*1")),
    "AMB005": (swap(BASE_LINE, "HC:A0427:RH:QN*950*UN*2"), swap(BASE_LINE, "HC:A0427:RH:QN*950*UN*1.0")),
    "AMB006": (swap(MILES, "HC:A0425:RH:QN*180*UN*12.55"), swap(MILES, "HC:A0425:RH:QN*180*UN*0.9")),
    "AMB007": (swap("HC:A0427:", "HC:A0431:"), swap("HC:A0427:", "HC:A0433:")),
    "AMB008": (swap("HI*BE:A0:::2134*BE:32:::2~", "HI*BE:32:::2~"), swap("BE:A0:::2134", "BE:A0:::627041234")),
    "AMB009": (swap("BE:32:::2", "BE:32:::1"), swap("BE:32:::2", "BE:32:::3")),
    "AMB010": (lambda t: swap("NM1*71*1*SMITH*ANN****XX*1234567893~", "")(t.replace("HC:A0427:", "HC:A0428:")),
               swap("NM1*71*1*SMITH*ANN****XX*1234567893~", "")),
    "AMB011": (swap("DTP*472*D8*20260914~REF", "DTP*472*D8*20260920~REF"),
               swap("DTP*472*D8*20260914~REF", "DTP*472*D8*20260915~REF")),
    "AMB012": (swap(MILES, "HC:A0425:RH:QN*0*UN*12.5"), swap(MILES, "HC:A0425:RH:QN*1.00*UN*12.5")),
    "AMB013": (swap("CLM*OK1*1130*", "CLM*OK1*1200*"), swap("CLM*OK1*1130*", "CLM*OK1*1130.00*")),
    "AMB014": (swap(MILES, "HC:A0888:RH:QN*180*UN*12.5"), swap(MILES, "HC:A0888:RH:GY:QN*180*UN*12.5**180")),
    "AMB015": (swap(MILES, "HC:A0390:RH:QN*180*UN*12.5"), swap(MILES, "HC:A0425:RH:QN*180*UN*12.5")),
    "AMB016": (swap(BASE_LINE, "HC:A0427:RH:GA:QN*950*UN*1**950"), swap(BASE_LINE, "HC:A0427:RH:GY:QN*950*UN*1**950")),
    "AMB017": (swap("HI*BG:AM", "HI*BG:B2"), lambda t: t.replace("HI*BG:AM", "HI*BG:B2").replace("13:A:1", "85:A:1")),
    "AMB018": (swap("HI*BG:AM", "HI*BG:AK"), swap("HI*BG:AM", "HI*BG:AL")),
    "AMB019": (swap("BE:A0:::2134", "BE:A0:::2134*BE:A0:::62702"), swap("BE:A0:::2134", "BE:A0:::62702")),
    "AMB020": (swap("HC:A0427:RH", "HC:A0427:RP"), swap("HC:A0427:RH", "HC:A0427:RN")),
    "COD001": (swap("13:A:1", "19:A:1"), swap("13:A:1", "85:A:1")),
    "COD002": (swap("13:A:1", "13:A:6"), swap("13:A:1", "13:A:7")),
    "COD003": (swap("SV2*0540*HC:A0427", "SV2*540*HC:A0427"), swap("SV2*0540*HC:A0427", "SV2*0540*HC:A0427")),
    "COD004": (swap("SV2*0540*HC:A0427", "SV2*0599*HC:A0427"), swap("SV2*0540*HC:A0427", "SV2*0545*HC:A0427")),
    "COD005": (swap("HC:A0427:", "HC:A427:"), swap("HC:A0427:", "HC:A0434:")),
    "COD006": (swap("HI*BG:AM", "HI*BG:ZZ"), swap("HI*BG:AM", "HI*BG:20")),
    "COD007": (swap("BE:32:::2", "BE:Q9:::2"), swap("BE:32:::2", "BE:A8:::2")),
    "COD008": (swap("CL1*1*1*01", "CL1*7*1*01"), swap("CL1*1*1*01", "CL1*2*1*01")),
    "NPI001": (swap("XX*1234567893~N3*1 MAIN", "XX*1234567890~N3*1 MAIN"),
               swap("XX*1234567893~N3*1 MAIN", "XX*1245319599~N3*1 MAIN")),
    "NPI002": (swap("ANN****XX*1234567893", "ANN****XX*1234567899"), swap("ANN****XX*1234567893", "ANN****XX*1245319599")),
    "DAT001": (swap("RD8*20260914-20260915", "RD8*20260915-20260914"), swap("RD8*20260914-20260915", "RD8*20260914-20260914")),
}


def test_every_rule_has_cases() -> None:
    assert set(CASES) == set(rules.REGISTRY)


def test_base_claim_is_clean() -> None:
    assert findings(BASE) == []


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires(rule_id: str) -> None:
    hits = [f for f in findings(CASES[rule_id][0](BASE)) if f.rule == rule_id]
    assert hits, f"{rule_id} did not fire"
    r = rules.REGISTRY[rule_id]
    for f in hits:
        assert f.severity == r.severity and f.stc and set(f.stc) <= set(r.stc)
        assert f.segment and f.position and f.message and f.fix


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_near_miss_does_not_fire(rule_id: str) -> None:
    assert [f.rule for f in findings(CASES[rule_id][1](BASE)) if f.rule == rule_id] == []


def test_profile_turns_a_rule_off_and_downgrades(tmp_path) -> None:
    p = tmp_path / "p.json"
    p.write_text('{"rules": {"AMB013": "off", "AMB001": "warning"}}')
    [claim] = list(parse_stream(io.BytesIO(swap("13:A:1", "11:A:1")(swap("CLM*OK1*1130*", "CLM*OK1*1200*")(BASE)).encode()), "t"))
    found = rules.run(claim, rules.load_profile(str(p)), rules.Context(today=TODAY))
    assert "AMB013" not in {f.rule for f in found}
    assert [f.severity for f in found if f.rule == "AMB001"] == ["warning"]


def test_non_ambulance_claims_skip_the_ambulance_family() -> None:
    text = BASE.replace("SV2*0540*HC:A0427:RH:QN", "SV2*0450*HC:99283").replace("SV2*0540*HC:A0425:RH:QN", "SV2*0300*HC:85025")
    assert not [f for f in findings(text) if f.rule.startswith("AMB") and f.rule != "AMB013"]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixtures_are_accepted_with_zero_errors(path) -> None:
    result = check_file(str(path), Checker(rules.load_profile(), rules.Context(today=TODAY)))
    assert result.error is None
    assert result.claims and all(c.status == "accepted" for c in result.claims)
    assert not [f for c in result.claims for f in c.all_findings if f.is_error]
    assert all(t.ack == "A" for t in result.transactions)
