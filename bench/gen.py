"""Generate ambulance 837 files: the bundled 837I fixtures, and N-claim files for the benchmark.

    python bench/gen.py --claims N --out FILE [--seed S] [--claims-per-st K] [--line-feeds | --crlf]
                        [--claim-type 837I | 837P]
    python bench/gen.py --size-mb M --out FILE
    python bench/gen.py --fixtures fixtures/

`--claim-type 837P` writes Medicare Part B ambulance supplier claims (005010X222A1) made like the
fixtures/837p-*.837 files: CR1 with the loaded miles, CRC*07 condition codes, the pick-up (2310E)
and drop-off (2310F) loops, SV1 lines with an O/D pair, multiple patients with GM and QTY*PT, QL,
A0888 with GY, air with place of service 42. The default is the 837I (005010X223A2).

Every claim is guide-valid (pyx12 accepts it) and clean under every Medicare ambulance rule, so a
check of a generated file must accept every claim. Files are written as they are built: a 1 GB
file never sits in memory.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


def npi_check_digit(nine: str) -> str:
    """Luhn check digit of an NPI's first nine digits, with the 80840 health-industry prefix."""
    total = 0
    for i, ch in enumerate(reversed("80840" + nine)):
        d = int(ch)
        if i % 2 == 0:  # doubled: every second digit from the right, starting next to the check digit
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return str((10 - total % 10) % 10)


def npi(nine: str) -> str:
    return nine + npi_check_digit(nine)


def luhn_npi_ok(value: str) -> bool:
    return len(value) == 10 and value.isdigit() and npi_check_digit(value[:9]) == value[9]


@dataclass
class Trip:
    """One ambulance claim's content; `lines` are (HCPCS, modifiers, charge, units, non-covered)."""

    claim_id: str
    lines: list[tuple[str, str, str, str, str]]
    tob: str = "13:A:1"
    conditions: tuple[str, ...] = ()
    values: tuple[str, ...] = ("A0:::62704",)
    attending: bool = False
    date: str = "20260914"
    cl1: str = "1*1*01"
    dx: str = "R69"

    def segments(self) -> list[str]:
        total = sum(int(round(float(ln[2]) * 100)) for ln in self.lines)
        segs = [f"CLM*{self.claim_id}*{total // 100}.{total % 100:02d}***{self.tob}**A*Y*Y",
                f"DTP*434*RD8*{self.date}-{self.date}", f"CL1*{self.cl1}", f"HI*ABK:{self.dx}"]
        segs.append("HI*" + "*".join(f"BE:{v}" for v in self.values))
        if self.conditions:
            segs.append("HI*" + "*".join(f"BG:{c}" for c in self.conditions))
        if self.attending:
            segs.append(f"NM1*71*1*RIVERA*ANA****XX*{npi('162738495')}")
        for lx, (code, mods, charge, units, noncov) in enumerate(self.lines, start=1):
            sv2 = f"SV2*0540*HC:{code}:{mods}*{charge}*UN*{units}"
            segs += [f"LX*{lx}", sv2 + (f"**{noncov}" if noncov else ""), f"DTP*472*D8*{self.date}"]
        return segs


