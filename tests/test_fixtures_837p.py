"""The 837P (005010X222A1) ambulance-supplier fixtures: guide-valid by pyx12, and correct by the Part B rules.

The structural checks below use a tiny reader of their own (split on the ISA's delimiters), written from
../shared/domain/ambulance-837p-rules.md and not from the engine, so a fixture that drifts from the
rules fails here even if the engine's reading drifts with it.
"""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path

import oracle
import pytest
from conftest import FIXTURES, ROOT

sys.path.insert(0, str(ROOT / "bench"))
from gen import luhn_npi_ok  # noqa: E402

P_FIXTURES = [p for p in FIXTURES if p.name.startswith("837p-")]
MIXED = ROOT / "fixtures" / "mixed-837i-837p.837"
ALL_837P = P_FIXTURES + [MIXED]

BASE = {"A0426", "A0427", "A0428", "A0429", "A0430", "A0431", "A0432", "A0433", "A0434"}  # rules, "Base codes"
MILEAGE = {"A0425", "A0435", "A0436", "A0888"}  # counted in the CR106 sum (P3)
AIR = {"A0430", "A0431", "A0435", "A0436"}  # POS 42 (P19)
OD_LETTERS = set("DEGHIJNPRSX")  # rules, "O/D letters"; X only as destination
MBI = re.compile(r"[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9][0-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9][0-9]"
                 r"[AC-HJKMNP-RT-Y]{2}[0-9]{2}")  # CMS MBI format: no S, L, O, I, B, Z


class Line:
    """One 2400 loop as the rules see it."""

    def __init__(self, sv1: list[str], component: str) -> None:
        proc = sv1[1].split(component)
        self.code = proc[1]
        self.modifiers = proc[2:]
        self.charge = Decimal(sv1[2])
        self.units = Decimal(sv1[4])
        self.units_text = sv1[4]
        self.pos = sv1[5] if len(sv1) > 5 else ""
        self.cr1: list[str] | None = None
        self.date = ""
        self.patients: Decimal | None = None
        self.pickup_zip: str | None = None  # 2420G N403
        self.has_nte = False


class Claim:
    """One 2300 loop: the claim-level ambulance data and its lines."""

    def __init__(self, clm: list[str], component: str) -> None:
        self.id = clm[1]
        self.total = Decimal(clm[2])
        self.pos, self.facility, self.frequency = clm[5].split(component)
        self.cr1: list[str] | None = None
        self.crc: list[list[str]] = []
        self.refs: dict[str, str] = {}
        self.dates: dict[str, str] = {}
        self.has_nte = False
        self.pickup: list[list[str]] = []  # 2310E: NM1, N3, N4
        self.dropoff: list[list[str]] = []  # 2310F
        self.lines: list[Line] = []


class Group:
    def __init__(self, gs08: str) -> None:
        self.version = gs08
        self.bht_date = ""
        self.claims: list[Claim] = []


def read(data: str) -> list[Group]:
    """Groups of claims of an interchange; loops are told apart by segment order, as the TR3 places them."""
    element, component, terminator = data[3], data[104], data[105]
    groups: list[Group] = []
    claim: Claim | None = None
    line: Line | None = None
    location: list[list[str]] | None = None  # the 2310E/F or 2420G/H loop being read
    for raw in data.split(terminator):
        seg = raw.strip("\r\n").split(element)
        tag = seg[0]
        if tag == "GS":
            groups.append(Group(seg[8]))
            claim = line = None
        elif tag == "BHT":
            groups[-1].bht_date = seg[4]
        elif tag == "HL":
            claim = line = location = None
        elif tag == "CLM":
            claim = Claim(seg, component)
            groups[-1].claims.append(claim)
            line = location = None
        elif claim is None:
            continue
        elif tag == "LX":
            line = location = None
        elif tag == "SV1":
            line = Line(seg, component)
            claim.lines.append(line)
        elif tag == "NM1" and seg[1] in ("PW", "45"):
            if line is None:  # 2310E / 2310F
                location = claim.pickup if seg[1] == "PW" else claim.dropoff
                location.append(seg)
            else:  # 2420G / 2420H: only the line's own pick-up ZIP matters here
                location = [seg]
        elif tag == "NM1":
            location = None
        elif tag in ("N3", "N4") and location is not None:
            location.append(seg)
            if tag == "N4" and line is not None and location[0][1] == "PW":
                line.pickup_zip = seg[3] if len(seg) > 3 else ""
        elif tag == "CR1":
            if line is None:
                claim.cr1 = seg
            else:
                line.cr1 = seg
        elif tag == "CRC" and line is None:
            claim.crc.append(seg)
        elif tag == "REF" and line is None:
            claim.refs[seg[1]] = seg[2]
        elif tag == "DTP" and line is None:
            claim.dates[seg[1]] = seg[3]
        elif tag == "DTP" and seg[1] == "472" and line is not None:
            line.date = seg[3]
        elif tag == "QTY" and seg[1] == "PT" and line is not None:
            line.patients = Decimal(seg[2])
        elif tag == "NTE":
            if line is None:
                claim.has_nte = True
            else:
                line.has_nte = True
    return groups


