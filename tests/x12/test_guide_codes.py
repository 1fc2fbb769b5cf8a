"""Every guide-level finding in plain words (edi837/guide_codes.py): the message names the element,
says what is wrong and how to fix it, and never quotes patient data (issue 12, items 7, 8, 10). The
lines findings carry are tested in test_findings.py, a claim rejected with its set in test_results.py,
`edi837 rules CODE` in write/test_catalog.py."""

from __future__ import annotations

import io
import re

import pytest
from builders import BATCH, LF, check, corpus, corrupted_patient_loops, edit, findings_of
from conftest import ROOT

from edi837.engine.results import TransactionResult
from edi837.errors import InputError
from edi837.x12 import guide
from edi837.x12.read import segments
from edi837.x12.walk import Walker

# -- the messages -------------------------------------------------------------------------------------

def test_a_guide_message_names_the_element_says_what_is_wrong_and_how_to_fix_it() -> None:
    [tx] = [x for x in check(edit(BATCH, "N4*SPRINGFIELD*IL*627690001", "N4*SPRINGFIELD*IL*62769"))
            if isinstance(x, TransactionResult)]
    [f] = tx.findings
    assert f.message == ("Billing Provider Postal Zone or ZIP Code (N403) must be 9 digits: the ZIP code with"
                         " its 4-digit extension (ZIP+4)")
    assert f.value == "62769" and "62769" not in f.message
    assert "9 digits" in f.fix and "N403" in f.fix


def test_a_syntax_rule_is_said_in_words_naming_each_element() -> None:
    text = edit(BATCH, "NM1*85*2*GENERAL HOSPITAL*****XX*1234567893", "NM1*85*2*GENERAL HOSPITAL*****XX")
    [f] = [f for f in findings_of(check(text)) if f.rule == "X12-IK4-2"]
    assert f.message == ("NM1 syntax rule P0809: if either NM108 (Identification Code Qualifier) or NM109"
                         " (Billing Provider Identifier) is present, both are required")
    assert f.fix == "fill in both NM108 and NM109, or leave both empty"


@pytest.mark.parametrize("old,new,rule,words", [
    ("CLM*LF-1*716.00***13:A:1**A*Y*Y", "CLM*LF-1*716.00***13:A:1**Q*Y*Y", "X12-IK4-7",
     "Assignment or Plan Participation Code (CLM07) is not a code the guide allows here"),
    ("DTP*434*RD8*20260914-20260914", "DTP*434*RD8*20260914", "X12-IK4-8",
     "(DTP03) is not in the date format its qualifier names (CCYYMMDD-CCYYMMDD)"),
    ("SV2*0540*HC:A0429:SH:QN*620.00*UN*1", "SV2*0540*HC:A0429:SH:QN*6X0.00*UN*1", "X12-IK4-6",
     "(SV203) is not a number"),
    ("CL1*1*1*01", "CL1*1*1*01*", "X12-IK4-3", "segment CL1 (Institutional Claim Code) ends with an empty element"),
    ("CLM*LF-1*716.00***13:A:1**A*Y*Y", "CLM*LF-1*716.00***13:A:1*X*A*Y*Y", "X12-IK4-10",
     "(CLM06) is not used in the 837I guide"),
])
def test_each_kind_of_element_error_in_words(old: str, new: str, rule: str, words: str) -> None:
    got = [f for f in findings_of(check(edit(LF, old, new))) if f.rule == rule]
    assert got and words in got[0].message and got[0].fix, [f.message for f in got]


def test_a_segment_out_of_place_is_named_and_an_unknown_one_said_to_be_none_of_the_guides() -> None:
    moved = [f for f in findings_of(check(edit(LF, "HI*ABK:R69~\n", "HI*ABK:R69~\nCL1*1*1*01~\n")))
             if f.rule == "X12-IK3-1"]
    assert moved and moved[0].message.startswith("segment CL1 (Institutional Claim Code) has no place here")
    unknown = [f for f in findings_of(check(edit(LF, "HI*ABK:R69~\n", "HI*ABK:R69~\nZZQ*1~\n"))) if f.rule == "X12-IK3-1"]
    assert unknown and unknown[0].message.startswith("segment ZZQ is not a segment of the 837I guide")
    assert unknown[0].fix == "remove ZZQ"


P_BLS = (ROOT / "fixtures" / "837p-bls-emergency.837").read_text()


@pytest.mark.parametrize("old,new,rule,words", [
    ("SV1*HC:A0429:RH*650.00*UN*1***1**Y", "SV1*HC:A0429:RH*650.00*UN*1**X*1**Y", "X12-IK4-10",
     "Service Type Code (SV106) is not used in the 837P guide"),
    ("HI*ABK:R0789~", "HI*ABK:R0789~ZZQ*1~", "X12-IK3-1", "segment ZZQ is not a segment of the 837P guide"),
    # a segment of the 837I guide only is none of the 837P's (and CR1 none of the 837I's, above)
    ("HI*ABK:R0789~", "HI*ABK:R0789~CL1*1*1*01~", "X12-IK3-1", "segment CL1 is not a segment of the 837P guide"),
    ("HI*ABK:R0789~", "HI*ABK:R0789~DMG*D8*19410305*F~", "X12-IK3-1",
     "segment DMG (Subscriber Demographic Information) has no place here (after loop 2300): the 837P guide does"
     " not allow it at this point"),
])
def test_a_guide_message_names_the_837p_guide_in_an_837p_set(old: str, new: str, rule: str, words: str) -> None:
    got = [f for f in findings_of(check(edit(P_BLS, old, new))) if f.rule == rule]
    assert got and words in got[0].message and "837I" not in got[0].message + got[0].fix, [f.message for f in got]