def trip(kind: str, claim_id: str, date: str = "20260914") -> Trip:
    """The claim kinds the fixtures and the benchmark are made of."""
    t = {
        "als-emergency": Trip(claim_id, [("A0427", "RH:QN", "950.00", "1", ""), ("A0425", "RH:QN", "180.00", "12.5", "")]),
        "bls-emergency": Trip(claim_id, [("A0429", "SH:QN", "620.00", "1", ""), ("A0425", "SH:QN", "96.00", "8", "")]),
        "als-nonemergency": Trip(claim_id, [("A0426", "NH:QM", "540.00", "1", ""), ("A0425", "NH:QM", "60.90", "4.3", "")],
                                 attending=True, cl1="3*1*01"),
        "bls-nonemergency": Trip(claim_id, [("A0428", "RD:QN", "410.00", "1", ""), ("A0425", "RD:QN", "1.00", "6.1", "")],
                                 attending=True, conditions=("AM",), cl1="3*1*01"),
        "air-fixed-wing": Trip(claim_id, [("A0430", "HH:QM", "4200.00", "1", ""), ("A0435", "HH:QM", "2500.00", "250", "")],
                               conditions=("AK",)),
        "air-rotary-wing": Trip(claim_id, [("A0431", "SH:QM", "5100.00", "1", ""), ("A0436", "SH:QM", "3360.00", "112", "")],
                                conditions=("AK",)),
        "multi-patient": Trip(claim_id, [("A0429", "SH:QN", "620.00", "1", ""), ("A0425", "SH:QN", "60.00", "5", "")],
                              values=("A0:::62704", "32:::2")),
        "cah": Trip(claim_id, [("A0427", "RH:QN", "900.00", "1", ""), ("A0425", "RH:QN", "420.00", "35", "")],
                    tob="85:A:1", conditions=("B2",)),
        "pronounced-dead": Trip(claim_id, [("A0429", "QL:QN", "620.00", "1", "")]),
        "noncovered-mileage": Trip(claim_id, [("A0427", "RH:QN", "950.00", "1", ""), ("A0425", "RH:QN", "180.00", "12.5", ""),
                                              ("A0888", "RH:GY:QN", "45.00", "3", "45.00")]),
        "specialty-care": Trip(claim_id, [("A0434", "HH:QN", "1450.00", "1", ""), ("A0425", "HH:QN", "310.00", "22.4", "")]),
        "leading-zero-zip": Trip(claim_id, [("A0427", "RH:QN", "950.00", "1", ""), ("A0425", "RH:QN", "99.90", "7.2", "")],
                                 values=("A0:::2134",)),
    }[kind]
    t.date = date
    return t


KINDS = ("als-emergency", "bls-emergency", "als-nonemergency", "bls-nonemergency", "air-fixed-wing", "air-rotary-wing",
         "multi-patient", "cah", "pronounced-dead", "noncovered-mileage", "specialty-care", "leading-zero-zip")
FIRST = ("JANE", "JOHN", "MARIA", "ROBERT", "LINDA", "JAMES", "PATRICIA", "DAVID", "SUSAN", "JOSEPH")
LAST = ("DOE", "SMITH", "GARCIA", "JOHNSON", "NGUYEN", "BROWN", "LOPEZ", "MILLER", "DAVIS", "WILSON")


@dataclass
class Subscriber:
    last: str
    first: str
    member: str
    birth: str
    gender: str
    trips: list[Trip | Transport] = field(default_factory=list)


def isa(control: int, el: str = "*", comp: str = ":", rep: str = "^", term: str = "~",
        sender: str = "GENHOSPAMB") -> str:
    fields = ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", sender.ljust(15), "ZZ", "MEDICAREMAC".ljust(15),
              "261001", "0930", rep, "00501", f"{control:09d}", "0", "T", comp]
    return el.join(fields) + term


def transaction(st_control: str, subscribers: list[Subscriber]) -> list[str]:
    segs = [f"ST*837*{st_control}*005010X223A2", f"BHT*0019*00*{st_control}*20261001*0930*CH",
            "NM1*41*2*GENERAL HOSPITAL AMBULANCE*****46*GENHOSPAMB", "PER*IC*BILLING OFFICE*TE*2175550100",
            "NM1*40*2*MEDICARE MAC*****46*MEDICAREMAC", "HL*1**20*1", "PRV*BI*PXC*282N00000X",
            f"NM1*85*2*GENERAL HOSPITAL*****XX*{npi('123456789')}", "N3*800 E CARPENTER ST",
            "N4*SPRINGFIELD*IL*627690001", "REF*EI*371234567"]
    hl = 1
    for s in subscribers:
        hl += 1
        segs += [f"HL*{hl}*1*22*0", "SBR*P*18*******MA", f"NM1*IL*1*{s.last}*{s.first}****MI*{s.member}",
                 "N3*12 ELM ST", "N4*SPRINGFIELD*IL*62704", f"DMG*D8*{s.birth}*{s.gender}",
                 "NM1*PR*2*MEDICARE PART A*****PI*00120"]
        for t in s.trips:
            segs += t.segments()
    segs.append(f"SE*{len(segs) + 1}*{st_control}")
    return segs


