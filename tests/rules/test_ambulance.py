"""Every rule: a claim that fires it and a near miss that must not. Fixtures stay clean."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from conftest import FIXTURES
from builders import CLAIM, ISA

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
ABN_DATE = "HI*BH:32:D8:20260910~HI*BE:A0"  # occurrence code 32 (the ABN's date) before the value codes
F8 = "CL1*1*1*01~REF*F8*26250000123456~"  # the payer's claim control number of the claim a 7/8 changes
# rule -> (edit that fires it, the segment its finding points at, near-miss edit that must not fire it)
CASES = {
    "AMB001": (swap("13:A:1", "11:A:1"), "CLM", swap("13:A:1", "85:A:1")),
    "AMB002": (swap("SV2*0540*HC:A0427", "SV2*0450*HC:A0427"), "SV2",
               swap("SV2*0540*" + BASE_LINE, "SV2*0541*" + BASE_LINE + "**950")),
    "AMB003": (swap(BASE_LINE, "HC:A0427:RH*950*UN*1"), "SV2", swap(BASE_LINE, "HC:A0427:RH:QM*950*UN*1")),
    "AMB004": (swap(BASE_LINE, "HC:A0427:QN*950*UN*1"), "SV2", swap(BASE_LINE, "HC:A0427:QL:QN*950*UN*1")),
    "AMB005": (swap(BASE_LINE, "HC:A0427:RH:QN*950*UN*2"), "SV2", swap(BASE_LINE, "HC:A0427:RH:QN*950*UN*1.0")),
    "AMB006": (swap(MILES, "HC:A0425:RH:QN*180*UN*0"), "SV2", swap(MILES, "HC:A0425:RH:QN*180*UN*12.50")),
    "AMB007": (swap("HC:A0427:", "HC:A0431:"), "SV2", swap("HC:A0427:", "HC:A0433:")),
    "AMB008": (swap("HI*BE:A0:::2134*BE:32:::2~", "HI*BE:32:::2~"), "CLM", swap("BE:A0:::2134", "BE:A0:::627041234")),
    "AMB009": (swap("BE:32:::2", "BE:32:::1"), "HI", swap("BE:32:::2", "BE:32:::3")),
    "AMB010": (lambda t: swap("NM1*71*1*SMITH*ANN****XX*1234567893~", "")(t.replace("HC:A0427:", "HC:A0428:")), "CLM",
               swap("NM1*71*1*SMITH*ANN****XX*1234567893~", "")),
    "AMB011": (swap("DTP*472*D8*20260914~REF", "DTP*472*D8*20260920~REF"), "DTP",
               swap("DTP*472*D8*20260914~REF", "DTP*472*D8*20260915~REF")),
    "AMB012": (swap(MILES, "HC:A0425:RH:QN*0*UN*12.5"), "SV2", swap(MILES, "HC:A0425:RH:QN*1.00*UN*12.5")),
    "AMB013": (swap("CLM*OK1*1130*", "CLM*OK1*1200*"), "CLM", swap("CLM*OK1*1130*", "CLM*OK1*1130.00*")),
    "AMB014": (swap(MILES, "HC:A0888:RH:QN*180*UN*12.5"), "SV2", swap(MILES, "HC:A0888:RH:GY:QN*180*UN*12.5**180")),
    "AMB015": (swap(MILES, "HC:A0390:RH:QN*180*UN*12.5"), "SV2", swap(MILES, "HC:A0998:GY:QN*180*UN*1**180")),
    "AMB016": (swap(BASE_LINE, "HC:A0427:RH:GA:QN*950*UN*1"), "SV2",
               lambda t: swap(BASE_LINE, "HC:A0428:RH:GA:QN*950*UN*1")(swap("HI*BE:A0", ABN_DATE)(t))),
    "AMB017": (swap("HI*BG:AM", "HI*BG:B2"), "HI", lambda t: t.replace("HI*BG:AM", "HI*BG:B2").replace("13:A:1", "85:A:1")),
    "AMB018": (swap("HI*BG:AM", "HI*BG:AK"), "HI", swap("HI*BG:AM", "HI*BG:AL")),
    "AMB019": (swap("BE:A0:::2134", "BE:A0:::2134*BE:A0:::62702"), "HI", swap("BE:A0:::2134", "BE:A0:::62702")),
    "AMB020": (swap("HC:A0427:RH", "HC:A0427:RP"), "SV2", swap("HC:A0427:RH", "HC:A0427:RN")),
    "AMB021": (swap("SV2*0540*" + BASE_LINE, "SV2*0540*HC:99283:QN*950*UN*1"), "SV2",
               swap("SV2*0540*" + BASE_LINE, "SV2*0450*HC:99283*950*UN*1")),
    "AMB022": (swap(MILES, MILES + "**200"), "SV2", swap(MILES, MILES + "**180")),
    "AMB023": (swap("13:A:1", "13:A:9"), "CLM", lambda t: swap("CL1*1*1*01~", F8)(t.replace("13:A:1", "13:A:7"))),
    "AMB024": (swap("N3*1 MAIN ST", "N3*PO BOX 12"), "N3", swap("N3*1 MAIN ST", "N3*100 POST OFFICE RD")),
    "AMB027": (lambda t: swap("CL1*1*1*01~", F8)(t.replace("13:A:1", "13:A:7")), "CLM",
               lambda t: swap("CL1*1*1*01~", F8)(t.replace("13:A:1", "13:A:7").replace("HI*BG:AM", "HI*BG:AM*BG:D9"))),
    "AMB028": (swap(BASE_LINE, "HC:A0427:RH:GX:QN*950*UN*1"), "SV2", swap(BASE_LINE, "HC:A0427:RH:GX:QN*950*UN*1**950")),
    "AMB029": (swap("HI*BG:AM", "HI*BG:21"), "SV2", swap("HI*BG:AM", "HI*BG:20")),
    "COD001": (swap("13:A:1", "19:A:1"), "CLM", swap("13:A:1", "85:A:1")),
    "COD002": (swap("13:A:1", "13:A:6"), "CLM", swap("13:A:1", "13:A:7")),
    "COD003": (swap("SV2*0540*HC:A0427", "SV2*540*HC:A0427"), "SV2", swap("SV2*0540*HC:A0427", "SV2*0541*HC:A0427")),
    "COD004": (swap("SV2*0540*HC:A0427", "SV2*0599*HC:A0427"), "SV2", swap("SV2*0540*HC:A0427", "SV2*0545*HC:A0427")),
    "COD005": (swap("HC:A0427:", "HC:A427:"), "SV2", swap("HC:A0427:", "HC:A0434:")),
    "COD006": (swap("HI*BG:AM", "HI*BG:ZZ"), "HI", swap("HI*BG:AM", "HI*BG:20")),
    "COD007": (swap("BE:32:::2", "BE:Q9:::2"), "HI", swap("BE:32:::2", "BE:A8:::2")),
    "COD008": (swap("CL1*1*1*01", "CL1*7*1*01"), "CL1", swap("CL1*1*1*01", "CL1*2*1*01")),
    "NPI001": (swap("XX*1234567893~N3*1 MAIN", "XX*1234567890~N3*1 MAIN"), "NM1",
               swap("XX*1234567893~N3*1 MAIN", "XX*1245319599~N3*1 MAIN")),
    "NPI002": (swap("ANN****XX*1234567893", "ANN****XX*1234567899"), "NM1",
               swap("ANN****XX*1234567893", "ANN****XX*1245319599")),
    "DAT001": (swap("RD8*20260914-20260915", "RD8*20260915-20260914"), "DTP",
               swap("RD8*20260914-20260915", "RD8*20260914-20260914")),
}


SAME_AS_BASE: set[str] = set()  # none: every near miss is an edit of the clean claim


def test_every_rule_has_cases() -> None:
    assert set(CASES) == set(rules.REGISTRY)


def test_base_claim_is_clean() -> None:
    assert findings(BASE) == []


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires(rule_id: str) -> None:
    edit, segment, _ = CASES[rule_id]
    hits = [f for f in findings(edit(BASE)) if f.rule == rule_id]
    assert hits, f"{rule_id} did not fire"
    r = rules.REGISTRY[rule_id]
    for f in hits:
        assert f.severity == r.severity
        # a finding's 277CA codes fit its severity: an error's come from its rule, a warning has none
        assert (f.stc and set(f.stc) <= set(r.stc)) if f.is_error else f.stc == ()
        assert f.segment == segment and f.position and f.message and f.fix


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_near_miss_does_not_fire(rule_id: str) -> None:
    near_miss = CASES[rule_id][2](BASE)
    assert near_miss != BASE or rule_id in SAME_AS_BASE, "a near miss that changes nothing cannot fail"
    assert [f.rule for f in findings(near_miss) if f.rule == rule_id] == []


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


def rule_findings(text: str, rule_id: str) -> list:
    return [f for f in findings(text) if f.rule == rule_id]


@pytest.mark.parametrize("units, paid, report", [("12.25", "12.2", "12.3"), ("142.5", "142", "143"),
                                                 ("99.99", "99.9", "100.0"), ("100.99", "100", "101")])
def test_over_precise_mileage_is_a_warning_naming_what_medicare_pays(units: str, paid: str, report: str) -> None:
    [f] = rule_findings(swap(MILES, f"HC:A0425:RH:QN*180*UN*{units}")(BASE), "AMB006")
    assert f.severity == "warning" and f.stc == () and f.element == "SV205" and f.value == units
    assert f"pays {paid} (truncated)" in f.message and f"{report} is what to report" in f.message
    assert f.fix == f"report {report} in SV205"


@pytest.mark.parametrize("units", ["12.50", "100.0", "100", "0.9", ".9", "12.5"])
def test_mileage_is_judged_by_value_not_characters(units: str) -> None:
    assert rule_findings(swap(MILES, f"HC:A0425:RH:QN*180*UN*{units}")(BASE), "AMB006") == []


@pytest.mark.parametrize("units", ["", "0", "0.0", "-3"])
def test_missing_or_zero_mileage_is_an_error(units: str) -> None:
    [f] = rule_findings(swap(MILES, f"HC:A0425:RH:QN*180*UN*{units}")(BASE), "AMB006")
    assert f.is_error and f.stc in (("A6:267",), ("A7:267",))


def test_gx_is_a_liability_modifier_not_a_trip() -> None:
    text = swap(BASE_LINE, "HC:A0427:RH:GX:QN*950*UN*1**950")(BASE)
    assert rule_findings(text, "AMB004") == [] and rule_findings(text, "AMB020") == []
    [claim] = list(parse_stream(io.BytesIO(text.encode()), "t.837"))
    assert claim.lines[0].origin_destination == "RH" and claim.lines[0].modifiers_of("liability") == ("GX",)


def test_a_line_without_a_date_is_an_error_on_its_line() -> None:
    text = swap("DTP*472*D8*20260914~REF*6R*L1~", "REF*6R*L1~")(BASE)
    [f] = rule_findings(text, "AMB011")
    assert f.is_error and f.stc == ("A6:187",) and f.segment == "SV2" and f.lx == "1"


def test_every_line_of_an_ambulance_bill_needs_a_date() -> None:
    text = BASE.replace("SE*33*", "LX*3~SV2*0250*HC:J3490:QN*10*UN*1~SE*35*").replace("CLM*OK1*1130*", "CLM*OK1*1140*")
    assert [f.lx for f in rule_findings(text, "AMB011")] == ["3"]


def test_a_future_line_date_is_an_error() -> None:
    text = BASE.replace("20260914-20260915", "20260914-20261230").replace("DTP*472*D8*20260914~REF", "DTP*472*D8*20261130~REF")
    [f] = rule_findings(text, "AMB011")
    assert f.is_error and f.stc == ("A7:510",) and f.segment == "DTP"


def test_ga_lines_are_billed_as_covered_with_the_abn_date() -> None:
    non_emergency = swap("HC:A0427:", "HC:A0428:")(BASE)
    billed_non_covered = swap("HC:A0428:RH:QN*950*UN*1", "HC:A0428:RH:GA:QN*950*UN*1**950")(swap("HI*BE:A0", ABN_DATE)(non_emergency))
    [f] = rule_findings(billed_non_covered, "AMB016")
    assert f.element == "SV207" and "covered charge" in f.fix
    no_abn_date = swap("HC:A0428:RH:QN*950*UN*1", "HC:A0428:RH:GA:QN*950*UN*1")(non_emergency)
    [f] = rule_findings(no_abn_date, "AMB016")
    assert "occurrence code 32" in f.message and f.element == "SV202-4"


@pytest.mark.parametrize("code", ["A0380", "A0390", "A0998", "A0100"])
def test_non_covered_codes_billed_as_non_covered_are_accepted(code: str) -> None:
    covered = swap(MILES, f"HC:{code}:QN*180*UN*1")(BASE)
    assert [f.severity for f in rule_findings(covered, "AMB015")] == ["error"]
    non_covered = swap(MILES, f"HC:{code}:GY:QN*180*UN*1**180")(BASE)
    assert rule_findings(non_covered, "AMB015") == []


def test_crosswalked_codes_say_where_to() -> None:
    [f] = rule_findings(swap(MILES, "HC:A0380:RH:QN*180*UN*12.5")(BASE), "AMB015")
    assert "A0425" in f.message and f.stc == ("A7:507",)


def test_a_replacement_needs_the_claim_it_replaces() -> None:
    [f] = rule_findings(swap("13:A:1", "13:A:7")(BASE), "AMB023")
    assert f.stc == ("A6:464",) and f.element == "CLM05-3"


def test_an_abn_claim_carries_no_condition_code_20() -> None:
    text = swap("HI*BG:AM", "HI*BG:20")(swap("HI*BE:A0", ABN_DATE)(BASE))
    [f] = rule_findings(text, "AMB029")
    assert f.segment == "HI" and f.value == "20"


def test_a_condition_code_21_claim_with_only_non_covered_lines_passes() -> None:
    text = swap("HI*BG:AM", "HI*BG:21")(BASE)
    text = text.replace(BASE_LINE, BASE_LINE + "**950").replace(MILES, MILES + "**180")
    assert rule_findings(text, "AMB029") == []


def test_statement_period_in_the_future() -> None:
    [f] = rule_findings(swap("RD8*20260914-20260915", "RD8*20260914-20261201")(BASE), "DAT001")
    assert f.stc == ("A7:510",) and f.segment == "DTP" and f.element == "DTP03"


def test_a_warning_only_claim_is_accepted() -> None:
    text = swap(MILES, "HC:A0425:RH:QN*180*UN*12.25")(BASE)
    path_findings = findings(text)
    assert path_findings and all(not f.is_error for f in path_findings)


@pytest.mark.parametrize("pair", ["GA:GZ", "GY:GZ", "GX:GA"])
def test_contradicting_liability_modifiers_reject_the_line(pair: str) -> None:
    text = swap(BASE_LINE, f"HC:A0428:RH:{pair}:QN*950*UN*1")(BASE)
    [f] = rule_findings(text, "AMB028")
    assert f.is_error and f.element == "SV202-5" and f.value == pair.split(":")[1]


def test_a_charge_that_is_no_amount_is_left_to_the_guide_check() -> None:
    assert rule_findings(swap(MILES, "HC:A0425:RH:QN*9E999999*UN*12.5")(BASE), "AMB012") == []
