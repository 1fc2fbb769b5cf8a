"""bench/gen.py --claim-type 837P: Part B ambulance supplier claims (005010X222A1) that pyx12 accepts
and that `check` accepts, each trip consistent when read back by a reader of its own (not edi837's):
CLM02 is the sum of the SV102 charges, CR106 the loaded miles of the mileage lines, a pick-up and a
drop-off loop, an O/D pair (or QL) first on every line, GM with QTY*PT, POS 42 for air codes. The
837I output of the generator is left as it was (bench/golden.py keeps its bytes)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import oracle
import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from gen import P_KINDS, luhn_npi_ok  # noqa: E402

MILEAGE = {"A0425", "A0435", "A0436", "A0888"}
AIR = {"A0430", "A0431", "A0435", "A0436"}
OD = set("DEGHIJNPRSX")  # the origin/destination letters (X only as destination)


def generate(out: Path, claims: int, *extra: str) -> str:
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen.py"), "--claims", str(claims), "--claim-type", "837P",
                    "--out", str(out), *extra], check=True, capture_output=True)
    return out.read_text()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("gen837p") / "p.837"
    return out, generate(out, 60, "--claims-per-st", "25")


def claims(text: str) -> list[list[list[str]]]:
    """Each claim as its segments (split into elements), from CLM up to the next CLM, HL or SE."""
    out: list[list[list[str]]] = []
    for seg in (s.split("*") for s in text.split("~") if s):
        if seg[0] == "CLM":
            out.append([seg])
        elif seg[0] in ("HL", "SE"):
            out.append([])
        elif out and out[-1]:
            out[-1].append(seg)
    return [c for c in out if c]


def test_the_837p_output_is_guide_valid_per_pyx12(generated) -> None:
    _path, text = generated
    assert text.count("CLM*") == 60 and text.count("ST*837*") == 3
    assert re.findall(r"ST\*837\*\d+\*(\w+)~", text) == ["005010X222A1"] * 3 and "GS*HC*" in text
    assert text.split("~")[1].endswith("*X*005010X222A1")  # GS08
    verdict = oracle.validate(text)
    assert verdict.ok and verdict.ik5 == ["A", "A", "A"], verdict.messages[:5]
    for found in re.findall(r"NM1\*\w\w\*[^~]*?\*XX\*(\d+)~", text):
        assert luhn_npi_ok(found), found


def test_every_kind_of_trip_is_made_and_each_trip_adds_up(generated) -> None:
    _path, text = generated
    made = claims(text)
    assert len(made) == 60
    bases = set()
    for claim in made:
        ids = [s[0] for s in claim]
        lines = [s for s in claim if s[0] == "SV1"]
        codes = [ln[1].split(":")[1] for ln in lines]
        bases.add(next(c for c in codes if c not in MILEAGE))
        assert Decimal(claim[0][2]) == sum(Decimal(ln[2]) for ln in lines)  # CLM02 = sum of SV102
        [cr1] = [s for s in claim if s[0] == "CR1"]
        assert Decimal(cr1[6]) == sum((Decimal(ln[4]) for ln, c in zip(lines, codes) if c in MILEAGE), Decimal(0))
        assert ids.count("NM1") == 2 and [s[1] for s in claim if s[0] == "NM1"] == ["PW", "45"]  # 2310E, 2310F
        assert all(len(s) == 4 and re.fullmatch(r"\d{5}(\d{4})?", s[3]) for s in claim if s[0] == "N4")
        pos = claim[0][5].split(":")[0]
        assert pos == ("42" if set(codes) & AIR else "41")
        for ln, code in zip(lines, codes):
            mods = ln[1].split(":")[2:]
            assert mods[0] == "QL" or (len(mods[0]) == 2 and set(mods[0]) <= OD and mods[0][0] != "X"), mods
            assert ("GM" in mods) == ("QTY" in ids)
            assert code in MILEAGE or Decimal(ln[4]) == 1  # a base code carries one unit
            assert not {"QM", "QN"} & set(mods)  # an 837I-only pair (P14)
    assert bases == {"A0426", "A0427", "A0428", "A0429", "A0430", "A0431", "A0434"}  # every base code of P_KINDS
    assert len(P_KINDS) == 10


def test_check_accepts_every_generated_837p_claim(generated) -> None:
    path, _text = generated
    done = subprocess.run([sys.executable, "-m", "edi837", "check", "--format", "json", "--today", "2026-11-22",
                           str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    [found] = json.loads(done.stdout)["files"]
    assert len(found["claims"]) == 60
    errors = [(c["claim_id"], f["rule"]) for c in found["claims"] for f in c["findings"] if f["severity"] == "error"]
    assert errors == [] and {c["status"] for c in found["claims"]} == {"accepted"}


def test_the_837i_output_does_not_change_with_the_837p_generator(tmp_path) -> None:
    """--claim-type 837I is the default: the same bytes with and without it (bench files, golden outputs)."""
    a, b = tmp_path / "a.837", tmp_path / "b.837"
    for out, extra in ((a, []), (b, ["--claim-type", "837I"])):
        subprocess.run([sys.executable, str(ROOT / "bench" / "gen.py"), "--claims", "12", "--out", str(out), *extra],
                       check=True, capture_output=True)
    assert a.read_bytes() == b.read_bytes() and b"005010X223A2" in a.read_bytes() and b"X222A1" not in a.read_bytes()
