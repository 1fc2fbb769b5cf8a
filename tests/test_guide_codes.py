"""Every finding in plain words, at its own line: guide-level messages name the element, say what is
wrong and how to fix it without quoting patient data; findings carry the segment's line; a claim
rejected with its set says why; `edi837 rules CODE` prints one entry (issue 12, items 7, 8, 10)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT, SAMPLES_837I
from builders import mutants

from edi837 import results as results_mod
from edi837 import guide, guide_codes, parallel, rules
from edi837.cli import main
from edi837.findings import CLAIM, TRANSACTION, Finding
from edi837.pipeline import Checker
from edi837.results import ClaimResult, GroupResult, InterchangeResult, TransactionResult
from edi837.read import EdiError, segments
from edi837.walk import Walker
from edi837.read import DEFAULT_DELIMITERS
from edi837.write import ack277, ack999, values

TODAY = dt.date(2026, 11, 22)
LF = (ROOT / "fixtures" / "lf-lines.837").read_text()
BATCH = (ROOT / "fixtures" / "batch.837").read_text()


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def check(data: bytes | str) -> list[TransactionResult | GroupResult | InterchangeResult]:
    raw = data.encode() if isinstance(data, str) else data
    checker = Checker(rules.load_profile(), rules.Context(today=TODAY))
    out: list = []
    try:
        out.extend(checker.run(io.BytesIO(raw), "t.837"))
    except EdiError:
        pass  # an unreadable file: what was read before is checked all the same
    return out


def findings(items: list) -> list[Finding]:
    out: list[Finding] = []
    for item in items:
        out += item.findings
        if isinstance(item, TransactionResult):
            out += [f for c in item.claims for f in c.all_findings]
    return out


def cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.output


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
    [f] = [f for f in findings(check(text)) if f.rule == "X12-IK4-2"]
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
    got = [f for f in findings(check(edit(LF, old, new))) if f.rule == rule]
    assert got and words in got[0].message and got[0].fix, [f.message for f in got]


def test_a_segment_out_of_place_is_named_and_an_unknown_one_said_to_be_none_of_the_guides() -> None:
    moved = [f for f in findings(check(edit(LF, "HI*ABK:R69~\n", "HI*ABK:R69~\nCL1*1*1*01~\n")))
             if f.rule == "X12-IK3-1"]
    assert moved and moved[0].message.startswith("segment CL1 (Institutional Claim Code) has no place here")
    unknown = [f for f in findings(check(edit(LF, "HI*ABK:R69~\n", "HI*ABK:R69~\nZZQ*1~\n"))) if f.rule == "X12-IK3-1"]
    assert unknown and unknown[0].message.startswith("segment ZZQ is not a segment of the 837I guide")
    assert unknown[0].fix == "remove ZZQ"


def test_a_length_error_counts_in_words() -> None:
    [f] = [f for f in findings(check(edit(LF, "CL1*1*1*01", "CL1*1*12*01"))) if f.rule == "X12-IK4-5"]
    assert f.message == "Admission Source Code (CL102) is too long: 2 characters, at most 1"
    assert f.fix == "write CL102 with exactly 1 character"


def test_the_clm07_fix_lists_its_few_codes() -> None:
    [f] = [f for f in findings(check(edit(LF, "**A*Y*Y", "**Q*Y*Y"))) if f.rule == "X12-IK4-7"]
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
    except EdiError:
        pass
    return {v for v in out if len(v.strip()) >= 3}


def corrupted_patient_loops() -> bytes:
    """lf-lines with an error in each patient value: too long a member id, an invalid birth date, a
    diagnosis code with an invalid character and a patient name that is too long."""
    text = edit(LF, "MI*4EG4TE5MK11~", "MI*4EG4TE5MK11" + "7" * 80 + "~")
    text = edit(text, "DMG*D8*19450314*F", "DMG*D8*19451399*F")
    text = edit(text, "HI*ABK:R69~", "HI*ABK:R69\x07~")
    text = edit(text, "NM1*IL*1*NGUYEN*JANE", "NM1*IL*1*NGUYEN" + "Q" * 70 + "*JANE")
    return text.encode()


def test_patient_values_in_error_are_in_the_value_field_and_never_in_a_message() -> None:
    data = corrupted_patient_loops()
    found = findings(check(data))
    secret = patient_values(data)
    assert {"4EG4TE5MK11" + "7" * 80, "19451399", "NGUYEN" + "Q" * 70} <= secret
    bad_values = {f.value for f in found}
    assert {"4EG4TE5MK11" + "7" * 80, "19451399", "NGUYEN" + "Q" * 70} <= bad_values  # the clerk's report has them
    assert any(f.segment == "HI" and f.ik4 == "6" for f in found)
    for f in found:
        for v in secret:
            assert v not in f.message and v not in f.fix, (f.rule, f.message, v)


def corpus() -> list[bytes]:
    files = [p.read_bytes() for p in FIXTURES + SAMPLES_837I if p.is_file()]
    return files + mutants(300, seed=12) + [corrupted_patient_loops()]


def quoted(value: str, text: str) -> bool:
    """`value` appears in `text` as a whole (not as a piece of a longer number or word)."""
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", text) is not None


def test_no_message_quotes_a_patient_value_over_the_fixtures_samples_and_mutants() -> None:
    checked = 0
    for data in corpus():
        secret = patient_values(data)
        for f in findings(check(data)):
            checked += 1
            leaked = [v for v in secret if quoted(v, f.message) or quoted(v, f.fix)]
            assert not leaked, (f.rule, f.message, leaked)
    assert checked > 500


# -- lines ----------------------------------------------------------------------------------------------

def line_of(text: str, start: str) -> int:
    """The 1-based line of the first segment starting with `start`."""
    [n] = [i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith(start)]
    return n


@pytest.mark.parametrize("name", ["lf-lines.837", "crlf.837"])
def test_findings_carry_the_line_of_their_segment(name: str, tmp_path: Path) -> None:
    text = (ROOT / "fixtures" / name).read_bytes().decode()
    text = re.sub(r"SV2\*0540\*HC:A0425:([A-Z:]*)\*([0-9.]+)\*UN\*[0-9.]+", r"SV2*0540*HC:A0425:\1*\2*UN*8.123",
                  text, count=1)  # AMB006: mileage with three decimals
    text = re.sub(r"\nSE\*[0-9]+", "\nSE*99", text)  # and the set is rejected
    found = findings(check(text))
    sv2 = [f for f in found if f.rule == "AMB006"]
    se = [f for f in found if f.rule == "X12-ENV-TR4"]
    assert sv2 and se
    assert {f.line for f in sv2} == {line_of(text, "SV2*0540*HC:A0425")}
    assert {f.line for f in se} == {line_of(text, "SE*")}
    path = tmp_path / name
    path.write_bytes(text.encode())
    _, out = cli("check", str(path))
    assert f"SV2 (segment {sv2[0].position}, line {sv2[0].line})" in out
    _, out = cli("check", "--format", "json", str(path))
    doc = json.loads(out)
    entry = doc["files"][0]
    lines = {(f["rule"], f["line"]) for c in entry["claims"] for f in c["findings"]}
    lines |= {(f["rule"], f["line"]) for t in entry["transactions"] for f in t["findings"]}
    assert ("AMB006", sv2[0].line) in lines and ("X12-ENV-TR4", se[0].line) in lines


def test_a_file_without_line_breaks_shows_no_line_in_text(tmp_path: Path) -> None:
    path = tmp_path / "one-line.837"
    path.write_text(edit(BATCH, "N4*SPRINGFIELD*IL*627690001", "N4*SPRINGFIELD*IL*62769"))
    _, out = cli("check", str(path))
    assert "N4 (segment 10), N403" in out and ", line " not in out
    _, out = cli("check", "--format", "json", str(path))
    assert {f["line"] for f in json.loads(out)["files"][0]["transactions"][0]["findings"]} == {1}


def test_a_structure_error_is_located_at_the_line_where_it_was_found() -> None:
    text = edit(LF, "CL1*1*1*01~\n", "")  # CL1 missing: reported at the next segment, HI
    [f] = [f for f in findings(check(text)) if f.rule == "X12-IK3-3"]
    assert f.segment == "CL1" and f.line == line_of(text, "HI*ABK")


# -- a rejected claim says why --------------------------------------------------------------------------

def test_a_claim_rejected_with_its_set_carries_the_sets_error_in_text_and_json(tmp_path: Path) -> None:
    text = edit(LF, "SE*30*0001", "SE*31*0001")
    [tx] = [x for x in check(text) if isinstance(x, TransactionResult)]
    [c] = list(tx.claims)
    assert c.status == "rejected"
    [f] = c.all_findings
    assert (f.rule, f.scope, f.segment, f.position, f.line) == ("X12-ENV-TR4", TRANSACTION, "SE", 30, 32)
    assert f.claim_id == "LF-1" and "rejected with its transaction set 0001" in f.message and f.fix
    path = tmp_path / "se.837"
    path.write_text(text)
    _, out = cli("check", "--format", "json", str(path))
    [claim] = json.loads(out)["files"][0]["claims"]
    assert [(g["rule"], g["scope"], g["segment"]) for g in claim["findings"]] == [("X12-ENV-TR4", "transaction", "SE")]
    _, out = cli("check", str(path))
    claim_part = out.split("REJECTED claim LF-1")[1]
    assert "X12-ENV-TR4 SE (segment 30, line 32)" in claim_part and "rejected with its transaction set" in claim_part


def test_every_claim_of_a_set_rejected_in_its_billing_provider_says_why() -> None:
    [tx] = [x for x in check(edit(BATCH, "N4*SPRINGFIELD*IL*627690001", "N4*SPRINGFIELD*IL*62769"))
            if isinstance(x, TransactionResult)]
    assert len(tx.claims) == 26
    for c in tx.claims:
        assert c.status == "rejected"
        assert [(f.rule, f.segment, f.element, f.scope) for f in c.all_findings if f.is_error] == [
            ("X12-IK4-7", "N4", "N403", TRANSACTION)]


def test_a_claim_with_errors_of_its_own_is_not_given_the_sets_error() -> None:
    text = edit(edit(BATCH, "N4*SPRINGFIELD*IL*627690001", "N4*SPRINGFIELD*IL*62769"),
                "CLM*BATCH-0-1*716.00***13:A:1**A*Y*Y", "CLM*BATCH-0-1*716.00***13:A:1**Q*Y*Y")
    [tx] = [x for x in check(text) if isinstance(x, TransactionResult)]
    own = next(c for c in tx.claims if c.claim.claim_id == "BATCH-0-1")
    assert [f.element for f in own.all_findings if f.is_error] == ["CLM07"]


def test_a_claim_rejected_through_its_person_loop_carries_that_loops_error() -> None:
    [tx] = [x for x in check(edit(BATCH, "DMG*D8*19460712*F", "DMG*D8*19461332*F"))
            if isinstance(x, TransactionResult)]
    rejected = [c for c in tx.claims if c.status == "rejected"]
    assert len(rejected) == 5
    for c in rejected:
        assert [(f.loop, f.segment, f.element, f.scope) for f in c.all_findings if f.is_error] == [
            ("2010BA", "DMG", "DMG02", CLAIM)]


def test_the_277ca_of_a_claim_rejected_with_its_set_is_unchanged_a3_21() -> None:
    [tx] = [x for x in check(edit(LF, "SE*30*0001", "SE*31*0001")) if isinstance(x, TransactionResult)]
    text = "".join(ack277.render(tx, 1, 5, dt.datetime(2026, 11, 22, 9, 30), "CH", "CH", 6))
    assert "STC*A3:21*20261122*U*716" in text


def test_the_999_names_a_sets_error_once_not_once_per_claim() -> None:
    [tx] = [x for x in check(edit(BATCH, "N4*SPRINGFIELD*IL*627690001", "N4*SPRINGFIELD*IL*62769"))
            if isinstance(x, TransactionResult)]
    segs = ack999.transaction_segments(tx, DEFAULT_DELIMITERS)
    assert [s for s in segs if s[:3] in ("IK3", "IK4", "CTX")] == ["IK3*N4*10*2010*8", "IK4*3*116*7*62769"]


def test_a_spilled_claim_rejected_with_its_set_says_why_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results_mod, "SPOOL_CLAIMS", 3)
    [tx] = [x for x in check(edit(BATCH, "N4*SPRINGFIELD*IL*627690001", "N4*SPRINGFIELD*IL*62769"))
            if isinstance(x, TransactionResult)]
    assert tx.claims.spills
    assert all([f.rule for f in c.all_findings if f.is_error] == ["X12-IK4-7"] for c in tx.claims)


def test_set_reason_names_the_count_of_the_sets_errors() -> None:
    a = Finding(rule="X12-ENV-TR4", severity="error", message="SE01 is wrong", scope=TRANSACTION, transaction="7")
    b = Finding(rule="X12-IK3-3", severity="error", message="missing", scope=TRANSACTION, transaction="7")
    reason = results_mod.set_reason([a, b])
    assert reason is not None and reason.rule == "X12-ENV-TR4" and reason.stc == ("A3:21",)
    assert reason.message.endswith("SE01 is wrong (and 1 more error of the set, listed with it)")
    assert results_mod.set_reason([]) is None


# -- the catalog ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("code,fragment", [
    ("AMB006", "Mileage lines"), ("amb006", "Mileage lines"), ("X12-IK4-7", "Invalid code value"),
    ("X12-ENV-TR4", "IK502 = 4"), ("X12-MORE", "More errors than listed"),
])
def test_rules_code_prints_one_entry(code: str, fragment: str) -> None:
    rc, out = cli("rules", code)
    assert rc == 0 and fragment in out and out.splitlines()[0].startswith(code.upper())
    assert "AMB001" not in out


def test_rules_code_as_json_and_markdown() -> None:
    rc, out = cli("rules", "X12-IK3-3", "--format", "json")
    doc = json.loads(out)
    assert rc == 0 and doc["id"] == "X12-IK3-3" and doc["stc"] == ["A6:21"] and doc["fix"]
    rc, out = cli("rules", "AMB006", "--format", "markdown")
    assert rc == 0 and out.startswith("## AMB006")


def test_an_unknown_rule_code_is_a_clear_error() -> None:
    res = CliRunner().invoke(main, ["rules", "NOPE42"])
    assert res.exit_code == 2 and "no rule or X12 code 'NOPE42'" in res.output


def test_the_catalog_lists_every_x12_code() -> None:
    ids = {c.id for c in guide_codes.CODES}
    assert {f"X12-IK3-{n}" for n in range(1, 9)} | {f"X12-IK4-{n}" for n in range(1, 11)} | {"X12-MORE"} <= ids
    _, out = cli("rules")
    assert all(re.search(rf"^{re.escape(i)} ", out, re.M) for i in ids)


def test_every_envelope_code_envelope_py_can_report_is_in_the_catalog() -> None:
    source = (ROOT / "edi837" / "envelope.py").read_text()
    made = {f"X12-ENV-{level[:2].upper()}{code}"
            for level, code in re.findall(r'_err\(\s*"(interchange|group|transaction)",\s*"([0-9]+)"', source)}
    assert len(made) >= 11
    assert made <= set(guide_codes.BY_ID), made - set(guide_codes.BY_ID)


def test_every_x12_finding_matches_its_catalog_entry() -> None:
    """Over the fixtures, samples and mutants: each X12 rule a finding carries is documented, reported
    (not marked never), and the finding's 277CA status is the catalog's (a claim returned with its set
    is told A3:21, see results_mod.set_reason)."""
    seen = set()
    for data in corpus():
        for f in findings(check(data)):
            if not f.rule.startswith("X12-"):
                continue
            entry = guide_codes.BY_ID.get(f.rule)
            assert entry is not None and entry.produced, f.rule
            seen.add(f.rule)
            if f.rule != "X12-MORE" and not (f.scope == TRANSACTION and f.claim_id):
                assert f.stc == entry.stc or (not entry.stc and f.stc == guide_codes.ENVELOPE_STC), (f.rule, f.stc)
            assert f.fix, f.rule
    assert len(seen) >= 12, seen


def test_values_reads_data_elements_through_the_public_accessor() -> None:
    zip_code = guide.data_elements()["116"]
    assert (zip_code.name, zip_code.data_type, zip_code.min_len, zip_code.max_len) == ("Postal Code", "ID", 3, 15)
    assert values.fit("12345678901234567890", "116") == "123456789012345"


def test_a_file_split_between_workers_gives_the_same_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lines of findings in later parts of a split file are the file's own (parts resume counting)."""
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "PART_BYTES", 4096)
    head, rest = LF.split("ST*837*0001", 1)
    body = ("ST*837*0001" + rest.split("GE*1*2061")[0]).replace("*UN*8~", "*UN*8.123~")  # AMB006 on each set
    n = 40
    sets = "".join(body.replace("0001", f"{k:04d}") for k in range(1, n + 1))
    text = head + sets + f"GE*{n}*2061~\nIEA*1*000000206~\n"
    path = tmp_path / "many-lines.837"
    path.write_text(text)
    assert len(parallel.plan(str(path), 2) or []) > 2
    outs = [cli("check", "--format", "json", "--jobs", jobs, str(path))[1] for jobs in ("1", "2")]
    assert outs[0] == outs[1]
    claims = json.loads(outs[0])["files"][0]["claims"]
    lines = [f["line"] for c in claims for f in c["findings"] if f["rule"] == "AMB006"]
    expected = [i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith("SV2*0540*HC:A0425")]
    assert lines == expected and len(lines) == n
