"""Builders shared by test modules: an inline ambulance claim, seeded mutants of the fixtures,
multi-set files recombined from the fixtures' transaction sets, and `edi837 ack` run at a fixed time
with its answers checked by pyx12. Test modules import these from here,
never from one another."""

from __future__ import annotations

import random
from pathlib import Path

from click.testing import CliRunner
from conftest import FIXTURES

import oracle
from edi837.cli import main

ISA = "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*MEDICARE       *261001*1200*^*00501*000000101*0*T*:~"
CLAIM = (
    "GS*HC*SUBMITTER*MEDICARE*20261001*1200*101*X*005010X223A2~ST*837*0001*005010X223A2~"
    "BHT*0019*00*B101*20261001*1200*CH~NM1*41*2*GENERAL HOSPITAL*****46*SUB01~PER*IC*BILLING*TE*2175551212~"
    "NM1*40*2*MEDICARE*****46*00120~HL*1**20*1~NM1*85*2*GENERAL HOSPITAL*****XX*1234567893~"
    "N3*1 MAIN ST~N4*SPRINGFIELD*IL*627040001~REF*EI*371234567~HL*2*1*22*0~SBR*P*18*******MA~"
    "NM1*IL*1*DOE*JANE****MI*1EG4TE5MK73~N3*5 ELM ST~N4*SPRINGFIELD*IL*62704~DMG*D8*19450312*F~"
    "NM1*PR*2*MEDICARE PART A*****PI*00120~"
    "CLM*OK1*1130***13:A:1**A*Y*Y~DTP*434*RD8*20260914-20260915~CL1*1*1*01~"
    "HI*ABK:S72001A~HI*ABF:R0789~HI*BE:A0:::2134*BE:32:::2~HI*BG:AM~"
    "NM1*71*1*SMITH*ANN****XX*1234567893~"
    "LX*1~SV2*0540*HC:A0427:RH:QN*950*UN*1~DTP*472*D8*20260914~REF*6R*L1~"
    "LX*2~SV2*0540*HC:A0425:RH:QN*180*UN*12.5~DTP*472*D8*20260914~"
    "SE*33*0001~GE*1*101~IEA*1*000000101~"
)


def mutants(n: int, seed: int, base: list[str] | None = None) -> list[bytes]:
    """Seeded mutants of the fixtures (or of `base`: files with the default delimiters and no line
    breaks): change, blank, lengthen, add or split an element; duplicate, drop or reorder segments;
    swap two elements."""
    rng = random.Random(seed)
    if base is None:
        base = [p.read_bytes().decode() for p in FIXTURES if p.stem not in ("custom-delims", "crlf", "lf-lines")]
    out = []
    for _ in range(n):
        segs = rng.choice(base).split("~")
        k = rng.randrange(3, len(segs) - 4)
        els = segs[k].split("*")
        op = rng.randrange(9)
        j = rng.randrange(1, len(els)) if len(els) > 1 else 0
        if op == 0 and j:
            els[j] = ""
        elif op == 1 and j:
            els[j] = "X" * rng.randint(1, 90)
        elif op == 2 and j:
            els[j] = rng.choice(["12A", "2026-13-01", "20261340", "A", "-", "9" * 20])
        elif op == 3:
            els.append("EXTRA")
        elif op == 4 and j:
            els[j] += ":Z"
        elif op == 5:
            segs.insert(k, segs[k])
        elif op == 6:
            del segs[k]
            out.append("~".join(segs).encode())
            continue
        elif op == 7:
            segs[k], segs[k + 1] = segs[k + 1], segs[k]
            out.append("~".join(segs).encode())
            continue
        elif op == 8 and len(els) > 2:
            a, b = rng.sample(range(1, len(els)), 2)
            els[a], els[b] = els[b], els[a]
        segs[k] = "*".join(els)
        out.append("~".join(segs).encode())
    return out


# Single-set fixtures with the default delimiters and no line breaks: their sets are recombined.
SINGLE = [p.read_text() for p in FIXTURES
          if p.stem not in ("two-st", "two-isa", "batch", "custom-delims", "crlf", "lf-lines")]


def combined(n_sets: int, rng: random.Random, end: str = "") -> str:
    """One interchange, one group, `n_sets` transaction sets taken from the fixtures."""
    segs = SINGLE[0].split("~")
    isa, gs = segs[0], segs[1]
    body = []
    for k in range(1, n_sets + 1):
        s = rng.choice(SINGLE).split("~")
        st = next(i for i, x in enumerate(s) if x.startswith("ST*"))
        se = next(i for i, x in enumerate(s) if x.startswith("SE*"))
        one = s[st:se + 1]
        one[0] = f"ST*837*{k:04d}*005010X223A2"
        one[-1] = f"SE*{len(one)}*{k:04d}"
        body += one
    gs_control = gs.split("*")[6]
    isa_control = isa.split("*")[13]
    return "~".join([isa, gs, *body, f"GE*{n_sets}*{gs_control}", f"IEA*1*{isa_control}"]) + "~" + end


FIXED = "202611220930"


def run_ack(paths: list[Path], out: Path, *extra: str) -> None:
    res = CliRunner().invoke(main, ["ack", *map(str, paths), "--out", str(out), "--fixed-time", FIXED, *extra])
    assert res.exit_code in (0, 1, 2), res.output
    assert "Traceback" not in res.output


def outputs_valid(out: Path) -> None:
    for f in sorted(out.iterdir()):
        verdict = oracle.validate(f.read_bytes())
        assert verdict.ok, (f.name, verdict.messages[:5])