# -- 837P (005010X222A1): Medicare Part B ambulance supplier claims, as in fixtures/837p-*.837 --------

HOSPITAL = ("SPRINGFIELD GENERAL HOSPITAL", "800 E CARPENTER ST", "SPRINGFIELD", "IL", "627690001")
UNIVERSITY = ("UNIVERSITY MEDICAL CENTER", "1740 W TAYLOR ST", "CHICAGO", "IL", "606127232")
HOME = ("12 ELM ST", "SPRINGFIELD", "IL", "627021105")


@dataclass
class Transport:
    """One 837P ambulance claim; `lines` are (HCPCS, modifiers, charge, units). One trip: the 2300
    CR1 carries its loaded miles (CR106 = the units of the mileage lines, A0888's included), the
    2310E pick-up and 2310F drop-off its origin and destination, and no line CR1 is sent."""

    claim_id: str
    lines: list[tuple[str, str, str, str]]
    miles: str
    dx: tuple[str, ...]
    pos: str = "41"  # CLM05-1: 41 ground, 42 air
    reason: str = "A"  # CR104: A patient was transported to the nearest facility
    weight: str = "180"  # CR102, pounds
    conditions: tuple[str, ...] = ()  # CRC*07 condition codes
    emergency: bool = False  # SV109 = Y on every line
    pointers: str = "1"  # SV107: diagnosis pointers
    patients: int = 1  # QTY*PT on every line when 2 or more (with GM)
    note: str = ""  # 2300 NTE*ADD: the narrative the MACs ask for (GM, QL, A0888, reason B)
    admitted: bool = False  # 2300 DTP*435 (CRC code 01: admitted to a hospital)
    authorization: str = ""  # 2300 REF*G1: a prior authorization (RSNAT's unique tracking number)
    pickup: tuple[str, str, str, str] = HOME  # street, city, state, ZIP
    dropoff: tuple[str, str, str, str, str] = HOSPITAL  # name, street, city, state, ZIP
    date: str = "20260914"

    def segments(self) -> list[str]:
        total = sum(int(round(float(ln[2]) * 100)) for ln in self.lines)
        segs = [f"CLM*{self.claim_id}*{total // 100}.{total % 100:02d}***{self.pos}:B:1*Y*A*Y*Y"]
        if self.admitted:
            segs.append(f"DTP*435*D8*{self.date}")
        if self.authorization:
            segs.append(f"REF*G1*{self.authorization}")
        if self.note:
            segs.append(f"NTE*ADD*{self.note}")
        segs.append(f"CR1*LB*{self.weight}**{self.reason}*DH*{self.miles}")
        if self.conditions:
            segs.append("CRC*07*Y*" + "*".join(self.conditions))
        segs.append("HI*ABK:" + "*ABF:".join(self.dx))
        street, city, state, zip_code = self.pickup
        name, to_street, to_city, to_state, to_zip = self.dropoff
        segs += ["NM1*PW*2", f"N3*{street}", f"N4*{city}*{state}*{zip_code}",
                 f"NM1*45*2*{name}", f"N3*{to_street}", f"N4*{to_city}*{to_state}*{to_zip}"]
        for lx, (code, mods, charge, units) in enumerate(self.lines, start=1):
            sv1 = f"SV1*HC:{code}:{mods}*{charge}*UN*{units}***{self.pointers}" + ("**Y" if self.emergency else "")
            segs += [f"LX*{lx}", sv1, f"DTP*472*D8*{self.date}"]
            if self.patients > 1:
                segs.append(f"QTY*PT*{self.patients}")
            segs.append(f"REF*6R*{self.claim_id}-{lx}")
        return segs


