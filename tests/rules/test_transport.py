"""The 837P transport rules (edi837/rules/transport.py, locations.py, conditions.py: P1-P3, P5-P10,
P27-P29, P32, P35-P37, P40 of ../shared/domain/ambulance-837p-rules.md): each fires on its case and
not on its near miss; then the tricky parts (miles by value, ZIPs as strings, trips, certifications)
from the notes, and the bundled fixtures, which are correct claims."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from builders import findings
from cases_transport import (
    CASES,
    CLAIM_CR1,
    CLAIM_CRC,
    DROPOFF,
    LINE1,
    LINE1_END,
    LINE2,
    LINE2_END,
    PICKUP,
    line_pickups,
    pickup_at,
    second_trip,
)
from conftest import FIXTURES
from professional import BASE_P, assert_fires_p, assert_near_miss_is_quiet_p, p_swap

from edi837 import rules
from edi837.engine.pipeline import parse_stream

TRANSPORT_FAMILIES = ("transport", "locations", "conditions")  # the trip: CR1 and miles, locations, CRC
TRANSPORT = sorted(r.id for r in rules.REGISTRY.values() if r.family in TRANSPORT_FAMILIES)
P_FIXTURES = [p for p in FIXTURES if p.name.startswith("837p-") or p.name == "mixed-837i-837p.837"]
I_FIXTURES = [p for p in FIXTURES if p not in P_FIXTURES]
# An NEMT claim: a wheelchair van (A0130) and a taxi (A0100), both in the NEMT range A0080-A0210, place
# of service 99: no ambulance code and no POS 41/42.
NEMT_LINES = (("HC:A0427:RH*950*UN*1***1**Y", "HC:A0130*95*UN*1***1"), ("HC:A0425:RH*180*UN*12.5", "HC:A0100*40*UN*1"),
              ("41:B:1", "99:B:1"))


def hits(text: str, rule_id: str) -> list:
    return [f for f in findings(text) if f.rule == rule_id]


def edit(*pairs: tuple[str, str]) -> str:
    text = BASE_P
    for old, new in pairs:
        text = p_swap(old, new)(text)
    return text


def test_every_transport_rule_has_a_case_and_judges_only_837p_claims() -> None:
    assert TRANSPORT == sorted(CASES)
    assert all(rules.REGISTRY[r].claim_types == ("837P",) for r in TRANSPORT)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires(rule_id: str) -> None:
    assert_fires_p(rule_id, CASES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_near_miss_does_not_fire(rule_id: str) -> None:
    assert_near_miss_is_quiet_p(rule_id, CASES)


def test_the_clean_claim_has_no_transport_finding() -> None:
    assert [f for f in findings(BASE_P) if f.rule in TRANSPORT] == []


# --- P1, P5, P7: which claims need CR1, 2310E, 2310F ----------------------------------------------

def test_a_line_cr1_does_not_replace_the_claim_cr1() -> None:
    text = edit((CLAIM_CR1, ""), (LINE2, LINE2 + CLAIM_CR1))
    [f] = hits(text, "AMBP001")
    assert f.is_error and f.segment == "CLM" and set(f.stc) == {"A6:267", "A6:21"}


def test_an_nemt_claim_needs_no_cr1_but_needs_its_pickup_and_dropoff() -> None:
    nemt = edit(*NEMT_LINES, (CLAIM_CR1, ""), (PICKUP, ""), (DROPOFF, ""))
    assert hits(nemt, "AMBP001") == []
    [p5] = hits(nemt, "AMBP005")
    [p7] = hits(nemt, "AMBP007")
    assert p5.is_error and p5.segment == "CLM" and "A6:763" in p5.stc
    assert p7.is_error and p7.segment == "CLM" and "A6:266" in p7.stc


def test_pos_41_alone_makes_an_ambulance_claim() -> None:
    text = edit(*NEMT_LINES[:2], (CLAIM_CR1, ""))  # NEMT codes, but CLM05-1 still 41
    assert [f.segment for f in hits(text, "AMBP001")] == ["CLM"]


def test_line_pickups_do_not_replace_2310e() -> None:
    text = line_pickups("62704", "62704")(p_swap(PICKUP, "")(BASE_P))
    assert len(hits(text, "AMBP005")) == 1


def test_a_claim_without_transport_lines_is_not_judged() -> None:
    text = edit(("HC:A0427:RH*950*UN*1***1**Y", "HC:99283*950*UN*1***1"), ("HC:A0425:RH*180*UN*12.5", "HC:85025*180*UN*1"),
                ("41:B:1", "11:B:1"), (CLAIM_CR1, ""), (PICKUP, ""), (DROPOFF, ""), (CLAIM_CRC, "CRC*07*Y*04*04~"))
    assert [f for f in findings(text) if f.rule in TRANSPORT] == []


# --- P2, P3, P32: CR1 and miles -------------------------------------------------------------------

@pytest.mark.parametrize("cr106", ["12.5", "12.50", "012.5", "12.500"])
def test_cr106_is_compared_by_value(cr106: str) -> None:
    assert hits(edit((CLAIM_CR1, f"CR1*LB*180**A*DH*{cr106}~")), "AMBP003") == []


@pytest.mark.parametrize("cr106", ["12.4", "13", "0", "125"])
def test_a_cr106_that_differs_names_both_figures(cr106: str) -> None:
    [f] = hits(edit((CLAIM_CR1, f"CR1*LB*180**A*DH*{cr106}~")), "AMBP003")
    assert f.severity == "warning" and f.stc == () and f.segment == "CR1" and f.element == "CR106"
    assert f.value == cr106 and cr106 in f.message and "12.5" in f.message


def test_without_a_mileage_line_any_cr106_is_no_finding() -> None:
    no_miles = p_swap("LX*2~" + LINE2 + "DTP*472*D8*20260914~", "")
    for cr106 in ("0", "5"):
        assert hits(no_miles(edit((CLAIM_CR1, f"CR1*LB*180**A*DH*{cr106}~"))), "AMBP003") == []


def test_a0888_miles_count_in_the_cr106_sum() -> None:
    extra = "LX*3~SV1*HC:A0888:RH:GY*40*UN*2.5***1~DTP*472*D8*20260914~"
    text = edit((LINE2_END, LINE2_END + extra), (CLAIM_CR1, "CR1*LB*180**A*DH*15~"))
    assert hits(text, "AMBP003") == []
    [f] = hits(p_swap("CR1*LB*180**A*DH*15~", CLAIM_CR1)(text), "AMBP003")
    assert "15" in f.message and "2 mileage lines" in f.message


def test_several_transports_with_line_cr1s_that_add_up_are_quiet() -> None:
    text = second_trip(line_cr1s=True)(BASE_P)
    assert [f.rule for f in findings(text) if f.rule in ("AMBP002", "AMBP003", "AMBP032")] == []


def test_a_line_cr1_that_disagrees_with_its_own_miles_is_named_on_that_cr1() -> None:
    text = second_trip(line_cr1s=True)(BASE_P).replace("CR1*LB*180**A*DH*9.8~", "CR1*LB*180**A*DH*9.9~")
    # the 2300 CR106 (22.3) is compared with the miles billed (SV104), which still add up
    [f] = hits(text, "AMBP003")
    assert f.lx == "4" and f.loop == "2400" and f.element == "CR106" and "9.9" in f.message and "9.8" in f.message


def test_several_transports_without_line_cr1s_warn_on_each_mileage_line() -> None:
    found = hits(second_trip(line_cr1s=False)(BASE_P), "AMBP032")
    assert [(f.lx, f.segment, f.severity) for f in found] == [("2", "SV1", "warning"), ("4", "SV1", "warning")]
    assert all("CR1" in f.message for f in found)


def test_one_transport_needs_no_line_cr1() -> None:
    assert hits(BASE_P, "AMBP032") == []


def test_on_several_transports_a_mileage_cr1_equal_to_the_claims_is_not_surplus() -> None:
    text = second_trip(line_cr1s=True)(BASE_P).replace("CR1*LB*180**A*DH*22.3~", "CR1*LB*180**A*DH*12.5~", 1)
    assert hits(text, "AMBP002") == []


# --- P6, P7, P29: ZIPs as strings -----------------------------------------------------------------

@pytest.mark.parametrize("zip_code", ["6270", "627041", "62704-0001", "6270A", "00000", "99999", "999990001",
                                      "0000000000"])
def test_a_bad_pickup_zip_is_an_error_at_n403(zip_code: str) -> None:
    [f] = hits(edit((PICKUP, pickup_at(zip_code))), "AMBP006")
    assert f.is_error and f.stc == ("A7:763",) and f.segment == "N4" and f.element == "N403"
    assert f.loop == "2310E" and f.value == zip_code


@pytest.mark.parametrize("zip_code", ["62704", "627040001", "02134", "021340000"])
def test_a_good_pickup_zip_is_quiet(zip_code: str) -> None:
    assert hits(edit((PICKUP, pickup_at(zip_code))), "AMBP006") == []


def test_every_line_pickup_zip_is_checked() -> None:
    [f] = hits(line_pickups("62704", "6270")(BASE_P), "AMBP006")
    assert f.loop == "2420G" and f.lx == "2" and f.value == "6270"


def test_a_bad_dropoff_zip_is_only_a_warning() -> None:
    text = edit((DROPOFF, DROPOFF.replace("627690001", "6276")))
    [f] = hits(text, "AMBP007")
    assert f.severity == "warning" and f.stc == () and f.segment == "N4" and f.element == "N403"
    assert hits(text, "AMBP006") == []


@pytest.mark.parametrize("loop, n4, element, stc", [
    (PICKUP, "N4*SPRINGFIELD*IL~", "N403", "A6:763"),
    (PICKUP, "N4*SPRINGFIELD**62704~", "N402", "A6:763"),
    (DROPOFF, "N4*SPRINGFIELD*IL~", "N403", "A6:266"),
])
def test_a_us_location_needs_state_and_zip(loop: str, n4: str, element: str, stc: str) -> None:
    text = edit((loop, loop[:loop.index("N4*")] + n4))
    [f] = hits(text, "AMBP029")
    assert f.is_error and f.stc == (stc,) and f.segment == "N4" and f.element == element
    assert hits(text, "AMBP006") == []  # a missing ZIP is P29, not a malformed one


def test_a_missing_zip_in_a_line_dropoff_points_at_that_line() -> None:
    loop = "NM1*45*2*OAK MEADOW~N3*525 S GRAND AVE W~N4*SPRINGFIELD*IL~"
    [f] = hits(edit((LINE2_END, LINE2_END + loop)), "AMBP029")
    assert f.loop == "2420H" and f.lx == "2" and f.stc == ("A6:266",)


# --- P8, P9: line locations and trips -------------------------------------------------------------

def test_an_identical_line_pickup_is_a_warning_on_its_nm1() -> None:
    [f] = hits(edit((LINE2_END, LINE2_END + PICKUP)), "AMBP008")
    assert f.severity == "warning" and f.stc == () and f.segment == "NM1" and f.loop == "2420G" and f.lx == "2"


def test_an_identical_line_dropoff_is_a_warning() -> None:
    [f] = hits(edit((LINE1_END, LINE1_END + DROPOFF)), "AMBP008")
    assert f.severity == "warning" and f.loop == "2420H" and f.lx == "1"


def test_one_trip_with_two_pickup_zips_is_an_error_naming_both() -> None:
    [f] = hits(line_pickups("627040001", "627040002")(BASE_P), "AMBP008")
    assert f.is_error and f.stc == ("A8:763",) and f.lx == "2" and f.loop == "2420G"
    assert "627040001" in f.message and "627040002" in f.message
    assert hits(line_pickups("627040001", "627040002")(BASE_P), "AMBP009") == []  # one ZIP5


def test_two_trips_may_start_at_different_zips_but_the_claim_is_warned() -> None:
    lines = ("LX*3~SV1*HC:A0428:HN*480*UN*1***1~DTP*472*D8*20260914~" + pickup_at("62702")
             + "LX*4~SV1*HC:A0425:HN*98*UN*9.8***1~DTP*472*D8*20260914~" + pickup_at("62702"))
    text = edit((LINE2_END, LINE2_END + lines))
    assert hits(text, "AMBP008") == []
    [f] = hits(text, "AMBP009")
    assert f.severity == "warning" and f.lx == "" and f.loop == "2420G" and "62704" in f.message and "62702" in f.message


# --- P10, P27, P36, P37: certifications -----------------------------------------------------------

def test_the_same_code_under_y_and_n_is_a_contradiction() -> None:
    [f] = hits(edit((CLAIM_CRC, CLAIM_CRC + "CRC*07*N*06~")), "AMBP010")
    assert f.severity == "warning" and f.segment == "CRC" and f.element == "CRC03" and f.value == "06"


def test_a_line_crc_in_another_order_is_still_identical() -> None:
    assert len(hits(edit((LINE2, LINE2 + "CRC*07*Y*06*04~")), "AMBP010")) == 1


def test_a_line_crc_that_adds_a_segment_is_different() -> None:
    assert hits(edit((LINE2, LINE2 + CLAIM_CRC + "CRC*07*N*01~")), "AMBP010") == []


def test_code_01_answered_no_needs_no_admission_date() -> None:
    assert hits(edit((CLAIM_CRC, "CRC*07*N*01~")), "AMBP027") == []


def test_code_01_on_a_line_needs_the_admission_date_too() -> None:
    [f] = hits(edit((LINE2, LINE2 + "CRC*07*Y*01~")), "AMBP027")
    assert f.lx == "2" and f.element == "CRC03"


def test_four_crc_of_any_kind_in_one_line_is_an_error_at_the_fourth() -> None:
    text = edit((LINE1, LINE1 + "CRC*07*Y*04~CRC*07*Y*06~CRC*07*N*01~CRC*70*N*65~"))
    [f] = hits(text, "AMBP036")
    assert f.is_error and f.stc == ("A7:21",) and f.lx == "1" and f.value == "4"
    [claim] = list(parse_stream(io.BytesIO(text.encode()), "t.837"))
    assert f.position == claim.lines[0].certifications[3].where.position


def test_a_code_repeated_across_crc_segments_of_one_loop() -> None:
    [f] = hits(edit((CLAIM_CRC, CLAIM_CRC + "CRC*07*Y*05*04~")), "AMBP037")
    assert f.value == "04" and f.element == "CRC04"


# --- P28, P35, P40 --------------------------------------------------------------------------------

def test_a_2420c_on_an_ambulance_line_is_a_warning() -> None:
    facility = "NM1*77*2*SPRINGFIELD GENERAL*****XX*1234567893~N3*800 E CARPENTER ST~N4*SPRINGFIELD*IL*627690001~"
    [f] = hits(edit((LINE1_END, LINE1_END + facility)), "AMBP028")
    assert f.severity == "warning" and f.loop == "2420C" and f.lx == "1"


@pytest.mark.parametrize("reason", ["B", "C"])
def test_beyond_the_nearest_facility_without_narrative(reason: str) -> None:
    [f] = hits(edit((CLAIM_CR1, f"CR1*LB*180**{reason}*DH*12.5~")), "AMBP035")
    assert f.element == "CR104" and f.value == reason


def test_a0888_without_narrative_and_a_line_nte_is_a_narrative() -> None:
    extra = "LX*3~SV1*HC:A0888:RH:GY*40*UN*2.5***1~DTP*472*D8*20260914~"
    text = edit((LINE2_END, LINE2_END + extra))
    [f] = hits(text, "AMBP035")
    assert f.lx == "3" and f.element == "SV101-2"
    assert hits(p_swap(extra, extra + "NTE*ADD*PATIENT CHOSE A HOSPITAL FURTHER AWAY~")(text), "AMBP035") == []


@pytest.mark.parametrize("utn, fires", [("JE1234567890AB", False), ("JE1234567890A", True), ("JE1234567890ABC", True)])
def test_a_utn_has_14_characters(utn: str, fires: bool) -> None:
    found = hits(edit((CLAIM_CR1, f"REF*G1*{utn}~" + CLAIM_CR1)), "AMBP040")
    assert bool(found) == fires
    assert all(utn not in f.message and f.value == "" and f.element == "REF02" for f in found)


def test_an_emergency_dialysis_line_needs_no_utn() -> None:
    text = edit(("HC:A0427:RH", "HC:A0427:RJ"), ("HC:A0425:RH", "HC:A0425:RJ"))
    assert hits(text, "AMBP040") == []


# --- the bundled fixtures -------------------------------------------------------------------------

def transport_findings(path: Path) -> list:
    profile = rules.load_profile()
    ctx = rules.Context(today=dt.date(2026, 10, 15))
    with path.open("rb") as f:
        return [x for c in parse_stream(f, path.name) for x in rules.run(c, profile, ctx) if x.rule in TRANSPORT]


@pytest.mark.parametrize("path", P_FIXTURES, ids=lambda p: p.name)
def test_the_837p_fixtures_are_correct_claims(path: Path) -> None:
    assert [(f.rule, f.lx, f.message) for f in transport_findings(path)] == []


@pytest.mark.parametrize("path", I_FIXTURES, ids=lambda p: p.name)
def test_never_on_837i_claims(path: Path) -> None:
    assert transport_findings(path) == []


def test_the_same_code_under_y_and_n_is_p10_not_a_repeat() -> None:
    text = edit((CLAIM_CRC, CLAIM_CRC + "CRC*07*N*06~"))
    assert hits(text, "AMBP037") == [] and len(hits(text, "AMBP010")) == 1


@pytest.mark.parametrize("pair", ["RG", "GR", "RJ", "JR"])
def test_a_non_emergency_trip_to_or_from_dialysis_without_utn_is_reminded(pair: str) -> None:
    text = edit(("HC:A0427:RH*950*UN*1***1**Y", f"HC:A0428:{pair}*950*UN*1***1"), ("HC:A0425:RH", f"HC:A0425:{pair}"))
    [f] = hits(text, "AMBP040")
    assert f.lx == "1" and f.severity == "warning" and pair in f.message
