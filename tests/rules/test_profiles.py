"""The bundled payer profiles (edi837/profiles/*.json) switch the 837P rules the domain notes list under
"Payer profiles": each changes only its rules' levels, and the same claim is accepted under medicare
and rejected under the payer whose edit it is."""

from __future__ import annotations

import json

import pytest
from builders import check
from conftest import ROOT
from professional import resegment

from edi837 import rules
from edi837.engine.results import TransactionResult

PROFILES = sorted(p.stem for p in (ROOT / "edi837" / "profiles").glob("*.json"))


def verdicts(text: str, profile: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(status, [(rule, severity) ...]) per claim of `text` under a bundled profile."""
    out = []
    for item in check(text, rules.load_profile(profile)):
        if isinstance(item, TransactionResult):
            out += [(c.status, sorted((f.rule, f.severity) for f in c.findings if f.rule.startswith("AMBP")))
                    for c in item.claims]
    return out


@pytest.mark.parametrize("name", PROFILES)
def test_each_bundled_profile_loads_and_names_only_known_rules(name: str) -> None:
    data = json.loads((ROOT / "edi837" / "profiles" / f"{name}.json").read_text())
    assert data["name"] == name and data["description"]
    profile = rules.load_profile(name)
    assert profile.severity == data["rules"]
    assert profile.severity.get("AMBP022") == "off"  # the PCS reminder is an info in the notes: off everywhere


def test_noridian_wants_a_claim_per_pick_up_zip() -> None:
    """Noridian JE/JF ("Multiple Transports Same Day"): trips from different pick-up ZIPs go on
    separate claims. The second trip's 2420G moves to another ZIP5 (62704, not 62702)."""
    text = (ROOT / "fixtures" / "837p-multiple-trips.837").read_text().replace("IL*627023020", "IL*627041234")
    assert verdicts(text, "medicare") == [("accepted", [("AMBP009", "warning")])]
    assert verdicts(text, "medicare-noridian") == [("rejected", [("AMBP009", "error")])]


def test_palmetto_rejects_a_multiple_patient_claim_without_its_narrative() -> None:
    text = (ROOT / "fixtures" / "837p-multi-patient.837").read_text()
    nte = text[text.index("NTE*"):]
    bare = resegment(text.replace(nte[:nte.index("~") + 1], ""))
    assert verdicts(text, "medicare-palmetto") == [("accepted", [])]
    [(status, found)] = verdicts(bare, "medicare-palmetto")
    assert status == "rejected" and ("AMBP030", "error") in found
    [(status, found)] = verdicts(bare, "medicare")
    assert status == "accepted" and ("AMBP030", "warning") in found


def test_mileage_strict_rejects_cr106_that_disagrees_with_the_units() -> None:
    text = (ROOT / "fixtures" / "837p-bls-emergency.837").read_text().replace("CR1*LB*180**A*DH*12.5", "CR1*LB*180**A*DH*14")
    assert verdicts(text, "medicare") == [("accepted", [("AMBP003", "warning")])]
    assert verdicts(text, "mileage-strict") == [("rejected", [("AMBP003", "error")])]