def transport(kind: str, claim_id: str, date: str = "20260914") -> Transport:
    """The 837P claim kinds, as the fixtures of the same names."""
    t = {
        "als-emergency": Transport(claim_id, [("A0427", "SH", "950.00", "1"), ("A0425", "SH", "116.20", "8.3")], "8.3",
                                   ("S069X9A", "R4020"), weight="210", conditions=("04", "05", "06"), emergency=True,
                                   pointers="1:2", pickup=("MILE MARKER 92 I-55 NB", "SPRINGFIELD", "IL", "62707")),
        "bls-emergency": Transport(claim_id, [("A0429", "RH", "650.00", "1"), ("A0425", "RH", "175.00", "12.5")], "12.5",
                                   ("R0789",), emergency=True),
        "als-nonemergency": Transport(claim_id, [("A0426", "NH", "560.00", "1"), ("A0425", "NH", "72.80", "5.2")], "5.2",
                                      ("J9601", "I5022"), weight="195", conditions=("04", "12"),
                                      pickup=("525 S GRAND AVE W", "SPRINGFIELD", "IL", "62704")),
        "bls-nonemergency": Transport(claim_id, [("A0428", "RJ", "480.00", "1"), ("A0425", "RJ", "61.60", "4.4")], "4.4",
                                      ("N186", "Z992"), weight="240", conditions=("12",), authorization="JG2026091500A1",
                                      dropoff=("PRAIRIE KIDNEY CENTER", "1900 W LAWRENCE AVE", "SPRINGFIELD", "IL",
                                               "627041420")),
        "air-fixed-wing": Transport(claim_id, [("A0430", "HH", "4200.00", "1"), ("A0435", "HH", "2968.00", "212")], "212",
                                    ("I7101", "I10"), pos="42", reason="D", weight="150", conditions=("04", "06"),
                                    pointers="1:2", pickup=HOSPITAL[1:], dropoff=UNIVERSITY),
        "air-rotary-wing": Transport(claim_id, [("A0431", "SH", "5100.00", "1"), ("A0436", "SH", "1075.20", "38.4")],
                                     "38.4", ("S270XXA", "V4352XA"), pos="42", weight="200", conditions=("05", "06"),
                                     emergency=True, pickup=("MILE MARKER 265 I-55 SB", "DIVERNON", "IL", "62530")),
        "multi-patient": Transport(claim_id, [("A0429", "SH:GM", "650.00", "1"), ("A0425", "SH:GM", "103.60", "7.4")],
                                   "7.4", ("S0990XA",), weight="170", emergency=True, patients=2,
                                   note="2 PATIENTS ONE VEHICLE. OTHER PT ON OWN CLAIM, MBI ON FILE, 7.4 MI",
                                   pickup=("RT 4 AT W JEFFERSON ST", "SPRINGFIELD", "IL", "62702")),
        "noncovered-mileage": Transport(claim_id, [("A0428", "RH", "480.00", "1"), ("A0425", "RH", "84.00", "6"),
                                                   ("A0888", "RH:GY", "63.00", "4.5")], "10.5", ("M6281", "R262"),
                                        reason="B", weight="240", conditions=("04", "12"),
                                        note="PT CHOSE HOSPITAL OF OWN PHYSICIAN, 4.5 MI PAST NEAREST FACILITY AS A0888 GY",
                                        dropoff=("LINCOLN LAND REGIONAL HOSPITAL", "301 W MAIN ST", "JACKSONVILLE", "IL",
                                                 "626503131")),
        "specialty-care": Transport(claim_id, [("A0434", "HH", "1350.00", "1"), ("A0425", "HH", "1288.00", "92")], "92",
                                    ("I214", "I509"), reason="D", weight="210", conditions=("01", "04"), emergency=True,
                                    pointers="1:2", admitted=True, pickup=HOSPITAL[1:], dropoff=UNIVERSITY),
        "pronounced-dead": Transport(claim_id, [("A0429", "QL", "650.00", "1")], "0", ("R99",), weight="190",
                                     emergency=True,
                                     note="PRONOUNCED DEAD AT RESIDENCE BEFORE LOADING, NOT TRANSPORTED"),
    }[kind]
    t.date = date
    return t


P_KINDS = ("als-emergency", "bls-emergency", "als-nonemergency", "bls-nonemergency", "air-fixed-wing",
           "air-rotary-wing", "multi-patient", "noncovered-mileage", "specialty-care", "pronounced-dead")