def claims_837p(path: Path) -> list[tuple[Group, Claim]]:
    return [(g, c) for g in read(path.read_text()) if g.version == "005010X222A1" for c in g.claims]


def zip_ok(value: str) -> bool:
    """P6/P7: digits only, 5 or 9 of them, and not a placeholder."""
    return value.isdigit() and len(value) in (5, 9) and value[:5] not in ("00000", "99999")


def od_pair(modifier: str) -> bool:
    return (len(modifier) == 2 and set(modifier) <= OD_LETTERS and modifier[0] != "X")


def test_837p_fixture_set_is_complete() -> None:
    names = {p.stem for p in P_FIXTURES}
    assert {"837p-bls-emergency", "837p-als-emergency", "837p-bls-nonemergency", "837p-als-nonemergency",
            "837p-air-fixed-wing", "837p-air-rotary-wing", "837p-multiple-trips", "837p-multi-patient",
            "837p-pronounced-dead", "837p-replacement", "837p-specialty-care", "837p-noncovered-mileage"} <= names
    assert MIXED.exists()


@pytest.mark.parametrize("path", ALL_837P, ids=lambda p: p.name)
def test_pyx12_accepts_837p_fixture(path: Path) -> None:
    verdict = oracle.validate(path.read_bytes())
    assert verdict.ok, verdict.messages
    groups = read(path.read_text())
    assert verdict.ik5 == ["A"] * len(groups)  # one accepted set per group: pyx12 took each group's own guide


def test_mixed_interchange_has_both_guides() -> None:
    assert [g.version for g in read(MIXED.read_text())] == ["005010X223A2", "005010X222A1"]


@pytest.mark.parametrize("path", ALL_837P, ids=lambda p: p.name)
def test_ids_are_well_formed(path: Path) -> None:
    text = path.read_text()
    npis = re.findall(r"\*XX\*(\d+)~", text)
    assert npis and all(luhn_npi_ok(n) for n in npis), npis
    members = re.findall(r"NM1\*IL\*1\*[^~]*\*MI\*([^~*]+)~", text)
    assert members and all(MBI.fullmatch(m) for m in members), members
    assert re.search(r"PRV\*BI\*PXC\*(3416L0300X|282N00000X)~", text)
    for street, zip_ in re.findall(r"NM1\*85\*[^~]*~N3\*([^~]*)~N4\*[^*]*\*[A-Z]{2}\*(\d+)~", text):
        assert len(zip_) == 9 and "PO BOX" not in street.replace(".", "").upper()


def test_control_numbers_are_each_files_own() -> None:
    isa13 = [m for p in FIXTURES for m in re.findall(r"ISA(?:\*[^*]*){12}\*(\d{9})\*", p.read_text())]
    assert len(isa13) == len(set(isa13)), sorted(isa13)
    gs06 = [m for p in ALL_837P for m in re.findall(r"~GS(?:\*[^*]*){5}\*(\d+)\*", p.read_text())]
    assert len(gs06) == len(set(gs06))


