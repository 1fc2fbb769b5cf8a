"""The Medicare hospital-based ambulance rules (edi837/rules/ambulance.py, AMB001-AMB012): each fires on
its case and not on its near miss; mileage, dates and modifiers in detail."""

from __future__ import annotations

import io

import pytest
from builders import (
    BASE,
    BASE_LINE,
    MILES,
    assert_fires,
    assert_near_miss_is_quiet,
    family,
    findings,
    rule_findings,
    swap,
)

from edi837.engine.pipeline import parse_stream


@pytest.mark.parametrize("rule_id", family("ambulance"))
def test_rule_fires(rule_id: str) -> None:
    assert_fires(rule_id)


@pytest.mark.parametrize("rule_id", family("ambulance"))
def test_near_miss_does_not_fire(rule_id: str) -> None:
    assert_near_miss_is_quiet(rule_id)


def test_non_ambulance_claims_skip_the_ambulance_family() -> None:
    text = BASE.replace("SV2*0540*HC:A0427:RH:QN", "SV2*0450*HC:99283").replace("SV2*0540*HC:A0425:RH:QN", "SV2*0300*HC:85025")
    assert not [f for f in findings(text) if f.rule.startswith("AMB") and f.rule != "AMB013"]


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


def test_a_charge_that_is_no_amount_is_left_to_the_guide_check() -> None:
    assert rule_findings(swap(MILES, "HC:A0425:RH:QN*9E999999*UN*12.5")(BASE), "AMB012") == []


@pytest.mark.parametrize("amount, zip_code", [("2134", "02134"), ("62704", "62704"), ("62704.00", "62704"),
                                              ("627040001", "62704"), ("021341234", "02134"), ("00501", "00501")])
def test_pickup_zip_forms_that_are_zips(amount: str, zip_code: str) -> None:
    """A whole number of at most 5 digits (left-padded), or 9 for a ZIP+4: the ZIP the report shows too."""
    text = swap("BE:A0:::2134", f"BE:A0:::{amount}")(BASE)
    [claim] = list(parse_stream(io.BytesIO(text.encode()), "t.837"))
    assert claim.pickup_zip == zip_code
    assert rule_findings(text, "AMB008") == []


@pytest.mark.parametrize("amount, reason", [
    ("627041", "not a ZIP"),  # 6 digits: not 62704
    ("6270412", "not a ZIP"),
    ("21341234", "not a ZIP"),  # 8 digits: a ZIP+4 whose leading zero was dropped is ambiguous
    ("62704.5", "not a ZIP"),
    ("99999", "not a US ZIP"),  # the form of a ZIP, but no such ZIP
    ("00001", "not a US ZIP"),
    ("0", "not a US ZIP"),
])
def test_pickup_zip_amounts_that_cannot_price_the_trip(amount: str, reason: str) -> None:
    [f] = rule_findings(swap("BE:A0:::2134", f"BE:A0:::{amount}")(BASE), "AMB008")
    assert reason in f.message and f.severity == "error" and f.value == amount and f.element == "HI01"
    assert f.stc[0] == "A7:763"
