"""The people-facing surfaces on 837P claims and on an interchange of both claim types: `check` names
an 837P claim's place of service (POS 41) where an 837I's has its type of bill, `parse` gives its
level, trip, miles and pick-up ZIP, `export` carries claim_type and the 837P facts of the ambulance
view (null on an 837I), and `annotate` names 837P segments from the 837P guide.

Expected values are read from the 837 text here (segments split by hand), not from the engine.
"""

from __future__ import annotations

import json

from builders import cli
from conftest import ROOT

FIXTURES = ROOT / "fixtures"
MIXED = FIXTURES / "mixed-837i-837p.837"
TRIPS = FIXTURES / "837p-multiple-trips.837"
PROFESSIONAL_KEYS = ("place_of_service", "place_of_service_name", "transport_reason", "transport_reason_name",
                     "cr1_miles", "certification", "pickup_address", "dropoff_address")


def segments(path) -> list[list[str]]:
    text = path.read_text()
    return [s.strip().split("*") for s in text.split(text[105]) if s.strip()]


def claims_by_type(path) -> dict[str, list[list[str]]]:
    """Each CLM segment of a file under the claim type its ST03 names."""
    out: dict[str, list[list[str]]] = {"837I": [], "837P": []}
    kind = ""
    for s in segments(path):
        if s[0] == "ST":
            kind = "837P" if s[3] == "005010X222A1" else "837I"
        elif s[0] == "CLM":
            out[kind].append(s)
    return out


def test_check_names_the_place_of_service_of_an_837p_claim() -> None:
    clms = claims_by_type(MIXED)
    rc, out = cli("check", "--verbose", "--today", "2026-11-22", str(MIXED))
    heads = {line.split()[2]: line for line in out.splitlines() if line.strip().startswith(("ACCEPTED", "REJECTED"))}
    for clm in clms["837I"]:
        assert f"  TOB {clm[5].replace(':A:', '')}  " in heads[clm[1]], heads[clm[1]]
    for clm in clms["837P"]:
        assert f"  POS {clm[5].split(':')[0]}  " in heads[clm[1]] and "TOB" not in heads[clm[1]]


def test_check_json_adds_the_837p_keys_to_837p_claims_only() -> None:
    _, out = cli("check", "--format", "json", "--today", "2026-11-22", str(MIXED))
    claims = {c["claim_id"]: c for c in json.loads(out)["files"][0]["claims"]}
    clms = claims_by_type(MIXED)
    for clm in clms["837I"]:
        assert "claim_type" not in claims[clm[1]] and "place_of_service" not in claims[clm[1]]
    for clm in clms["837P"]:
        c = claims[clm[1]]
        assert c["claim_type"] == "837P" and c["place_of_service"] == clm[5].split(":")[0] and c["type_of_bill"] == ""


def test_parse_text_gives_an_837p_claim_its_trip() -> None:
    segs = segments(TRIPS)
    (clm,) = [s for s in segs if s[0] == "CLM"]
    sv1 = [s for s in segs if s[0] == "SV1"]
    miles = "+".join(s[4] for s in sv1 if s[1].split(":")[1] == "A0425")
    od = sv1[0][1].split(":")[2]
    pickup_zip = next(segs[i + 2][3] for i, s in enumerate(segs) if s[:2] == ["NM1", "PW"])[:5]
    rc, out = cli("parse", str(TRIPS))
    line = out.splitlines()[1]
    assert rc == 0 and line.split()[:2] == [clm[1], "POS"] and line.split()[2] == clm[5].split(":")[0]
    assert f"{od[0]}\u2192{od[1]}" in line and f"{miles} mi" in line and f"pick-up {pickup_zip}" in line


def test_export_carries_claim_type_and_the_837p_facts() -> None:
    _, out = cli("export", "--format", "json", "--today", "2026-11-22", str(MIXED), str(TRIPS))
    claims = {c["claim_id"]: c for c in json.loads(out)["claims"]}
    clms = claims_by_type(MIXED)
    for clm in clms["837I"]:
        a = claims[clm[1]]["ambulance"]
        assert claims[clm[1]]["claim_type"] == "837I" and claims[clm[1]]["type_of_bill"]
        assert all(a[k] is None for k in PROFESSIONAL_KEYS) and a["conditions"] == a["condition_names"] == []
    segs = segments(TRIPS)
    (clm,) = [s for s in segs if s[0] == "CLM"]
    cr1 = next(s for s in segs if s[0] == "CR1")  # the 2300 CR1 comes before any line
    at = [i for i, s in enumerate(segs) if s[:2] in (["NM1", "PW"], ["NM1", "45"])][:2]  # 2310E, 2310F
    c = claims[clm[1]]
    a = c["ambulance"]
    assert c["claim_type"] == "837P" and c["type_of_bill"] == "" and a["place_of_service"] == clm[5].split(":")[0]
    assert a["transport_reason"] == cr1[4] and a["transport_reason_name"] == "nearest facility"
    assert a["cr1_miles"] == cr1[6]
    for key, i in zip(("pickup_address", "dropoff_address"), at, strict=True):
        for part in (*segs[i + 1][1:], *segs[i + 2][1:]):  # N3 and N4, as written
            assert part in a[key], (key, part)


def test_annotate_names_837p_segments_from_the_837p_guide() -> None:
    rc, out = cli("annotate", "--today", "2026-11-22", str(TRIPS))
    lines = out.splitlines()

    def line_of(segment: list[str], nth: int = 0) -> str:
        raw = "*".join(segment)
        return [line for line in lines if line.rstrip().endswith(raw)][nth]

    segs = segments(TRIPS)
    cr1 = next(s for s in segs if s[0] == "CR1")
    pw = next(s for s in segs if s[:2] == ["NM1", "PW"])
    assert rc in (0, 1)
    assert line_of(cr1).split()[1] == "2300" and "Ambulance Transport Information" in line_of(cr1)
    assert line_of(pw).split()[1] == "2310E" and "Ambulance Pick-up Location" in line_of(pw)
    assert "Professional Service" in line_of(next(s for s in segs if s[0] == "SV1"))
    drops = [line.split()[1] for line in lines if "  NM1*45*" in line]
    assert drops == ["2310F"] + ["2420H"] * (len([s for s in segs if s[:2] == ["NM1", "45"]]) - 1)
