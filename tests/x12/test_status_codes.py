"""The plain-word table of a payer's TA1, 999 and 277CA codes (edi837.x12.status_codes) covers every
code those answers can carry: the 999 map's valid codes (read from the installed pyx12 map, the
authority on which codes exist) and every 277CA code edi837 itself emits; and `edi837 rules` shows each.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import pyx12
from click.testing import CliRunner
from lxml import etree

from edi837 import rules
from edi837.cli import main
from edi837.x12 import guide_codes, status_codes

MAP_999 = Path(pyx12.__file__).parent / "map" / "999.5010X231.A1.xml"
# Each list as the 999 map's element ids name it (IK503-IK506 repeat IK502's list, AK906-AK909 AK905's).
MAP_LISTS = ("TA104", "TA105", "IK304", "IK403", "IK501", "IK502", "AK901", "AK905")


def map_codes() -> dict[str, set[str]]:
    """The valid codes of each of MAP_LISTS in pyx12's 999 map."""
    tree = etree.parse(str(MAP_999))
    found: dict[str, set[str]] = {}
    for element in tree.iter("element"):
        xid = element.get("xid")
        if xid in MAP_LISTS:
            found.setdefault(xid, set()).update(c.text for c in element.iter("code") if c.text)
    return found


def emitted_stc() -> set[str]:
    """Every 277CA composite (category:status[:entity]) a claim rule or an X12-level code answers with."""
    return {code for entry in [*rules.catalog(), *guide_codes.CODES] for code in entry.stc}


def test_every_code_the_999_map_allows_has_words() -> None:
    found = map_codes()
    assert set(found) == set(MAP_LISTS), set(MAP_LISTS) - set(found)
    for name, codes in found.items():
        table = status_codes.LISTS[name]
        assert codes <= set(table), (name, sorted(codes - set(table)))
        assert set(table) <= codes, (name, "not in the map", sorted(set(table) - codes))
        for code in codes:
            entry = table[code]
            assert entry.list == name and entry.code == code and entry.title and entry.words.endswith("."), entry


def test_the_999_map_agrees_for_the_repeated_lists() -> None:
    """IK503-IK506 take IK502's codes and AK906-AK909 AK905's, which `describe` reads through its aliases."""
    tree = etree.parse(str(MAP_999))
    for element in tree.iter("element"):
        xid = element.get("xid") or ""
        if re.fullmatch(r"IK50[3-6]|AK90[6-9]", xid):
            for code in (c.text for c in element.iter("code") if c.text):
                assert "not in edi837's table" not in status_codes.describe(xid, code), (xid, code)


def test_segment_and_element_titles_are_guide_codes_own() -> None:
    """The IK304/IK403 codes edi837 reports itself carry the titles of guide_codes, so the two never disagree."""
    for kind, table in (("IK3", status_codes.IK304), ("IK4", status_codes.IK403)):
        shared = [c for c in table.values() if f"X12-{kind}-{c.code}" in guide_codes.BY_ID]
        assert len(shared) >= 8
        for c in shared:
            assert c.title == guide_codes.BY_ID[f"X12-{kind}-{c.code}"].title, c


def test_every_277ca_code_edi837_emits_has_words() -> None:
    composites = emitted_stc() | {"A2:20", "A1:19:PR"}  # ack277's accepted claim and batch receipt
    assert len(composites) >= 30
    for composite in composites:
        category, status, *entity = composite.split(":")
        assert category in status_codes.CATEGORY, composite
        assert status in status_codes.STATUS, composite
        assert all(e in status_codes.ENTITY for e in entity), composite
        said = status_codes.stc_words(category, status, *entity)
        assert "not in edi837's table" not in said, said


def test_stc_words_reads_as_one_sentence() -> None:
    assert status_codes.stc_words("A7", "562", "85") == \
        "rejected for invalid information: entity's National Provider Identifier (NPI) (billing provider)"
    assert status_codes.stc_words("A2", "20") == "accepted into adjudication: accepted for processing"
    assert status_codes.stc_words("a6", " 21 ") == "rejected for missing information: missing or invalid information"


@pytest.mark.parametrize("list_name,code", [("STATUS", "99999"), ("IK304", "Z"), ("NOPE", "1"), ("CATEGORY", ""),
                                           ("", "")])
def test_an_unknown_code_is_described_not_raised(list_name: str, code: str) -> None:
    said = status_codes.describe(list_name, code)
    assert said.startswith("code ") and said.endswith("(not in edi837's table)"), said
    assert "not in edi837's table" in status_codes.stc_words("X9", code or "0x", "??")


def test_describe_names_the_code_and_its_title() -> None:
    assert status_codes.describe("CATEGORY", "A7") == "A7 (rejected for invalid information)"
    assert status_codes.describe("ik304", "8") == "8 (segment has data element errors)"
    assert status_codes.describe("IK503", "I5") == "I5 (implementation one or more segments in error)"
    assert status_codes.describe("TA105", "022") == "022 (invalid control structure)"


def test_ids_are_unique_and_each_list_has_its_prefix() -> None:
    ids = [c.id for c in status_codes.entries()]
    assert len(ids) == len(set(ids))
    taken = {r.id for r in rules.catalog()} | set(guide_codes.BY_ID)
    assert not taken & set(ids)
    assert {"TA105-022", "IK304-8", "IK403-7", "IK501-R", "IK502-5", "AK901-P", "AK905-4", "STC-CAT-A7",
            "STC-562", "STC-ENT-85"} <= set(ids)


@pytest.mark.parametrize("code,first,fragment", [
    ("STC-562", "STC-562", "National Provider Identifier"), ("ik501-r", "IK501-R", "Rejected"),
    ("stc-cat-a7", "STC-CAT-A7", "invalid information"), ("TA105-025", "TA105-025", "Duplicate"),
])
def test_rules_prints_the_page_of_an_answer_code(code: str, first: str, fragment: str) -> None:
    res = CliRunner().invoke(main, ["rules", code])
    assert res.exit_code == 0 and res.output.splitlines()[0].startswith(first + "  ") and fragment in res.output
    assert "AMB001" not in res.output
    doc = json.loads(CliRunner().invoke(main, ["rules", code, "--format", "json"]).output)
    assert doc["id"] == first and doc["kind"] == "answer" and doc["words"]


def test_the_catalog_lists_every_answer_code_after_the_x12_codes() -> None:
    runner = CliRunner()
    text = runner.invoke(main, ["rules"]).output
    listed = [line.split()[0] for line in text.splitlines()]
    header = listed.index("--")
    assert listed[header + 1:] == [c.id for c in status_codes.entries()]
    assert set(listed[:header]) == {r.id for r in rules.catalog()} | set(guide_codes.BY_ID)
    markdown = runner.invoke(main, ["rules", "--format", "markdown"]).output
    x12, answers = markdown.index("\n## X12-level codes\n"), markdown.index("\n## Codes in a payer's answers\n")
    assert x12 < answers and all(f"\n## {c.id}\n" in markdown for c in status_codes.entries())
    doc = json.loads(runner.invoke(main, ["rules", "--format", "json"]).output)
    assert [d["id"] for d in doc if d["kind"] == "answer"] == [c.id for c in status_codes.entries()]
