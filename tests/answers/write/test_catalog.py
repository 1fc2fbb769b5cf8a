"""The rule catalog comes from the registry, and docs/rules.md is kept in sync with it."""

from __future__ import annotations

import json
import re

import pytest
from builders import check, cli, corpus, findings_of
from click.testing import CliRunner
from conftest import ROOT

from edi837 import rules
from edi837.cli import main
from edi837.errors import ProfileError
from edi837.findings import TRANSACTION, WITH_SET
from edi837.x12 import guide_codes


def test_docs_rules_md_is_generated_from_the_registry() -> None:
    res = CliRunner().invoke(main, ["rules", "--format", "markdown"])
    assert res.exit_code == 0
    assert (ROOT / "docs" / "rules.md").read_text() == res.output, \
        "docs/rules.md is stale: run `edi837 rules --format markdown > docs/rules.md`"


def test_every_ambulance_rule_is_registered_with_its_metadata() -> None:
    ids = [r.id for r in rules.catalog()]
    # the domain notes' rules 1-29 keep their numbers; 25 is COD008 and 26 is DAT001 with AMB011
    assert [i for i in ids if re.fullmatch(r"AMB[0-9]+", i)] == [f"AMB{n:03d}" for n in range(1, 30) if n not in (25, 26)]
    for r in rules.catalog():
        # a warning may have no 277CA code (the 837P domain notes give some none: P2, P33)
        assert r.title and r.source and r.doc and (r.stc or r.severity == "warning"), r.id
        for code in r.stc:
            assert code.split(":")[0] in ("A3", "A6", "A7", "A8"), (r.id, code)


def test_json_catalog() -> None:
    res = CliRunner().invoke(main, ["rules", "--format", "json"])
    doc = json.loads(res.output)
    assert {d["id"] for d in doc if d["kind"] != "answer"} == set(rules.REGISTRY) | set(guide_codes.BY_ID)
    assert {d["kind"] for d in doc if d["id"].startswith("X12-")} == {"x12"}


def test_profile_changes_severity_only(tmp_path) -> None:
    p = tmp_path / "payer.json"
    p.write_text(json.dumps({"name": "payer", "rules": {"AMB007": "off", "AMB001": "warning"}}))
    prof = rules.load_profile(str(p))
    assert prof.level(rules.REGISTRY["AMB007"]) == "off"
    assert prof.level(rules.REGISTRY["AMB001"]) == "warning"
    assert rules.load_profile().level(rules.REGISTRY["AMB001"]) == rules.REGISTRY["AMB001"].severity


@pytest.mark.parametrize("content,fragment", [
    ('{"rules": {"NOPE1": "off"}}', "unknown rule"),
    ('{"rules": {"AMB001": "loud"}}', "level must be"),
    ("not json", "cannot load profile"),
    ('["a"]', "JSON object"),
])
def test_bad_profiles_are_clear_errors(tmp_path, content, fragment) -> None:
    p = tmp_path / "bad.json"
    p.write_text(content)
    with pytest.raises(ProfileError) as exc:
        rules.load_profile(str(p))
    assert fragment in str(exc.value)


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
    source = (ROOT / "edi837" / "x12" / "envelope.py").read_text()
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
        for f in findings_of(check(data)):
            if not f.rule.startswith("X12-"):
                continue
            entry = guide_codes.BY_ID.get(f.rule)
            assert entry is not None and entry.produced, f.rule
            seen.add(f.rule)
            if f.rule != "X12-MORE" and not (f.scope == TRANSACTION and f.claim_id):
                assert f.stc == entry.stc or (not entry.stc and f.stc == WITH_SET), (f.rule, f.stc)
            assert f.fix, f.rule
    assert len(seen) >= 12, seen


def test_text_catalog_keeps_every_title_in_its_column() -> None:
    """`edi837 rules`: AMB008 lists four 277CA codes; its title starts where every other title does."""
    res = CliRunner().invoke(main, ["rules"])
    assert res.exit_code == 0
    entries = {e.id: e for e in [*rules.catalog(), *guide_codes.CODES]}
    starts = {line.index(entries[line.split()[0]].title) for line in res.output.splitlines()
              if line.split()[0] in entries}  # not the codes of a payer's answers, listed after them
    assert len(starts) == 1, starts
    amb008 = next(line for line in res.output.splitlines() if line.startswith("AMB008"))
    assert "A6:763 A7:763 A7:725 A7:726  " in amb008


def test_837p_rules_are_the_domain_notes_numbers_and_judge_837p_only() -> None:
    """AMBP001-AMBP040 are the 837P domain notes' P1-P40, each judging 837P claims only; an 837I rule
    (AMB001-AMB029) judges 837I claims (a few, such as AMB024, both)."""
    for r in rules.catalog():
        if r.id.startswith("AMBP"):
            assert re.fullmatch(r"AMBP0[0-4][0-9]", r.id) and 1 <= int(r.id[4:]) <= 40, r.id
            assert r.claim_types == ("837P",), r.id
        elif re.fullmatch(r"AMB[0-9]+", r.id):
            assert "837I" in r.claim_types, r.id


def test_rules_lists_which_claims_each_rule_judges() -> None:
    rc, out = cli("rules")
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines()}
    assert rc == 0 and rows["AMB006"] == "837I" and rows["X12-IK4-7"] == "all"
    for r in rules.catalog():
        assert rows[r.id] == ("both" if len(r.claim_types) > 1 else r.claim_types[0]), r.id
    doc = json.loads(cli("rules", "--format", "json")[1])
    assert {d["id"]: d["claim_types"] for d in doc if d["kind"] == "rule"} == \
        {r.id: list(r.claim_types) for r in rules.catalog()}


def test_an_837p_rule_is_found_by_its_domain_number() -> None:
    """`edi837 rules P3`, `P003`, `p3`, `AMBP3` and `AMBP003` print AMBP003's page (the domain notes' P3)."""
    p_rule = next((r for r in rules.catalog() if r.id.startswith("AMBP")), None)
    if p_rule is None:
        pytest.skip("no 837P rule registered yet")
    n = int(p_rule.id[4:])
    pages = {code: cli("rules", code) for code in (f"P{n}", f"P{n:03d}", f"p{n}", f"AMBP{n}", p_rule.id)}
    assert {rc for rc, _ in pages.values()} == {0}
    assert len({out for _, out in pages.values()}) == 1
    out = pages[p_rule.id][1]
    assert out.splitlines()[0].startswith(p_rule.id) and f"domain rule P{n})" in out and "837P claims only" in out
    rc, out = cli("rules", "P999")
    assert rc == 2 and "P999" in out


def test_a_rule_page_lists_the_switches_a_profile_may_set() -> None:
    """A rule with switched sub-cases names each as a profile spells it (AMBP017.zero), in text and JSON."""
    switched = [r for r in rules.catalog() if r.switches]
    if not switched:
        pytest.skip("no rule has a switch yet")
    for r in switched:
        rc, out = cli("rules", r.id)
        names = [f"{r.id}.{name}" for name, _ in r.switches]
        assert rc == 0 and [line.split()[1].rstrip(":") for line in out.splitlines() if line.startswith("switch:")] == names
        assert list(json.loads(cli("rules", r.id, "--format", "json")[1])["switches"]) == names
    plain = next(r for r in rules.catalog() if not r.switches)
    assert "switch:" not in cli("rules", plain.id)[1]
