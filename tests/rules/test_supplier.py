"""The 837P supplier rules (edi837/rules/modifiers.py and units.py, AMBP012-AMBP039 of those families): each
fires on its case and not on its near miss; then the tricky ones in detail, written from
ambulance-837p-rules.md and its sources: O/D pairs that spell other modifiers, X, ET3 letters by
date, QL, GM with QTY*PT, CR 7065 mileage figures, trips, place of service, liability modifiers and
charges. The bundled 837P fixtures are correct claims (no finding but the PCS reminder, which the
Medicare profile is to turn off), and the 837I fixtures never meet these rules."""

from __future__ import annotations

import pytest
from builders import BASE, TODAY, findings
from cases_supplier import CASES, DATE, LAST_LINE, MILES_DATED, NTE, ONLY_BASE, base, both, miles, qty
from conftest import FIXTURES
from professional import BASE_LINE_P, BASE_P, MILES_P, assert_fires_p, assert_near_miss_is_quiet_p, p_swap
from professional import findings as p_findings

from edi837 import rules
from edi837.engine.pipeline import Checker, check_file

SUPPLIER = sorted(r.id for r in rules.REGISTRY.values() if r.family in ("modifiers", "units"))
FIXTURES_837P = [p for p in FIXTURES if p.name.startswith("837p-") or p.name == "mixed-837i-837p.837"]
FIXTURES_837I = [p for p in FIXTURES if p not in FIXTURES_837P]
QL_BASE = p_swap("SV1*HC:A0427:RH*", "SV1*HC:A0429:QL*")  # BLS emergency, pronounced dead before loading


def hits(text: str, rule_id: str) -> list:
    return [f for f in findings(text) if f.rule == rule_id]


def test_every_supplier_rule_has_a_case_and_no_other_id() -> None:
    assert sorted(CASES) == SUPPLIER
    # P20 (never demand a rendering/referring/facility NPI) is no edit; P4, P11, P21 are "no edit" too
    assert not {"AMBP004", "AMBP011", "AMBP020", "AMBP021"} & set(rules.REGISTRY)
    assert all(rules.REGISTRY[r].claim_types == ("837P",) for r in SUPPLIER)


@pytest.mark.parametrize("rule_id", SUPPLIER)
def test_rule_fires(rule_id: str) -> None:
    assert_fires_p(rule_id, CASES)


@pytest.mark.parametrize("rule_id", SUPPLIER)
def test_near_miss_does_not_fire(rule_id: str) -> None:
    assert_near_miss_is_quiet_p(rule_id, CASES)


def test_the_clean_claim_meets_no_supplier_rule() -> None:
    assert [f for f in findings(BASE_P) if f.rule in SUPPLIER] == []


# --- P12, P33, P39: the O/D pair ---------------------------------------------------------------

@pytest.mark.parametrize("pair", ["GH", "GJ", "HH", "RR", "JG", "NN"])
def test_two_od_letters_are_a_pair_even_when_they_spell_another_modifier(pair: str) -> None:
    text = both(base(pair), miles(f"A0425:{pair}"))(BASE_P)
    found = [f.rule for f in findings(text) if f.rule in SUPPLIER]
    assert found == []


@pytest.mark.parametrize("modifier", ["GY", "GX", "GA", "GM", "XS", "GW"])
def test_a_liability_or_other_modifier_is_no_pair(modifier: str) -> None:
    [f] = hits(base(modifier)(BASE_P), "AMBP012")
    assert f.is_error and f.element == "SV101-3" and f.lx == "1" and set(f.stc) == {"A7:453", "A6:266"}


def test_missing_pair_on_every_base_and_mileage_code() -> None:
    text = both(base(""), miles("A0425"))(BASE_P)
    assert sorted(f.lx for f in hits(text, "AMBP012")) == ["1", "2"]
    a0888 = miles("A0888:GY", "4.5")(BASE_P)
    assert [f.lx for f in hits(a0888, "AMBP012")] == ["2"]


def test_x_is_a_destination_only() -> None:
    [f] = hits(base("XH")(BASE_P), "AMBP012")
    assert f.element == "SV101-3" and f.value == "XH" and f.stc == ("A7:453",) and "destination only" in f.message
    assert hits(base("HX")(BASE_P), "AMBP012") == []


def test_two_different_pairs_on_one_line_point_at_the_second() -> None:
    [f] = hits(base("RH:SH")(BASE_P), "AMBP012")
    assert f.element == "SV101-4" and f.value == "SH"


def test_ql_replaces_the_pair() -> None:
    assert hits(ONLY_BASE(QL_BASE(BASE_P)), "AMBP012") == []