def test_a_segment_of_the_837p_only_is_not_a_segment_of_the_837i_guide() -> None:
    [f] = [f for f in findings_of(check(edit(LF, "HI*ABK:R69~\n", "HI*ABK:R69~\nCR1*LB*180**A*DH*12.5~\n")))
           if f.rule == "X12-IK3-1"]
    assert f.message.startswith("segment CR1 is not a segment of the 837I guide") and "belongs to the 837P" in f.message


def test_a_misplaced_cr1_in_an_837p_gets_no_hint_that_it_belongs_to_the_837p() -> None:
    [f] = [f for f in findings_of(check(edit(P_BLS, "DMG*D8*19410305*F~", "DMG*D8*19410305*F~CR1*LB*180**A*DH*12.5~")))
           if f.rule == "X12-IK3-1"]
    assert f.message == ("segment CR1 (Ambulance Transport Information) has no place here (after loop 2010BA):"
                         " the 837P guide does not allow it at this point")


def test_a_code_list_too_long_to_list_is_named_by_the_sets_guide() -> None:
    from edi837.x12.fixes import code_fix  # noqa: PLC0415

    g = guide.load()
    for version, (kind, _map) in guide.GUIDES.items():
        long_lists = [s for n in g.tree(version) for s in n.elements
                      if isinstance(s, guide.ElementSpec) and len(s.codes) > 12 and not s.external]
        assert long_lists and {code_fix(s) for s in long_lists[:3]} == {
            f"use one of the codes the {kind} guide lists for {s.ref}" for s in long_lists[:3]}


def test_a_length_error_counts_in_words() -> None:
    [f] = [f for f in findings_of(check(edit(LF, "CL1*1*1*01", "CL1*1*12*01"))) if f.rule == "X12-IK4-5"]
    assert f.message == "Admission Source Code (CL102) is too long: 2 characters, at most 1"
    assert f.fix == "write CL102 with exactly 1 character"


def test_the_clm07_fix_lists_its_few_codes() -> None:
    [f] = [f for f in findings_of(check(edit(LF, "**A*Y*Y", "**Q*Y*Y"))) if f.rule == "X12-IK4-7"]
    assert f.fix == "use one of the codes the guide allows in CLM07: A, B, C"


# Values of the patient loops that must never reach a message or a fix: names, member ids, addresses,
# birth dates (2010BA, 2010CA) and diagnosis codes (HI in 2300). Values shorter than 3 characters (a sex
# code, a state) say nothing about a patient and would match by chance.
PATIENT_LOOPS = {"2010BA", "2010CA"}
PATIENT_ELEMENTS = {"NM1": (3, 4, 5, 7, 9), "N3": (1, 2), "N4": (1, 3), "DMG": (2,)}


def patient_values(data: bytes) -> set[str]:
    out: set[str] = set()
    walker = Walker(guide.load())
    try:
        for seg in segments(io.BytesIO(data), "t.837"):
            if walker.tag(seg, []) < 0:
                continue
            els = seg.elements
            if walker.loop in PATIENT_LOOPS:
                out.update(els[i] for i in PATIENT_ELEMENTS.get(els[0], ()) if i < len(els))
            elif walker.loop == "2300" and els[0] == "HI":
                out.update(part for el in els[1:] for part in el.split(seg.delims.component)[1:2])
    except InputError:
        pass
    return {v for v in out if len(v.strip()) >= 3}


def test_patient_values_in_error_are_in_the_value_field_and_never_in_a_message() -> None:
    data = corrupted_patient_loops()
    found = findings_of(check(data))
    secret = patient_values(data)
    assert {"4EG4TE5MK11" + "7" * 80, "19451399", "NGUYEN" + "Q" * 70} <= secret
    bad_values = {f.value for f in found}
    assert {"4EG4TE5MK11" + "7" * 80, "19451399", "NGUYEN" + "Q" * 70} <= bad_values  # the clerk's report has them
    assert any(f.segment == "HI" and f.ik4 == "6" for f in found)
    for f in found:
        for v in secret:
            assert v not in f.message and v not in f.fix, (f.rule, f.message, v)


def quoted(value: str, text: str) -> bool:
    """`value` appears in `text` as a whole (not as a piece of a longer number or word)."""
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", text) is not None


def test_no_message_quotes_a_patient_value_over_the_fixtures_samples_and_mutants() -> None:
    checked = 0
    for data in corpus():
        secret = patient_values(data)
        for f in findings_of(check(data)):
            checked += 1
            leaked = [v for v in secret if quoted(v, f.message) or quoted(v, f.fix)]
            assert not leaked, (f.rule, f.message, leaked)
    assert checked > 500


