"""Builders shared by test modules (they import these from here, never from one another):

- the clean inline ambulance claim (ISA + CLAIM = BASE), and for each rule a case: an edit of it that
  fires the rule and a real near miss that must not (CASES, assert_fires, assert_near_miss_is_quiet);
- seeded mutants of the fixtures (mutants), multi-set files recombined from their sets (combined);
- `edi837 ack` at a fixed time with its answers checked by pyx12 (run_ack, outputs_valid);
- `check` of a text with every finding it gives (check, findings_of), the CLI (cli, invoke), and the
  fixtures, samples and mutants together (corpus).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import subprocess
import sys
from pathlib import Path

import oracle
from click.testing import CliRunner
from conftest import FIXTURES, ROOT, SAMPLES_837I
from hypothesis import strategies as st

import edi837
from edi837 import rules
from edi837.claims import Claim, Where
from edi837.claims.model import Value
from edi837.cli import main
from edi837.engine.pipeline import Checker, parse_stream
from edi837.engine.results import GroupResult, InterchangeResult, TransactionResult
from edi837.errors import InputError
from edi837.findings import Finding

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


# Single-set 837I fixtures with the default delimiters and no line breaks: their sets are recombined
# into one 837I group (an 837P set belongs in a group of its own guide).
SINGLE = [p.read_text() for p in FIXTURES
          if p.stem not in ("two-st", "two-isa", "batch", "custom-delims", "crlf", "lf-lines")
          and "005010X222A1" not in p.read_text()]


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


TODAY = dt.date(2026, 11, 22)
BASE = ISA + CLAIM


def findings(text: str) -> list:
    [claim] = list(parse_stream(io.BytesIO(text.encode()), "t.837"))
    return rules.run(claim, rules.load_profile(), rules.Context(today=TODAY))


def swap(old: str, new: str):
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new)
    return edit


MILES = "HC:A0425:RH:QN*180*UN*12.5"
BASE_LINE = "HC:A0427:RH:QN*950*UN*1"
ABN_DATE = "HI*BH:32:D8:20260910~HI*BE:A0"  # occurrence code 32 (the ABN's date) before the value codes
F8 = "CL1*1*1*01~REF*F8*26250000123456~"  # the payer's claim control number of the claim a 7/8 changes


def with_taxonomy(code: str):
    """The clean claim with the billing provider's taxonomy (2000A PRV*BI*PXC) `code`: one segment more."""
    return lambda text: swap("SE*33*0001", "SE*34*0001")(swap("HL*1**20*1~", f"HL*1**20*1~PRV*BI*PXC*{code}~")(text))