def test_pair_not_first_points_at_its_own_position() -> None:
    [f] = hits(base("GW:GY:RH")(BASE_P), "AMBP033")
    assert f.severity == "warning" and f.element == "SV101-5"


@pytest.mark.parametrize("date, severity", [("20260914", "error"), ("20240101", "error"), ("20231231", "warning"),
                                            ("20210101", "warning"), ("20201231", "error")])
def test_et3_letters_are_judged_by_the_line_date(date: str, severity: str) -> None:
    text = both(base("SC"), ONLY_BASE, p_swap(DATE, f"DTP*472*D8*{date}~"))(BASE_P)
    [f] = hits(text, "AMBP039")
    assert f.severity == severity and f.element == "SV101-3" and f.value == "SC"
    assert f.stc == (("A7:453",) if severity == "error" else ())
    assert "ET3 Model" in f.message
    assert hits(text, "AMBP012") == []  # one finding for the line, with its reason


def test_et3_letter_beside_a_valid_pair_is_not_judged() -> None:
    assert hits(base("RH:SC")(BASE_P), "AMBP039") == []


# --- P13, P31: QL ---------------------------------------------------------------------------------

def test_ql_on_a_ground_als_base_is_paid_at_bls() -> None:
    text = ONLY_BASE(base("RH:QL")(BASE_P))  # A0427 is ALS emergency
    found = hits(text, "AMBP013")
    assert len(found) == 2 and all(f.severity == "warning" for f in found)
    assert {f.element for f in found} == {"SV101-3", "SV101-4"}
    assert hits(ONLY_BASE(QL_BASE(BASE_P)), "AMBP013") == []


def test_mileage_without_pair_on_a_ql_date_is_not_payable() -> None:
    text = both(QL_BASE, miles("A0425"))(BASE_P)
    [f] = hits(text, "AMBP031")
    assert f.is_error and f.lx == "2" and f.stc == ("A8:448",)
    assert hits(text, "AMBP012") == []  # the QL trip's line: P31 tells what is wrong
    assert hits(both(QL_BASE, miles("A0425:GY"))(BASE_P), "AMBP031") == []


# --- P14, P15, P30: other modifiers -------------------------------------------------------------

def test_qm_message_is_the_notes_wording() -> None:
    [f] = hits(base("RH:QM")(BASE_P), "AMBP014")
    assert "QM/QN describe service by a provider of services (837I/FISS); on a Part B supplier claim the line" \
           " is denied" in f.message
    assert f.fix == "bill without QM/QN, or bill the 837I" and f.element == "SV101-4"


def test_patient_count_without_gm_and_gm_with_one_patient() -> None:
    [f] = hits(qty("3")(BASE_P), "AMBP015")
    assert f.stc == ("A7:453",) and f.lx == "1"
    gm_one = both(base("RH:GM"), qty("1", "SV1*HC:A0427:RH:GM*950*UN*1***1**Y"))(BASE_P)
    [g] = hits(gm_one, "AMBP015")
    assert g.segment == "QTY" and g.stc == ("A6:476",)
    assert [f.segment for f in hits(gm_one, "AMBP030") if f.segment == "QTY"] == []  # P15 has it


def test_gm_softer_checks() -> None:
    one_patient = qty("1")(BASE_P)
    [f] = hits(one_patient, "AMBP030")
    assert f.segment == "QTY" and f.severity == "warning"
    whole_trip = both(base("GM:RH"), qty("2", "SV1*HC:A0427:GM:RH*950*UN*1***1**Y"), miles("A0425:RH:GM"),
                      qty("2", "SV1*HC:A0425:RH:GM*180*UN*12.5***1"), p_swap("CLM*OK1*1130***41:B:1*Y*A*Y*Y~", NTE))
    [g] = hits(whole_trip(BASE_P), "AMBP030")
    assert g.element == "SV101-3" and "second" in g.message


# --- P16, P17, P38: units -------------------------------------------------------------------------

@pytest.mark.parametrize("units, paid, bill", [("12.25", "12.2", "12.3"), ("142.5", "142", "143"),
                                               ("99.99", "99.9", "100.0"), ("100.99", "100", "101")])
def test_over_precise_miles_name_what_medicare_pays_and_what_to_bill(units: str, paid: str, bill: str) -> None:
    [f] = hits(miles("A0425:RH", units)(BASE_P), "AMBP017")
    assert f.severity == "warning" and f.element == "SV104" and f.value == units and f.stc == ()
    assert f"pays {paid} (truncated)" in f.message and f"{bill} is what to report" in f.message
    assert f.fix == f"report {bill} in SV104"


