"""The rule catalog comes from the registry, and docs/rules.md is kept in sync with it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import ROOT

from edi837 import guide_codes, rules
from edi837.cli import main
from edi837.read import EdiError


def test_docs_rules_md_is_generated_from_the_registry() -> None:
    res = CliRunner().invoke(main, ["rules", "--format", "markdown"])
    assert res.exit_code == 0
    assert (ROOT / "docs" / "rules.md").read_text() == res.output, \
        "docs/rules.md is stale: run `edi837 rules --format markdown > docs/rules.md`"


def test_every_ambulance_rule_is_registered_with_its_metadata() -> None:
    ids = [r.id for r in rules.catalog()]
    # the domain notes' rules 1-29 keep their numbers; 25 is COD008 and 26 is DAT001 with AMB011
    assert [i for i in ids if i.startswith("AMB")] == [f"AMB{n:03d}" for n in range(1, 30) if n not in (25, 26)]
    for r in rules.catalog():
        assert r.title and r.source and r.stc and r.doc, r.id
        for code in r.stc:
            assert code.split(":")[0] in ("A3", "A6", "A7", "A8"), (r.id, code)


def test_json_catalog() -> None:
    res = CliRunner().invoke(main, ["rules", "--format", "json"])
    doc = json.loads(res.output)
    assert {d["id"] for d in doc} == set(rules.REGISTRY) | set(guide_codes.BY_ID)
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
    with pytest.raises(EdiError) as exc:
        rules.load_profile(str(p))
    assert fragment in str(exc.value)
