"""What Medicare covers on an ambulance claim (edi837/rules/coverage.py, AMB013-AMB020): each rule fires
on its case and not on its near miss; ABN (GA) lines, non-covered and cross-walked codes."""

from __future__ import annotations

import pytest
from builders import ABN_DATE, BASE, MILES, assert_fires, assert_near_miss_is_quiet, family, rule_findings, swap


@pytest.mark.parametrize("rule_id", family("coverage"))
def test_rule_fires(rule_id: str) -> None:
    assert_fires(rule_id)


@pytest.mark.parametrize("rule_id", family("coverage"))
def test_near_miss_does_not_fire(rule_id: str) -> None:
    assert_near_miss_is_quiet(rule_id)


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


def test_the_same_pick_up_zip_twice_is_still_two_a0_codes() -> None:
    [f] = rule_findings(swap("BE:A0:::2134", "BE:A0:::2134*BE:A0:::2134")(BASE), "AMB019")
    assert f.severity == "error" and f.stc == ("A7:763",) and "twice" in f.message