@pytest.mark.parametrize("units", ["12.50", "100.0", "100", "0.9", "142", "12.500"])
def test_miles_are_judged_by_value(units: str) -> None:
    assert hits(miles("A0425:RH", units)(BASE_P), "AMBP017") == []


@pytest.mark.parametrize("units, severity, stc", [("0", "warning", ()), ("0.0", "warning", ()),
                                                  ("12.3456", "error", ("A7:697",)),
                                                  ("123456789", "error", ("A7:697",)),
                                                  ("-3", "error", ("A7:267", "A7:476"))])
def test_zero_negative_and_too_long_units(units: str, severity: str, stc: tuple[str, ...]) -> None:
    [f] = hits(miles("A0425:RH", units)(BASE_P), "AMBP017")
    assert f.severity == severity and f.stc == stc


def test_too_many_decimals_on_a_base_line_too() -> None:
    text = p_swap(BASE_LINE_P, "SV1*HC:A0427:RH*950*UN*1.0000***1**Y")(BASE_P)
    assert [f.lx for f in hits(text, "AMBP017")] == ["1"]
    assert hits(text, "AMBP016") == []  # one unit by value


def test_leading_zero_only_under_one_mile() -> None:
    [f] = hits(miles("A0425:RH", ".8")(BASE_P), "AMBP038")
    assert f.fix == "report 0.8" and f.severity == "warning"
    assert hits(miles("A0425:RH", "0.8")(BASE_P), "AMBP038") == []


# --- P18, P19: codes that go together -------------------------------------------------------------

def test_air_mileage_needs_an_air_base() -> None:
    [f] = hits(miles("A0436:RH", "38.4")(BASE_P), "AMBP018")
    assert f.is_error and f.element == "SV101-2" and f.value == "A0436"


def test_mileage_of_another_trip_on_the_same_date() -> None:
    [f] = hits(miles("A0425:RN")(BASE_P), "AMBP018")
    assert "RN" in f.message


def test_intercept_only_mileage_is_a_warning() -> None:
    text = p_swap("SV1*HC:A0427:RH*", "SV1*HC:A0432:RH*")(BASE_P)
    [f] = hits(text, "AMBP018")
    assert f.severity == "warning" and "A0432" in f.message


def test_air_line_inheriting_ground_pos_points_at_its_sv105() -> None:
    air = p_swap(MILES_DATED, MILES_DATED + "LX*3~SV1*HC:A0431:SH*5100*UN*1***1~" + DATE
                 + "LX*4~SV1*HC:A0436:SH*1075.20*UN*38.4***1~" + DATE)(BASE_P)
    found = hits(air, "AMBP019")
    assert sorted((f.lx, f.element) for f in found) == [("3", "SV105"), ("4", "SV105")]
    fixed = air.replace("SV1*HC:A0431:SH*5100*UN*1*", "SV1*HC:A0431:SH*5100*UN*1*42").replace(
        "SV1*HC:A0436:SH*1075.20*UN*38.4*", "SV1*HC:A0436:SH*1075.20*UN*38.4*42")
    assert hits(fixed, "AMBP019") == []


def test_ground_claim_under_air_pos_is_one_finding_at_clm05() -> None:
    [f] = hits(p_swap("41:B:1", "42:B:1")(BASE_P), "AMBP019")
    assert f.segment == "CLM" and f.element == "CLM05-1" and f.fix == "set CLM05-1 to 41"


# --- P22-P26, P34: coverage, charges, dates -----------------------------------------------------

@pytest.mark.parametrize("code", ["A0021", "A0130", "A0225", "A0998", "A0424"])
def test_codes_medicare_never_pays_need_gy_or_gz(code: str) -> None:
    assert [f.value for f in hits(miles(f"{code}:RH", "1")(BASE_P), "AMBP023")] == [code]
    assert hits(miles(f"{code}:RH:GZ", "1")(BASE_P), "AMBP023") == []


def test_ga_on_an_emergency_trip_and_its_mileage() -> None:
    text = both(base("RH:GA"), miles("A0425:RH:GA"))(BASE_P)
    found = hits(text, "AMBP023")
    assert sorted(f.lx for f in found) == ["1", "2"] and all(f.severity == "warning" for f in found)
    assert all(f.element == "SV101-4" for f in found)
    non_emergency = both(p_swap("SV1*HC:A0427:RH*", "SV1*HC:A0428:RH:GA*"), miles("A0425:RH:GA"))(BASE_P)
    assert hits(non_emergency, "AMBP023") == []


def test_a0380_and_a0390_are_p24_not_p23() -> None:
    text = miles("A0390:RH")(BASE_P)
    assert [f.rule for f in findings(text) if f.rule in ("AMBP023", "AMBP024")] == ["AMBP024"]