# rule -> (edit that fires it, the segment its finding points at, near-miss edit that must not fire it)
CASES = {
    "AMB001": (swap("13:A:1", "11:A:1"), "CLM", swap("13:A:1", "85:A:1")),
    "AMB002": (swap("SV2*0540*HC:A0427", "SV2*0450*HC:A0427"), "SV2",
               swap("SV2*0540*" + BASE_LINE, "SV2*0541*" + BASE_LINE + "**950")),
    "AMB003": (swap(BASE_LINE, "HC:A0427:RH*950*UN*1"), "SV2", swap(BASE_LINE, "HC:A0427:RH:QM*950*UN*1")),
    "AMB004": (swap(BASE_LINE, "HC:A0427:QN*950*UN*1"), "SV2", swap(BASE_LINE, "HC:A0427:QL:QN*950*UN*1")),
    "AMB005": (swap(BASE_LINE, "HC:A0427:RH:QN*950*UN*2"), "SV2", swap(BASE_LINE, "HC:A0427:RH:QN*950*UN*1.0")),
    "AMB006": (swap(MILES, "HC:A0425:RH:QN*180*UN*0"), "SV2", swap(MILES, "HC:A0425:RH:QN*180*UN*12.50")),
    "AMB007": (swap("HC:A0427:", "HC:A0431:"), "SV2", swap("HC:A0427:", "HC:A0433:")),
    "AMB008": (swap("HI*BE:A0:::2134*BE:32:::2~", "HI*BE:32:::2~"), "CLM", swap("BE:A0:::2134", "BE:A0:::627041234")),
    "AMB009": (swap("BE:32:::2", "BE:32:::1"), "HI", swap("BE:32:::2", "BE:32:::3")),
    "AMB010": (lambda t: swap("NM1*71*1*SMITH*ANN****XX*1234567893~", "")(t.replace("HC:A0427:", "HC:A0428:")), "CLM",
               swap("NM1*71*1*SMITH*ANN****XX*1234567893~", "")),
    "AMB011": (swap("DTP*472*D8*20260914~REF", "DTP*472*D8*20260920~REF"), "DTP",
               swap("DTP*472*D8*20260914~REF", "DTP*472*D8*20260915~REF")),
    "AMB012": (swap(MILES, "HC:A0425:RH:QN*0*UN*12.5"), "SV2", swap(MILES, "HC:A0425:RH:QN*1.00*UN*12.5")),
    "AMB013": (swap("CLM*OK1*1130*", "CLM*OK1*1200*"), "CLM", swap("CLM*OK1*1130*", "CLM*OK1*1130.00*")),
    "AMB014": (swap(MILES, "HC:A0888:RH:QN*180*UN*12.5"), "SV2", swap(MILES, "HC:A0888:RH:GY:QN*180*UN*12.5**180")),
    "AMB015": (swap(MILES, "HC:A0390:RH:QN*180*UN*12.5"), "SV2", swap(MILES, "HC:A0998:GY:QN*180*UN*1**180")),
    "AMB016": (swap(BASE_LINE, "HC:A0427:RH:GA:QN*950*UN*1"), "SV2",
               lambda t: swap(BASE_LINE, "HC:A0428:RH:GA:QN*950*UN*1")(swap("HI*BE:A0", ABN_DATE)(t))),
    "AMB017": (swap("HI*BG:AM", "HI*BG:B2"), "HI", lambda t: t.replace("HI*BG:AM", "HI*BG:B2").replace("13:A:1", "85:A:1")),
    "AMB018": (swap("HI*BG:AM", "HI*BG:AK"), "HI", swap("HI*BG:AM", "HI*BG:AL")),
    "AMB019": (swap("BE:A0:::2134", "BE:A0:::2134*BE:A0:::62702"), "HI", swap("BE:A0:::2134", "BE:A0:::62702")),
    "AMB020": (swap("HC:A0427:RH", "HC:A0427:RP"), "SV2", swap("HC:A0427:RH", "HC:A0427:RN")),
    "AMB021": (swap("SV2*0540*" + BASE_LINE, "SV2*0540*HC:99283:QN*950*UN*1"), "SV2",
               swap("SV2*0540*" + BASE_LINE, "SV2*0450*HC:99283*950*UN*1")),
    "AMB022": (swap(MILES, MILES + "**200"), "SV2", swap(MILES, MILES + "**180")),
    "AMB023": (swap("13:A:1", "13:A:9"), "CLM", lambda t: swap("CL1*1*1*01~", F8)(t.replace("13:A:1", "13:A:7"))),
    "AMB024": (swap("N3*1 MAIN ST", "N3*PO BOX 12"), "N3", swap("N3*1 MAIN ST", "N3*100 POST OFFICE RD")),
    "AMB027": (lambda t: swap("CL1*1*1*01~", F8)(t.replace("13:A:1", "13:A:7")), "CLM",
               lambda t: swap("CL1*1*1*01~", F8)(t.replace("13:A:1", "13:A:7").replace("HI*BG:AM", "HI*BG:AM*BG:D9"))),
    "AMB028": (swap(BASE_LINE, "HC:A0427:RH:GX:QN*950*UN*1"), "SV2", swap(BASE_LINE, "HC:A0427:RH:GX:QN*950*UN*1**950")),
    "AMB029": (swap("HI*BG:AM", "HI*BG:21"), "SV2", swap("HI*BG:AM", "HI*BG:20")),
    "COD001": (swap("13:A:1", "19:A:1"), "CLM", swap("13:A:1", "85:A:1")),
    "COD002": (swap("13:A:1", "13:A:6"), "CLM", swap("13:A:1", "13:A:7")),
    "COD003": (swap("SV2*0540*HC:A0427", "SV2*540*HC:A0427"), "SV2", swap("SV2*0540*HC:A0427", "SV2*0541*HC:A0427")),
    "COD004": (swap("SV2*0540*HC:A0427", "SV2*0599*HC:A0427"), "SV2", swap("SV2*0540*HC:A0427", "SV2*0545*HC:A0427")),
    "COD005": (swap("HC:A0427:", "HC:A427:"), "SV2", swap("HC:A0427:", "HC:A0434:")),
    "COD006": (swap("HI*BG:AM", "HI*BG:ZZ"), "HI", swap("HI*BG:AM", "HI*BG:20")),
    "COD007": (swap("BE:32:::2", "BE:Q9:::2"), "HI", swap("BE:32:::2", "BE:A8:::2")),
    "COD008": (swap("CL1*1*1*01", "CL1*7*1*01"), "CL1", swap("CL1*1*1*01", "CL1*2*1*01")),
    "NPI001": (swap("XX*1234567893~N3*1 MAIN", "XX*1234567890~N3*1 MAIN"), "NM1",
               swap("XX*1234567893~N3*1 MAIN", "XX*1245319599~N3*1 MAIN")),
    "NPI002": (swap("ANN****XX*1234567893", "ANN****XX*1234567899"), "NM1",
               swap("ANN****XX*1234567893", "ANN****XX*1245319599")),
    "DAT001": (swap("RD8*20260914-20260915", "RD8*20260915-20260914"), "DTP",
               swap("RD8*20260914-20260915", "RD8*20260914-20260914")),
    "MBI001": (swap("MI*1EG4TE5MK73", "MI*123456789A"), "NM1", swap("MI*1EG4TE5MK73", "MI*2A09C18DE53")),
    "TIN001": (swap("REF*EI*371234567", "REF*EI*37-1234567"), "REF", swap("REF*EI*371234567", "REF*EI*061234567")),
    "COD009": (swap("HI*BG:AM", "HI*BG:AM*BG:AM"), "HI", swap("HI*BG:AM", "HI*BG:AM*BG:AL")),
    "COD010": (with_taxonomy("34160000X"), "PRV", with_taxonomy("3416L0300X")),
    "COD011": (swap("HI*ABK:S72001A", "HI*ABK:S72.001A"), "HI", swap("HI*ABK:S72001A", "HI*ABK:R69")),
}


