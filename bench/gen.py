"""Generate ambulance 837I files: the bundled fixtures, and N-claim files for the benchmark.

    python bench/gen.py --claims N --out FILE [--seed S] [--claims-per-st K] [--line-feeds | --crlf]
    python bench/gen.py --size-mb M --out FILE
    python bench/gen.py --fixtures fixtures/

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
    trips: list[Trip] = field(default_factory=list)


def isa(control: int, el: str = "*", comp: str = ":", rep: str = "^", term: str = "~") -> str:
    fields = ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", "GENHOSPAMB".ljust(15), "ZZ", "MEDICAREMAC".ljust(15),
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


def stream(out: Path, claims: int | None, size_mb: int | None, seed: int, per_st: int, newline: str = "") -> int:
    """Write a one-interchange file of ambulance claims; returns the number of claims. With `newline`
    ("\n" or "\r\n") every segment terminator is followed by it (one segment per line)."""
    rng = random.Random(seed)
    limit = size_mb * 1_000_000 if size_mb else None
    written = n = st = 0
    term = "~" + newline
    with open(out, "w", buffering=1 << 20, newline="") as fh:
        head = (isa(1) + "GS*HC*GENHOSPAMB*MEDICAREMAC*20261001*0930*1*X*005010X223A2~").replace("~", term)
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
                        s.trips.append(trip(KINDS[rng.randrange(len(KINDS))], f"C{n:09d}",
                                            date=f"2026{rng.randint(1, 9):02d}{rng.randint(10, 28)}"))
                        n += 1
                        in_set += 1
                    subs.append(s)
                yield subs

        for subs in batches():
            st += 1
            text = term.join(transaction(f"{st:09d}", subs)) + term
            fh.write(text)
            written += len(text)
        tail = f"GE*{st}*1{term}IEA*1*000000001{term}"
        fh.write(tail)
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description="Generate ambulance 837I files (fixtures or benchmark input).")
    ap.add_argument("--claims", type=int)
    ap.add_argument("--size-mb", type=int)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--claims-per-st", type=int, default=5000)
    ap.add_argument("--line-feeds", action="store_true", help="a line feed after every segment terminator")
    ap.add_argument("--crlf", action="store_true", help="CR LF after every segment terminator")
    ap.add_argument("--fixtures", type=Path, help="write the bundled fixture set into this folder")
    a = ap.parse_args()
    if a.fixtures:
        fixtures(a.fixtures)
        return
    if not a.out or (a.claims is None and a.size_mb is None):
        ap.error("--out and one of --claims / --size-mb are required")
    newline = "\r\n" if a.crlf else "\n" if a.line_feeds else ""
    n = stream(a.out, a.claims, a.size_mb, a.seed, a.claims_per_st, newline)
    print(f"{a.out}: {n} claims")


if __name__ == "__main__":
    main()