def test_zero_charge_warns_unless_non_covered() -> None:
    zero = p_swap(MILES_P, "SV1*HC:A0425:RH*0*UN*12.5***1")
    [f] = [f for f in hits(both(zero, p_swap("CLM*OK1*1130*", "CLM*OK1*950*"))(BASE_P), "AMBP025")]
    assert f.severity == "warning" and f.element == "SV102"
    gy = both(p_swap(MILES_P, "SV1*HC:A0425:RH:GY*0*UN*12.5***1"), p_swap("CLM*OK1*1130*", "CLM*OK1*950*"))
    assert hits(gy(BASE_P), "AMBP025") == []


def test_out_of_balance_names_the_sum() -> None:
    [f] = hits(p_swap("CLM*OK1*1130*", "CLM*OK1*1130.01*")(BASE_P), "AMBP025")
    assert f.element == "CLM02" and "1130" in f.fix and set(f.stc) == {"A7:400", "A7:178"}


def test_pcs_reminder_only_on_non_emergency_bases() -> None:
    """The medicare profile turns the PCS reminder off (the notes: info, off by default); a profile that
    asks for it gets it on the non-emergency base line only."""
    text = p_swap("SV1*HC:A0427:RH*", "SV1*HC:A0426:RH*")(BASE_P)
    assert hits(text, "AMBP022") == []
    assert [f.lx for f in p_findings(text, "AMBP022") if f.rule == "AMBP022"] == ["1"]


def test_line_dated_after_bht04_points_at_its_dtp() -> None:
    [f] = hits(p_swap(MILES_DATED, MILES_P + "~DTP*472*D8*20261002~")(BASE_P), "AMBP026")
    assert f.segment == "DTP" and f.lx == "2" and f.value == "20261002" and "2026-10-01" in f.message


@pytest.mark.parametrize("dates, fires", [("RD8*20260930-20261002", True), ("RD8*20260930-20261001", False),
                                          ("D8*20261001", False)])
def test_a_date_range_is_judged_by_its_last_day(dates: str, fires: bool) -> None:
    text = p_swap(MILES_DATED, MILES_P + f"~DTP*472*{dates}~")(BASE_P)
    assert [f.value for f in hits(text, "AMBP026")] == ([dates.split("*")[1]] if fires else [])


def test_same_day_trips_with_a_narrative_are_quiet() -> None:
    second = p_swap(LAST_LINE, LAST_LINE + "LX*3~SV1*HC:A0428:HN*480*UN*1***1~" + DATE)
    assert [f.lx for f in hits(second(BASE_P), "AMBP034")] == ["3"]
    assert hits(both(second, p_swap("CLM*OK1*1130***41:B:1*Y*A*Y*Y~", NTE))(BASE_P), "AMBP034") == []


# --- scope: ambulance 837P claims only ------------------------------------------------------------

def test_a_non_ambulance_837p_claim_is_not_judged() -> None:
    office = both(p_swap("41:B:1", "11:B:1"), p_swap(BASE_LINE_P, "SV1*HC:99213:QN*950*UN*2***1**Y"),
                  p_swap(MILES_P, "SV1*HC:85025*180*UN*12.5555***1"))(BASE_P)
    assert [f.rule for f in findings(office) if f.rule in SUPPLIER] == []


def test_the_837i_claim_meets_no_supplier_rule() -> None:
    assert [f.rule for f in findings(BASE) if f.rule in SUPPLIER] == []


def without_pcs_reminder(tmp_path) -> rules.Profile:
    """The Medicare profile as the notes want it: P22 (the PCS reminder) off by default."""
    p = tmp_path / "medicare-p.json"
    p.write_text('{"name": "medicare-p", "rules": {"AMBP022": "off"}}')
    return rules.load_profile(str(p))


def supplier_findings(path, profile: rules.Profile) -> list:
    result = check_file(str(path), Checker(profile, rules.Context(today=TODAY)))
    assert result.error is None and result.claims
    return [(f.rule, f.lx, f.message) for c in result.claims for f in c.all_findings if f.rule in SUPPLIER]


def test_the_837p_fixtures_are_correct_claims(tmp_path) -> None:
    profile = without_pcs_reminder(tmp_path)
    assert {p.name: supplier_findings(p, profile) for p in FIXTURES_837P} == {p.name: [] for p in FIXTURES_837P}


def test_the_837i_fixtures_never_meet_a_supplier_rule() -> None:
    profile = rules.load_profile()
    assert FIXTURES_837I
    assert {p.name: supplier_findings(p, profile) for p in FIXTURES_837I} == {p.name: [] for p in FIXTURES_837I}