def professional(st_control: str, subscribers: list[Subscriber]) -> list[str]:
    """One 837P transaction set of an ambulance supplier billing its Part B MAC."""
    segs = [f"ST*837*{st_control}*005010X222A1", f"BHT*0019*00*{st_control}*20261001*0930*CH",
            "NM1*41*2*PRAIRIE AMBULANCE SERVICE*****46*PRAIRIEAMB", "PER*IC*BILLING OFFICE*TE*2175550123",
            "NM1*40*2*MEDICARE PART B MAC*****46*MEDICAREMAC", "HL*1**20*1", "PRV*BI*PXC*3416L0300X",
            f"NM1*85*2*PRAIRIE AMBULANCE SERVICE*****XX*{npi('154321987')}", "N3*2200 S MACARTHUR BLVD",
            "N4*SPRINGFIELD*IL*627040001", "REF*EI*371234568"]
    hl = 1
    for s in subscribers:
        hl += 1
        segs += [f"HL*{hl}*1*22*0", "SBR*P*18*******MB", f"NM1*IL*1*{s.last}*{s.first}****MI*{s.member}",
                 "N3*12 ELM ST", "N4*SPRINGFIELD*IL*62702", f"DMG*D8*{s.birth}*{s.gender}",
                 "NM1*PR*2*MEDICARE PART B*****PI*06102"]
        for t in s.trips:
            segs += t.segments()
    segs.append(f"SE*{len(segs) + 1}*{st_control}")
    return segs


def interchange(control: int, groups: list[list[list[Subscriber]]], delims: tuple[str, str, str, str] = ("*", ":", "^", "~"),
                sep: str = "") -> str:
    """Text of one interchange; `groups` is a list of groups, each a list of transaction sets."""
    el, comp, rep, term = delims
    out = [isa(control, el, comp, rep, term)]
    st = 0
    for g, sets in enumerate(groups, start=1):
        out.append(f"GS{el}HC{el}GENHOSPAMB{el}MEDICAREMAC{el}20261001{el}0930{el}{control * 10 + g}{el}X{el}005010X223A2{term}")
        for subs in sets:
            st += 1
            out += [s.replace("*", el).replace(":", comp) + term for s in transaction(f"{st:04d}", subs)]
        out.append(f"GE{el}{len(sets)}{el}{control * 10 + g}{term}")
    out.append(f"IEA{el}{len(groups)}{el}{control:09d}{term}")
    return sep.join(out) + sep


