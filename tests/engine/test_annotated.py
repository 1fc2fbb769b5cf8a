"""The annotated 837 (edi837.engine.annotated) and `edi837 annotate`: every segment with its loop id and the
guide's names, every finding of the check under the segment (and element) it points at."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import CASES, CLAIM, ISA, invoke
from conftest import FIXTURES, ROOT

import edi837
from edi837.answers.write import annotate_text
from edi837.engine.annotated import ClaimMatcher, attach, claims_of, element_place, segments_of
from edi837.findings import Finding


@pytest.fixture(scope="module")
def flagged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = ISA + CLAIM
    path = tmp_path_factory.mktemp("ann") / "flagged.837"
    path.write_text("\n".join([base, CASES["AMB006"][0](base), CASES["COD005"][0](base), CASES["AMB019"][0](base)]))
    return path


def test_segments_carry_loop_and_guide_names() -> None:
    segs = list(segments_of(str(ROOT / "fixtures" / "bls-emergency.837")))
    clm = next(s for s in segs if s.id == "CLM")
    assert (clm.loop, clm.name, clm.loop_name) == ("2300", "Claim Information", "Claim Information")
    assert clm.elements[0][0].ref == "CLM01" and clm.elements[0][0].name == "Patient Control Number"
    facility = clm.elements[4]
    assert [(e.ref, e.name) for e in facility][0] == ("CLM05-01", "Facility Type Code")
    sv2 = next(s for s in segs if s.id == "SV2")
    assert sv2.loop == "2400" and sv2.name == "Institutional Service Line"
    assert [s.position for s in segs if s.set_number == 1][:3] == [1, 2, 3]  # ST = 1, as findings count


def test_837p_segments_are_named_from_the_837p_guide() -> None:
    """An 837P set's segments get the X222A1 guide's loops and names, in a file that holds an 837I set
    before it (one node table for both guides: the walker switches tree at the 837P's GS)."""
    segs = list(segments_of(str(ROOT / "fixtures" / "mixed-837i-837p.837")))
    clm_i, clm_p = [s for s in segs if s.id == "CLM"]
    assert clm_i.elements[4][0].name == "Facility Type Code" and clm_p.elements[4][0].name == "Place of Service Code"
    assert {s.name for s in segs if s.id == "SV1"} == {"Professional Service"}
    assert {s.name for s in segs if s.id == "SV2"} == {"Institutional Service Line"}
    cr1 = next(s for s in segs if s.id == "CR1")
    assert (cr1.loop, cr1.name) == ("2300", "Ambulance Transport Information")
    assert [e.name for e in cr1.elements[5]] == ["Transport Distance"]
    pickup = [s for s in segs if s.loop == "2310E"]
    assert [s.id for s in pickup] == ["NM1", "N3", "N4"] and pickup[0].name == "Ambulance Pick-up Location"


def test_claims_group_their_person_loops_and_own_segments() -> None:
    path = next(p for p in FIXTURES if p.name == "multi-patient.837")
    result = edi837.check(path)
    grouped = list(claims_of(segments_of(str(path))))
    assert [g.clm_position for g in grouped] == [c.claim.where.position for c in result.claims]
    for g in grouped:
        assert g.own[0].id == "CLM" and all(s.loop[:2] in ("23", "24") for s in g.own)
        assert g.context[0].id == "HL" and {s.loop for s in g.context} <= {"2000B", "2010BA", "2010BB", "2000C", "2010CA"}


def test_findings_attach_to_their_segment_and_element(flagged: Path) -> None:
    result = edi837.check(flagged, today=edi837.api.dt.date(2026, 11, 22))
    matcher = ClaimMatcher(str(flagged))
    for tx in result.transactions:
        for c in tx.claims:
            segs = matcher.find(tx.number, c.claim.where.position)
            assert segs is not None
            left = attach(segs.segments, c.all_findings)
            assert not left
            for f in c.all_findings:
                seg = next(s for s in segs.segments if f in s.findings)
                assert (seg.id, seg.position) == (f.segment, f.position)
                place = element_place(f)
                if place is not None:
                    assert any(f in el.findings for el in seg.elements[place[0] - 1])
    assert element_place(Finding("X", "error", "m", segment="SV2", element="SV202-2")) == (2, 2)
    assert element_place(Finding("X", "error", "m", segment="HI", element="HI01-02")) == (1, 2)
    assert element_place(Finding("X", "error", "m", segment="CLM", element="HI")) is None


def test_annotate_prints_every_segment_and_finding(flagged: Path) -> None:
    res = invoke("annotate", "--today", "2026-11-22", str(flagged))
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    raw = [s for s in flagged.read_text().replace("\n", "").split("~") if s]
    text_at = 5 + 2 + 11 + 1 + annotate_text.NAME_WIDTH + 2  # place, loop id, guide name, then the segment
    shown = [ln for ln in lines if ln[5:7] == "  " and ln[7:8].strip()]
    assert [ln[text_at:] for ln in shown] == raw  # one line a segment, in file order
    result = edi837.check(flagged, today=edi837.api.dt.date(2026, 11, 22))
    for f in {f for c in result.claims for f in c.all_findings}:
        at = next(i for i, ln in enumerate(lines) if f.message in ln)
        above = next(ln for ln in reversed(lines[:at]) if ln in shown)
        assert f" {f.loop} " in above and above.rstrip().split()[0] == str(f.position)
    assert "(SV205 Service Unit Count)" in res.stdout
    assert res.stdout.rstrip().endswith("1 file, 4 claims: 1 accepted, 3 rejected")  # AMB019 (two A0) is an error


def test_annotate_refuses_stdin_and_reports_unreadable(tmp_path: Path) -> None:
    res = invoke("annotate", "-", input=FIXTURES[0].read_bytes())
    assert res.exit_code == 2 and "regular file" in res.stderr
    bad = tmp_path / "bad.837"
    bad.write_text("hello")
    res = invoke("annotate", str(bad))
    assert res.exit_code == 2 and "UNREADABLE" in res.stdout and "Traceback" not in res.output


def test_annotate_takes_several_files_and_names_each_it_refuses(flagged: Path, tmp_path: Path) -> None:
    """`annotate a b` annotates both, one after the other (as `check a b` checks both); a name that is
    no regular file gets its own error line, not click's bare "unexpected extra argument"."""
    res = invoke("annotate", "--today", "2026-11-22", str(flagged), str(FIXTURES[0]))
    assert res.exit_code == 1
    assert res.stdout.splitlines()[0] == str(flagged) and f"\n{FIXTURES[0]}\n" in res.stdout
    assert res.stdout.rstrip().endswith("2 files, 5 claims: 2 accepted, 3 rejected")
    res = invoke("annotate", str(tmp_path / "a"), str(FIXTURES[0]), str(tmp_path))
    assert res.exit_code == 2 and res.stdout == "" and "extra argument" not in res.output
    assert res.stderr.splitlines() == [f"error: {tmp_path / 'a'}: no such file",
                                       f"error: {tmp_path}: annotate reads a file twice (once to check it, once to"
                                       " annotate it): give a regular file"]