SAME_AS_BASE: set[str] = set()  # none: every near miss is an edit of the clean claim


def rule_findings(text: str, rule_id: str) -> list:
    return [f for f in findings(text) if f.rule == rule_id]


def family(module: str) -> list[str]:
    """The ids of the rules with a case above that live in edi837/rules/`module`.py."""
    return sorted(r for r in CASES if rules.REGISTRY[r].check.__module__ == f"edi837.rules.{module}")


def assert_fires(rule_id: str) -> None:
    """The rule's case fires it, with its severity, its 277CA codes, at the segment it names."""
    edit, segment, _ = CASES[rule_id]
    assert_hits(rule_id, [f for f in findings(edit(BASE)) if f.rule == rule_id], segment)


def assert_hits(rule_id: str, hits: list[Finding], segment: str) -> None:
    """A rule's case fired it: with its severity, its 277CA codes, at the segment it names."""
    assert hits, f"{rule_id} did not fire"
    r = rules.REGISTRY[rule_id]
    for f in hits:
        assert f.severity == r.severity
        # a finding's 277CA codes fit its severity: an error's come from its rule, a warning has none
        assert (f.stc and set(f.stc) <= set(r.stc)) if f.is_error else f.stc == ()
        assert f.segment == segment and f.position and f.message and f.fix


def assert_near_miss_is_quiet(rule_id: str) -> None:
    """The rule's near miss changes the clean claim and does not fire it."""
    near_miss = CASES[rule_id][2](BASE)
    assert near_miss != BASE or rule_id in SAME_AS_BASE, "a near miss that changes nothing cannot fail"
    assert [f.rule for f in findings(near_miss) if f.rule == rule_id] == []


LF = (ROOT / "fixtures" / "lf-lines.837").read_text()
BATCH = (ROOT / "fixtures" / "batch.837").read_text()


NOWHERE = Where("", "", 0)  # a Where still (the compiled model refuses None where one is required)


PLACE = ("file", "transaction", "hl_subscriber", "hl_patient", "clearinghouse_trace")  # where it was sent


