"""The institutional billing rules an ambulance claim shares (edi837/rules/billing.py): each fires on
its case and not on its near miss; replacements, condition codes 20/21 and liability modifiers."""

from __future__ import annotations

import pytest
from builders import (
    ABN_DATE,
    BASE,
    BASE_LINE,
    MILES,
    assert_fires,
    assert_near_miss_is_quiet,
    family,
    rule_findings,
    swap,
)


@pytest.mark.parametrize("rule_id", family("billing"))
def test_rule_fires(rule_id: str) -> None:
    assert_fires(rule_id)


@pytest.mark.parametrize("rule_id", family("billing"))
def test_near_miss_does_not_fire(rule_id: str) -> None:
    assert_near_miss_is_quiet(rule_id)


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


@pytest.mark.parametrize("pair", ["GA:GZ", "GY:GZ", "GX:GA"])
def test_contradicting_liability_modifiers_reject_the_line(pair: str) -> None:
    text = swap(BASE_LINE, f"HC:A0428:RH:{pair}:QN*950*UN*1")(BASE)
    [f] = rule_findings(text, "AMB028")
    assert f.is_error and f.element == "SV202-5" and f.value == pair.split(":")[1]
