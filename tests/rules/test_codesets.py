"""Code sets and identifiers (edi837/rules/codesets.py: COD, NPI, DAT, MBI, TIN): each fires on its case and not
on its near miss; the statement period; the forms of the MBI, tax id, taxonomy, diagnosis and HCPCS codes."""

from __future__ import annotations

import io

import pytest
from builders import (
    BASE,
    TODAY,
    assert_fires,
    assert_near_miss_is_quiet,
    family,
    rule_findings,
    swap,
    with_taxonomy,
)

from edi837 import rules
from edi837.engine.pipeline import parse_stream


@pytest.mark.parametrize("rule_id", family("codesets"))
def test_rule_fires(rule_id: str) -> None:
    assert_fires(rule_id)


@pytest.mark.parametrize("rule_id", family("codesets"))
def test_near_miss_does_not_fire(rule_id: str) -> None:
    assert_near_miss_is_quiet(rule_id)


def test_statement_period_in_the_future() -> None:
    [f] = rule_findings(swap("RD8*20260914-20260915", "RD8*20260914-20261201")(BASE), "DAT001")
    assert f.stc == ("A7:510",) and f.segment == "DTP" and f.element == "DTP03"


@pytest.mark.parametrize("mbi, problem", [
    ("123456789A", "11"),  # a HICN (SSN-based), no longer accepted
    ("1EG4-TE5-MK73", "11"),  # the card's dashes
    ("0EG4TE5MK73", "character 1"),
    ("1SG4TE5MK73", "character 2"),  # S is never an MBI letter
    ("1EG4TE5MK7O", "character 11"),
    ("1eg4te5mk73", "character 2"),  # letters are uppercase
])
def test_mbi_form(mbi: str, problem: str) -> None:
    [f] = rule_findings(swap("MI*1EG4TE5MK73", f"MI*{mbi}")(BASE), "MBI001")
    assert problem in f.message and f.stc == ("A7:164:IL",) and f.element == "NM109"
    assert mbi not in f.message and f.value == mbi  # the id is patient data: in the value, never the message


@pytest.mark.parametrize("mbi", ["1EG4TE5MK73", "9AA9AA9AA99", "1A09A09AA99", "8Y99Y99YY00"])
def test_real_mbis_pass(mbi: str) -> None:
    assert rule_findings(swap("MI*1EG4TE5MK73", f"MI*{mbi}")(BASE), "MBI001") == []


def test_mbi_is_checked_only_as_a_member_id() -> None:
    other = swap("MI*1EG4TE5MK73", "II*123456789")(BASE)  # NM108 II (standard unique health identifier): not an MBI
    assert rule_findings(other, "MBI001") == []


def test_mbi_rule_is_medicare_s_another_payer_s_profile_turns_it_off(tmp_path) -> None:
    p = tmp_path / "payer.json"
    p.write_text('{"name": "commercial", "rules": {"MBI001": "off"}}')
    [claim] = list(parse_stream(io.BytesIO(swap("MI*1EG4TE5MK73", "MI*XYZ123456789")(BASE).encode()), "t"))
    assert "MBI001" not in {f.rule for f in rules.run(claim, rules.load_profile(str(p)), rules.Context(today=TODAY))}
    assert "MBI001" in {f.rule for f in rules.run(claim, rules.load_profile(), rules.Context(today=TODAY))}


@pytest.mark.parametrize("tin, fires", [("37123456", True), ("3712345678", True), ("37-1234567", True),
                                        ("37123456A", True), ("061234567", False), ("371234567", False)])
def test_tax_id_is_nine_digits(tin: str, fires: bool) -> None:
    found = rule_findings(swap("REF*EI*371234567", f"REF*EI*{tin}")(BASE), "TIN001")
    assert bool(found) == fires
    assert all(f.stc == ("A7:128:85",) and f.element == "REF02" for f in found)


@pytest.mark.parametrize("taxonomy, fires", [("341600000X", False), ("3416L0300X", False), ("225X00000X", False),
                                             ("34160000X", True), ("341600000x", True), ("3416000000", True),
                                             ("X416000000", True)])
def test_taxonomy_form(taxonomy: str, fires: bool) -> None:
    assert bool(rule_findings(with_taxonomy(taxonomy)(BASE), "COD010")) == fires


def test_condition_codes_repeated_across_two_hi_segments() -> None:
    [f] = rule_findings(swap("HI*BG:AM", "HI*BG:AM~HI*BG:AL*BG:AM")(BASE), "COD009")
    assert f.element == "HI02" and f.value == "AM" and f.stc == ("A7:460",)


@pytest.mark.parametrize("code, fires", [("S72001A", False), ("R69", False), ("C4A0", False), ("Z3A39", False),
                                         ("S72.001A", True), ("72001", True), ("S7", True), ("S72001AA", True),
                                         ("s72001a", True)])
def test_diagnosis_form(code: str, fires: bool) -> None:
    found = rule_findings(swap("HI*ABF:R0789", f"HI*ABF:{code}")(BASE), "COD011")
    assert bool(found) == fires
    assert all(f.stc == ("A7:255",) and code not in f.message for f in found)


def test_icd9_diagnoses_are_not_accepted_for_services_since_the_icd10_date() -> None:
    [f] = rule_findings(swap("HI*ABK:S72001A", "HI*BK:8208")(BASE), "COD011")
    assert f.stc == ("A7:254",) and "ICD-9" in f.message


@pytest.mark.parametrize("code, fires", [("A0427", False), ("99283", False), ("0001F", False),
                                         ("A042X", True), ("A123B", True), ("a0427", True), ("A04271", True)])
def test_hcpcs_form(code: str, fires: bool) -> None:
    assert bool(rule_findings(swap("HC:A0427:", f"HC:{code}:")(BASE), "COD005")) == fires