def subscriber(i: int, rng: random.Random) -> Subscriber:
    member = f"{rng.randint(1, 9)}EG4TE5MK{rng.randint(10, 99)}"
    return Subscriber(LAST[i % len(LAST)], FIRST[(i // len(LAST)) % len(FIRST)], member,
                      f"19{rng.randint(30, 60)}0{rng.randint(1, 9)}1{rng.randint(0, 9)}", rng.choice("MF"))


def fixtures(folder: Path) -> None:
    rng = random.Random(7)
    folder.mkdir(parents=True, exist_ok=True)

    def one(kind: str, cid: str) -> list[list[list[Subscriber]]]:
        s = subscriber(len(cid), rng)
        s.trips.append(trip(kind, cid))
        return [[[s]]]

    for n, kind in enumerate(KINDS, start=1):
        (folder / f"{kind}.837").write_text(interchange(100 + n, one(kind, f"AMB-{kind[:4].upper()}-{n:03d}")))
    batch = []
    for i in range(6):
        s = subscriber(i, rng)
        for j in range(5 if i < 5 else 1):
            s.trips.append(trip(KINDS[(i * 5 + j) % len(KINDS)], f"BATCH-{i}-{j}", date=f"202609{10 + j:02d}"))
        batch.append(s)
    (folder / "batch.837").write_text(interchange(201, [[batch]]))
    a, b = subscriber(1, rng), subscriber(2, rng)
    a.trips.append(trip("als-emergency", "TWOST-1"))
    b.trips.append(trip("bls-emergency", "TWOST-2"))
    (folder / "two-st.837").write_text(interchange(202, [[[a], [b]]]))
    c, d = subscriber(3, rng), subscriber(4, rng)
    c.trips.append(trip("als-nonemergency", "TWOISA-1"))
    d.trips.append(trip("cah", "TWOISA-2"))
    (folder / "two-isa.837").write_text(interchange(203, [[[c]]]) + "\n" + interchange(204, [[[d]]]))
    with open(folder / "crlf.837", "w", newline="") as fh:
        fh.write(interchange(205, one("als-emergency", "CRLF-1"), sep="\r\n"))
    with open(folder / "lf-lines.837", "w", newline="") as fh:
        fh.write(interchange(206, one("bls-emergency", "LF-1"), sep="\n"))
    (folder / "custom-delims.837").write_text(interchange(207, one("als-emergency", "DELIM-1"), delims=("|", ">", "^", "~")))


# By claim type: the submitter, the version (GS08), the claim kinds, a claim of a kind, a transaction set.
CLAIM_TYPES = {
    "837I": ("GENHOSPAMB", "005010X223A2", KINDS, trip, transaction),
    "837P": ("PRAIRIEAMB", "005010X222A1", P_KINDS, transport, professional),
}


def stream(out: Path, claims: int | None, size_mb: int | None, seed: int, per_st: int, newline: str = "",
           claim_type: str = "837I") -> int:
    """Write a one-interchange file of ambulance claims (837I or 837P); returns the number of claims.
    With `newline` ("\n" or "\r\n") every segment terminator is followed by it (one segment per line)."""
    sender, version, kinds, claim_of, set_of = CLAIM_TYPES[claim_type]
    rng = random.Random(seed)
    limit = size_mb * 1_000_000 if size_mb else None
    written = n = st = 0
    term = "~" + newline
    with open(out, "w", buffering=1 << 20, newline="") as fh:
        head = (isa(1, sender=sender) + f"GS*HC*{sender}*MEDICAREMAC*20261001*0930*1*X*{version}~").replace("~", term)
        fh.write(head)
        written += len(head)

        def batches() -> Iterator[list[Subscriber]]:
            nonlocal n
            while (claims is None or n < claims) and (limit is None or written < limit):
                subs, in_set = [], 0
                while in_set < per_st and (claims is None or n < claims) and (limit is None or written + in_set * 900 < limit):
                    s = subscriber(n, rng)
                    for _ in range(rng.choice((1, 1, 2, 3))):
                        if (claims is not None and n >= claims) or in_set >= per_st:
                            break
                        s.trips.append(claim_of(kinds[rng.randrange(len(kinds))], f"C{n:09d}",
                                                date=f"2026{rng.randint(1, 9):02d}{rng.randint(10, 28)}"))
                        n += 1
                        in_set += 1
                    subs.append(s)
                yield subs

        for subs in batches():
            st += 1
            text = term.join(set_of(f"{st:09d}", subs)) + term
            fh.write(text)
            written += len(text)
        tail = f"GE*{st}*1{term}IEA*1*000000001{term}"
        fh.write(tail)
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description="Generate ambulance 837 files (fixtures or benchmark input).")
    ap.add_argument("--claims", type=int)
    ap.add_argument("--size-mb", type=int)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--claims-per-st", type=int, default=5000)
    ap.add_argument("--line-feeds", action="store_true", help="a line feed after every segment terminator")
    ap.add_argument("--crlf", action="store_true", help="CR LF after every segment terminator")
    ap.add_argument("--fixtures", type=Path, help="write the bundled 837I fixture set into this folder")
    ap.add_argument("--claim-type", choices=sorted(CLAIM_TYPES), default="837I",
                    help="837I (005010X223A2, the default) or 837P (005010X222A1) ambulance claims")
    a = ap.parse_args()
    if a.fixtures:
        fixtures(a.fixtures)
        return
    if not a.out or (a.claims is None and a.size_mb is None):
        ap.error("--out and one of --claims / --size-mb are required")
    newline = "\r\n" if a.crlf else "\n" if a.line_feeds else ""
    n = stream(a.out, a.claims, a.size_mb, a.seed, a.claims_per_st, newline, a.claim_type)
    print(f"{a.out}: {n} claims")


if __name__ == "__main__":
    main()
