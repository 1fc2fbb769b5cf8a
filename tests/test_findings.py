"""The finding model: what every writer reads, and the plain data the JSON report carries."""

from __future__ import annotations

import json

from edi837.findings import CLAIM, ERROR, TRANSACTION, WARNING, Finding

KEYS = ["rule", "severity", "message", "scope", "loop", "segment", "position", "line", "element", "lx",
        "value", "fix", "stc", "ik3", "ik4"]


def test_to_dict_gives_every_key_with_none_for_what_is_unknown() -> None:
    f = Finding(rule="AMB006", severity=WARNING, message="m")
    d = f.to_dict()
    assert list(d) == KEYS
    assert d == {"rule": "AMB006", "severity": "warning", "message": "m", "scope": CLAIM, "loop": None,
                 "segment": None, "position": None, "line": None, "element": None, "lx": None, "value": "",
                 "fix": None, "stc": [], "ik3": None, "ik4": None}
    assert json.loads(json.dumps(d)) == d


def test_to_dict_carries_where_and_how_to_answer() -> None:
    f = Finding(rule="X12-IK4-7", severity=ERROR, message="not a code", scope=TRANSACTION, loop="2400",
                segment="SV2", position=31, line=4, element="SV201", lx="2", value="9999", fix="use 0540",
                stc=("A7:562:71", "A3:21"), ik3="8", ik4="7", file="a.837", claim_id="OK1", offset=120)
    d = f.to_dict()
    assert d["loop"] == "2400" and d["segment"] == "SV2" and d["position"] == 31 and d["line"] == 4
    assert d["element"] == "SV201" and d["lx"] == "2" and d["value"] == "9999" and d["fix"] == "use 0540"
    assert d["stc"] == ["A7:562:71", "A3:21"] and d["ik3"] == "8" and d["ik4"] == "7"
    assert "file" not in d and "claim_id" not in d and "offset" not in d  # said once per file and claim


def test_only_an_error_is_an_error() -> None:
    assert Finding(rule="R", severity=ERROR, message="m").is_error
    assert not Finding(rule="R", severity=WARNING, message="m").is_error