@pytest.mark.parametrize("path", ALL_837P, ids=lambda p: p.name)
def test_claims_follow_the_part_b_ambulance_rules(path: Path) -> None:
    found = claims_837p(path)
    assert found
    for group, claim in found:
        where = f"{path.name} claim {claim.id}"
        # P25: CLM02 = Σ SV102, no zero charge
        assert claim.total == sum(line.charge for line in claim.lines), where
        assert all(line.charge > 0 for line in claim.lines), where
        # P1, P3: the 2300 CR1 carries the loaded miles of every mileage line
        assert claim.cr1 is not None, where
        miles = sum((line.units for line in claim.lines if line.code in MILEAGE), Decimal(0))
        assert Decimal(claim.cr1[6]) == miles, where
        assert claim.cr1[4] in "ABCDE" and claim.cr1[5] == "DH" and claim.cr1[3] == "", where
        # P5, P7, P29, P6: pick-up and drop-off loops with their N3 and a valid N4 ZIP
        for loc in (claim.pickup, claim.dropoff):
            assert [s[0] for s in loc] == ["NM1", "N3", "N4"], where
            assert zip_ok(loc[2][3]), where
        assert claim.pickup[0] == ["NM1", "PW", "2"], where  # no name, no id (P20)
        # P19: POS 41 ground, 42 air; the whole claim is one or the other
        air = {line.code in AIR for line in claim.lines}
        assert len(air) == 1 and claim.pos == ("42" if air.pop() else "41") and claim.facility == "B", where
        # CLM05-3: a replacement names the claim it replaces
        assert claim.frequency in ("1", "7") and (claim.frequency == "1" or "F8" in claim.refs), where
        # P27: CRC 01 (admitted) with the admission date
        if any("01" in crc[3:] for crc in claim.crc):
            assert "435" in claim.dates, where
        narrative = claim.has_nte or any(line.has_nte for line in claim.lines)
        # P35: beyond the nearest facility needs a narrative
        if claim.cr1[4] in "BC" or any(line.code == "A0888" for line in claim.lines):
            assert narrative, where
        bases = [line for line in claim.lines if line.code in BASE]
        assert bases, where  # P18
        # P34: several trips on one date need a narrative
        dates = [line.date for line in bases]
        if len(dates) != len(set(dates)):
            assert narrative, where
        for line in claim.lines:
            check_line(line, claim, group, several=len(bases) > 1, where=f"{where} {line.code}")
        check_trip_zips(claim, where)


def check_line(line: Line, claim: Claim, group: Group, several: bool, where: str) -> None:
    """The rules on one ambulance service line."""
    assert line.date and line.date <= group.bht_date and line.date.startswith("2026"), where  # P26
    assert line.pos in ("", claim.pos), where
    mods = line.modifiers
    if "QL" in mods:  # P13, P31: base only, no O/D pair, no mileage
        assert line.code in BASE and not any(od_pair(m) for m in mods), where
        assert not any(other.code in MILEAGE for other in claim.lines), where
    else:  # P12, P33: one O/D pair, first
        assert mods and od_pair(mods[0]) and not any(od_pair(m) for m in mods[1:]), where
    if line.code in BASE:
        assert line.units == 1, where  # P16
    if line.code in MILEAGE:
        assert line.units > 0 and not line.units_text.startswith("."), where  # P17, P38
        step = Decimal("0.1") if line.units < 100 else Decimal(1)
        assert line.units % step == 0, where  # P17: tenths under 100, whole miles from 100
        if several:  # P32, P3: each mileage line its own CR1 with its own miles
            assert line.cr1 is not None and Decimal(line.cr1[6]) == line.units, where
        elif line.cr1 is not None:  # P2: a line CR1 only when it differs
            assert line.cr1 != claim.cr1, where
    if line.code == "A0888":
        assert "GY" in mods or "GZ" in mods, where  # P23
    assert not {"QM", "QN"} & set(mods), where  # P14
    # P15, P30: GM second, with a patient count of two or more, and a narrative
    assert ("GM" in mods) == (line.patients is not None and line.patients >= 2), where
    if "GM" in mods:
        assert mods.index("GM") == 1 and claim.has_nte, where


def check_trip_zips(claim: Claim, where: str) -> None:
    """P8, P9: one trip's lines share their pick-up ZIP as sent; the claim has one pick-up ZIP5."""
    default = claim.pickup[2][3]
    trips: dict[tuple[str, str], set[str]] = {}
    for line in claim.lines:
        zip_ = line.pickup_zip if line.pickup_zip is not None else default
        assert zip_ok(zip_), where
        trips.setdefault((line.date, line.modifiers[0]), set()).add(zip_)
    assert all(len(zips) == 1 for zips in trips.values()), where
    assert len({z[:5] for zips in trips.values() for z in zips}) == 1, where


def test_reader_sees_what_the_rules_name() -> None:
    """The reader itself: the multiple-trips fixture has two trips, a 2420G on the second, line CR1s."""
    [(_, claim)] = claims_837p(ROOT / "fixtures" / "837p-multiple-trips.837")
    assert [line.code for line in claim.lines] == ["A0429", "A0425", "A0428", "A0425"]
    assert [line.pickup_zip is not None for line in claim.lines] == [False, False, True, True]
    assert [line.cr1 is not None for line in claim.lines] == [False, True, False, True]
    assert claim.has_nte and claim.cr1 is not None and claim.cr1[6] == "16.0"