def comparable(claim: object) -> object:
    """A claim as it compares between the file it was read from and a forward 837 of it: without where
    it was sent (PLACE) or where each part sits (`nowhere`)."""
    assert isinstance(claim, Value)
    return nowhere(claim.replace(**{k: "" for k in PLACE}))


def nowhere(value: object) -> object:
    """`value` with every Where in it (of the claim, its lines, providers, people, codes, CR1, CRC,
    pick-up and drop-off ...) blanked: where a claim sits differs between two files."""
    if isinstance(value, Where):
        return NOWHERE
    if isinstance(value, tuple):
        return tuple(nowhere(x) for x in value)
    if isinstance(value, Value):
        return value.replace(**{k: nowhere(v) for k, v in value._state().items()})
    return value


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def check(data: bytes | str, profile: rules.Profile | None = None
          ) -> list[TransactionResult | GroupResult | InterchangeResult]:
    raw = data.encode() if isinstance(data, str) else data
    checker = Checker(profile or rules.load_profile(), rules.Context(today=TODAY))
    out: list = []
    try:
        out.extend(checker.run(io.BytesIO(raw), "t.837"))
    except InputError:
        pass  # an unreadable file: what was read before is checked all the same
    return out


def findings_of(items: list) -> list[Finding]:
    """Every finding of what `check` gave: of the envelopes, the sets and each claim."""
    out: list[Finding] = []
    for item in items:
        out += item.findings
        if isinstance(item, TransactionResult):
            out += [f for c in item.claims for f in c.all_findings]
    return out


def cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.output


def corrupted_patient_loops() -> bytes:
    """lf-lines with an error in each patient value: too long a member id, an invalid birth date, a
    diagnosis code with an invalid character and a patient name that is too long."""
    text = edit(LF, "MI*4EG4TE5MK11~", "MI*4EG4TE5MK11" + "7" * 80 + "~")
    text = edit(text, "DMG*D8*19450314*F", "DMG*D8*19451399*F")
    text = edit(text, "HI*ABK:R69~", "HI*ABK:R69\x07~")
    text = edit(text, "NM1*IL*1*NGUYEN*JANE", "NM1*IL*1*NGUYEN" + "Q" * 70 + "*JANE")
    return text.encode()


def corpus() -> list[bytes]:
    files = [p.read_bytes() for p in FIXTURES + SAMPLES_837I if p.is_file()]
    return files + mutants(300, seed=12) + [corrupted_patient_loops()]


# Text an X12 element may hold here: anything but the delimiters, quotes, backslashes and Latin-1
# letters included (the reader decodes Latin-1), which JSON must escape.
ELEMENT_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="*:^~"),
                       min_size=1, max_size=12).filter(lambda s: s.strip() == s)


def invoke(*args: str, input: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def a_claim(**fields: object) -> Claim:
    """A real parsed claim (the bls-emergency fixture's) with `fields` changed: for tests of verdicts and
    writers that need a claim but not a particular one (a compiled build checks that it is a Claim)."""
    [claim] = edi837.parse(ROOT / "fixtures" / "bls-emergency.837")
    return claim.replace(**fields)


# VmHWM, the process's own peak: ru_maxrss survives exec, so the child of a 400 MB pytest would report
# the pytest's size, and two such figures would differ by nothing.
PEAK = """
import re, sys
from edi837.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
with open("/proc/self/status") as status:
    print(re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1))
"""


def peak_rss_kb(*args: str) -> int:
    """Peak RSS (kB) of `edi837 ARGS` run in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", PEAK, *args], capture_output=True, text=True, cwd=ROOT, check=True)
    return int(done.stdout.split()[-1])


def x12_segments(text: str) -> list[list[str]]:
    """An X12 text's segments, split with its own delimiters (ISA04 and the ISA's terminator)."""
    element, end = text[3], text[105]
    return [seg.strip("\r\n").split(element) for seg in text.split(end) if seg.strip()]


def isa13s(outbox: Path) -> list[str]:
    """The ISA13 of every answer under OUTBOX's acks/ and forward/."""
    numbers = []
    for folder in ("acks", "forward"):
        for f in (outbox / folder).iterdir():
            numbers += [seg[13] for seg in x12_segments(f.read_text(encoding="latin-1")) if seg[0] == "ISA"]
    return numbers
