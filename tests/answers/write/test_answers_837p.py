"""Every answer to 837P input (issue 25 item 4): the 999 names X222A1, the 277CA speaks of HCPCS and
line dates, the forward 837P holds exactly the accepted claims, and pyx12 accepts all of them.

The mutant runs answer many 837P mutants per `ack` run: each mutant is a whole interchange, and a few
hundred of them make one input file. pyx12 then reads each distinct answer set once: the sets of all
the answers, told apart by their content with our own control and trace numbers blanked, are put in
one interchange per kind of answer (999, 277CA, 837); the 277CA's claims are told apart one by one
(each distinct claim loop once, under the first set's billing provider). pyx12 reads a set, or a
claim's loop, by its own segments and its place in the guide, so what it accepts there it accepts in
the answer it came from; the envelope counts of the real answers (SE01, GE01, IEA01) are checked here
apart. Reading every answer whole would take pyx12 about ten times as long.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

import oracle
import pytest
from builders import check, comparable, edit, mutants, run_ack
from conftest import FIXTURES

from edi837.answers.write import ack277, ack999
from edi837.answers.write.values import fit
from edi837.claims import Claim
from edi837.engine.pipeline import parse_stream
from edi837.engine.results import TransactionResult
from edi837.x12.guide import VERSION_837I, VERSION_837P
from edi837.x12.read import DEFAULT_DELIMITERS

PROFESSIONAL = [p for p in FIXTURES if p.stem.startswith("837p-")]
MIXED = next(p for p in FIXTURES if p.stem == "mixed-837i-837p")
TODAY = "2026-11-22"
PER_FILE = 250  # mutants (interchanges) per input file of a run
KINDS = ("999", "277ca", "accepted.837")


def professional(stem: str) -> str:
    return next(p for p in PROFESSIONAL if p.stem == stem).read_text()


def segments(text: str) -> list[str]:
    """An answer's segments (default delimiters), line breaks dropped."""
    return [s for s in text.replace("\n", "").split("~") if s]


# -- a run of mutants ---------------------------------------------------------------------------------

@dataclass
class Run:
    inputs: list[Path]
    out: Path
    judged: list[list[tuple[Claim, str]]]  # per input, (claim, status) as `check` judges them, in order

    def answer(self, source: Path, kind: str) -> Path:
        return self.out / f"{source.name}.{kind}"


def answer_mutants(tmp: Path, count: int, seed: int) -> Run:
    """`count` mutants of the 837P fixtures answered by one `ack`, and checked as `check` does (the
    engine in this process: the claims themselves are compared too)."""
    data = mutants(count, seed, base=[p.read_text() for p in PROFESSIONAL])
    (tmp / "in").mkdir()
    inputs = []
    for n in range(0, count, PER_FILE):
        path = tmp / "in" / f"mutants-{n // PER_FILE:03d}.837"
        path.write_bytes(b"".join(data[n:n + PER_FILE]))
        inputs.append(path)
    run_ack(inputs, tmp / "out", "--today", TODAY)
    judged = [[(c.claim, c.status) for x in check(p.read_bytes()) if isinstance(x, TransactionResult) for c in x.claims]
              for p in inputs]
    return Run(inputs, tmp / "out", judged)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return answer_mutants(tmp_path_factory.mktemp("p837"), 1000, 25)


# -- what the answers say -----------------------------------------------------------------------------

def verdicts_277(text: str) -> list[tuple[str, str]]:
    """(TRN02, WQ or U) of each claim of a 277CA, in order."""
    return re.findall(r"NM1\*QC\*[^~]*~TRN\*2\*([^~]+)~STC\*[^*]+\*\d*\*(WQ|U)", text.replace("\n", ""))


def verdicts_check(judged: list[tuple[Claim, str]]) -> list[tuple[str, str]]:
    """(CLM01 as the 277CA carries it, WQ or U) of each claim `check` judged, in order."""
    return [(fit(claim.claim_id, "127") or "UNKNOWN", "WQ" if status == "accepted" else "U")
            for claim, status in judged]


def claims_of(path: Path) -> list:
    return list(parse_stream(io.BytesIO(path.read_bytes()), path.name))


# -- pyx12 over the distinct answer sets --------------------------------------------------------------

OUR_NUMBER = re.compile(r"\d+\Z")


def set_key(seg: str) -> str:
    """A segment with the numbers that only count sets and claims (ours: ST02/SE02, BHT03, TRN*1, our
    REF*D9 trace; the input's AK102/AK202, digits) blanked to their length, so sets that differ only
    there are one."""
    e = seg.split("*")
    blank = {"ST": 2, "SE": 2, "BHT": 3, "AK1": 2, "AK2": 2}.get(e[0])
    if e[0] == "TRN" and e[1:2] == ["1"] or e[0] == "REF" and e[1:2] == ["D9"]:
        blank = 2
    if blank is not None and len(e) > blank and OUR_NUMBER.match(e[blank]):
        e[blank] = "#" * len(e[blank])
    return "*".join(e)


def transaction_sets(text: str) -> list[list[str]]:
    out: list[list[str]] = []
    current: list[str] | None = None
    for seg in segments(text):
        if seg.startswith("ST*"):
            current = []
        if current is not None:
            current.append(seg)
            if seg.startswith("SE*"):
                out.append(current)
                current = None
    return out


def envelope_counts_hold(text: str) -> None:
    """SE01 counts its set, GE01 its group's sets, IEA01 the groups (the envelope pyx12 is not shown)."""
    segs = segments(text)
    groups = sets = count = 0
    for seg in segs:
        e = seg.split("*")
        if e[0] == "GS":
            groups, sets = groups + 1, 0
        elif e[0] == "ST":
            sets, count = sets + 1, 0
        count += 1
        if e[0] == "SE":
            assert int(e[1]) == count, seg
        elif e[0] == "GE":
            assert int(e[1]) == sets, seg
        elif e[0] == "IEA":
            assert int(e[1]) == groups, seg


def distinct_sets(answers: list[Path]) -> list[list[str]]:
    """Each distinct set of `answers` once (its SE01 as written)."""
    seen: dict[tuple[str, ...], list[str]] = {}
    for path in answers:
        for one in transaction_sets(path.read_text()):
            seen.setdefault(tuple(set_key(s) for s in one), one)
    return list(seen.values())


def is_hl(seg: str, level: str) -> bool:
    return seg.startswith("HL*") and seg.split("*")[3:4] == [level]


def claim_units(one: list[str]) -> tuple[list[str], list[list[str]]]:
    """A 277CA set as its head (ST up to its first claim: the clearinghouse, the submitter, the first
    billing provider) and its units after it: a claim (2000D: HL*..*PT up to the next HL), or a
    later billing provider with its first claim."""
    first = next(i for i, seg in enumerate(one) if is_hl(seg, "PT"))
    units: list[list[str]] = []
    for seg in one[first:-1]:
        if seg.startswith("HL*") and not (units and is_hl(units[-1][0], "19") and len(
                [x for x in units[-1] if x.startswith("HL*")]) == 1):
            units.append([])
        units[-1].append(seg)
    return one[:first], units


def unit_key(unit: list[str]) -> tuple[str, ...]:
    """A unit told apart by its content, its HL numbers aside (they are numbered afresh)."""
    return tuple("HL*" + seg.split("*")[3] if seg.startswith("HL*") else set_key(seg) for seg in unit)


def distinct_277ca(answers: list[Path]) -> list[list[str]]:
    """The 277CA sets of `answers` cut down to what differs: each distinct head once (with the first
    claim it had), and each distinct claim (or later provider) once, after the first head, numbered
    afresh. pyx12 reads a claim's loop by its own segments and its place under a billing provider."""
    heads: dict[tuple[str, ...], tuple[list[str], list[str]]] = {}
    units: dict[tuple[str, ...], list[str]] = {}
    for path in answers:
        for one in transaction_sets(path.read_text()):
            head, mine = claim_units(one)
            heads.setdefault(tuple(set_key(s) for s in head), (head, mine[0]))
            for unit in mine:
                units.setdefault(unit_key(unit), unit)
    out = []
    for n, (head, first) in enumerate(heads.values()):
        out.append(renumbered(head, list(units.values()) if n == 0 else [first]))
    return out


def renumbered(head: list[str], units: list[list[str]]) -> list[str]:
    """`head` and `units` as one 277CA set: HL01 counted on, each claim under the billing provider
    before it, SE01 counted."""
    hl = sum(seg.startswith("HL*") for seg in head)
    provider = hl  # the head ends with its first billing provider's loop
    body = list(head)
    for unit in units:
        for seg in unit:
            if seg.startswith("HL*"):
                e = seg.split("*")
                hl += 1
                e[1], e[2] = str(hl), e[2] if e[3] == "19" else str(provider)
                provider = hl if e[3] == "19" else provider
                seg = "*".join(e)
            body.append(seg)
    return [*body, f"SE*{len(body) + 1}*{head[0].split('*')[2]}"]


def one_interchange(first: Path, sets: list[list[str]]) -> str:
    """`sets` in one interchange under the ISA and GS of the answer `first`, ST02/SE02 numbered afresh."""
    isa, gs = segments(first.read_text())[:2]
    body = []
    for n, one in enumerate(sets, 1):
        body += [re.sub(r"^(ST\*\w+\*)\w+", rf"\g<1>{n:04d}", one[0]), *one[1:-1],
                 f"SE*{one[-1].split('*')[1]}*{n:04d}"]
    return "~\n".join([isa, gs, *body, f"GE*{len(sets)}*{gs.split('*')[6]}", f"IEA*1*{isa.split('*')[13]}"]) + "~\n"


def every_answer_valid(run: Run) -> dict[str, int]:
    """pyx12 accepts every distinct 999, 277CA (claim by claim) and forward-837 set of `run`; how many
    it read of each (999 and 837 sets, 277CA claims)."""
    sizes = {}
    for kind in KINDS:
        answers = [run.answer(p, kind) for p in run.inputs if run.answer(p, kind).exists()]
        assert answers or kind == "accepted.837", kind
        if not answers:
            continue
        for path in answers:
            envelope_counts_hold(path.read_text())
        sets = distinct_277ca(answers) if kind == "277ca" else distinct_sets(answers)
        verdict = oracle.validate(one_interchange(answers[0], sets))
        assert verdict.ok, (kind, verdict.messages[:5])
        sizes[kind] = sum(is_hl(seg, "PT") for one in sets for seg in one) if kind == "277ca" else len(sets)
    return sizes


# -- the mutant runs ----------------------------------------------------------------------------------

def test_mutants_are_read_as_many_claims(run: Run) -> None:
    """The run speaks of what it claims to: every mutant's claims were read and judged (no file was
    cut short by one mutant: the fixtures hold 16 claims in 13 interchanges), and both verdicts occur."""
    assert sum(len(judged) for judged in run.judged) > 1100
    assert {status for judged in run.judged for _, status in judged} == {"accepted", "rejected"}


def test_every_answer_to_837p_mutants_is_valid_per_pyx12(run: Run) -> None:
    sizes = every_answer_valid(run)
    assert sizes["999"] > 100 and sizes["277ca"] > 100 and sizes["accepted.837"] > 10  # many distinct sets read


def test_277ca_verdicts_equal_check_claim_for_claim(run: Run) -> None:
    for source, judged in zip(run.inputs, run.judged):
        assert verdicts_277(run.answer(source, "277ca").read_text()) == verdicts_check(judged), source.name


def accepted_claims(judged: list[tuple[Claim, str]]) -> list:
    return [comparable(claim) for claim, status in judged if status == "accepted"]


def forwarded_claims(forward: Path) -> list:
    if not forward.exists():
        return []
    heads = [s.split("*") for s in segments(forward.read_text()) if s.startswith(("GS*", "ST*"))]
    assert {h[8] if h[0] == "GS" else h[3] for h in heads} == {VERSION_837P}
    return [comparable(c) for c in claims_of(forward)]


def test_forward_837p_holds_exactly_the_accepted_claims(run: Run) -> None:
    """Each accepted claim, in order and as it was read (all but where it sits), and no other."""
    for source, judged in zip(run.inputs, run.judged):
        assert forwarded_claims(run.answer(source, "accepted.837")) == accepted_claims(judged), source.name


@pytest.mark.fuzz
def test_answers_to_5000_837p_mutants(tmp_path: Path) -> None:
    """The on-demand run (pytest -m fuzz): the same judgements over 5,000 other mutants."""
    many = answer_mutants(tmp_path, 5000, 26)
    every_answer_valid(many)
    for source, judged in zip(many.inputs, many.judged):
        assert verdicts_277(many.answer(source, "277ca").read_text()) == verdicts_check(judged), source.name
        assert forwarded_claims(many.answer(source, "accepted.837")) == accepted_claims(judged), source.name


# -- the fixtures -------------------------------------------------------------------------------------

def test_the_mixed_interchange_is_forwarded_in_one_group_per_guide(answered: Path) -> None:
    """An 837I group and an 837P group in: two groups out, each GS08 its sets' ST03, each with its
    own GS06; the 999 answers each group in a set of its own, naming its guide."""
    forward = segments((answered / f"{MIXED.name}.accepted.837").read_text())
    groups = [s.split("*") for s in forward if s.startswith("GS*")]
    assert [g[8] for g in groups] == [VERSION_837I, VERSION_837P] and groups[0][6] != groups[1][6]
    version = ""
    for seg in forward:
        e = seg.split("*")
        if e[0] == "GS":
            version = e[8]
        elif e[0] == "ST":
            assert e[3] == version
    assert [s for s in forward if s.startswith(("GE*", "IEA*"))] == [f"GE*1*{groups[0][6]}", f"GE*1*{groups[1][6]}",
                                                                     f"IEA*2*{forward[0].split('*')[13]}"]
    ack = segments((answered / f"{MIXED.name}.999").read_text())
    sets = [s for s in ack if s.startswith(("ST*", "AK1*", "AK2*", "IK5*"))]
    assert sets == ["ST*999*0001*005010X231A1", f"AK1*HC*3140*{VERSION_837I}", f"AK2*837*0001*{VERSION_837I}", "IK5*A",
                    "ST*999*0002*005010X231A1", f"AK1*HC*3141*{VERSION_837P}", f"AK2*837*3141*{VERSION_837P}", "IK5*A"]
    for kind in KINDS:
        verdict = oracle.validate((answered / f"{MIXED.name}.{kind}").read_bytes())
        assert verdict.ok, (kind, verdict.messages[:3])


def test_the_forward_837p_puts_the_trace_among_the_claims_refs_before_cr1(answered: Path) -> None:
    """X222A1 2300: REF (pos 1800) before K3, NTE, CR1 (1950), CR2, CRC, HI; the 837I's order had put
    it after CR1, which pyx12 refused ("Segment REF*D9 not found")."""
    forward = segments((answered / "837p-bls-emergency.837.accepted.837").read_text())
    ids = [s.split("*")[0] + ("*D9" if s.startswith("REF*D9*") else "") for s in forward]
    clm = ids.index("CLM")
    assert ids[clm:clm + 4] == ["CLM", "REF*D9", "CR1", "HI"]


def rejected_837p(text: str) -> TransactionResult:
    [tx] = [x for x in check(text) if isinstance(x, TransactionResult)]
    assert tx.claims and all(c.status == "rejected" for c in tx.claims)
    return tx


WHEN = dt.datetime(2026, 11, 22, 9, 30)


def test_a_rejected_837p_line_is_named_by_its_hcpcs_not_a_revenue_code() -> None:
    """2220D SVC01 HC:code:modifiers, no SVC04 (an 837P line has no revenue code), SVC07 the units;
    the claim has no REF*BLT (no type of bill) and its DTP*472 is its lines' date."""
    text = edit(professional("837p-bls-emergency"), "SV1*HC:A0425:RH*", "SV1*HC:A04X5:RH*")  # not a HCPCS form
    tx = rejected_837p(text)
    answer = "".join(ack277.render(tx, 1, 5, WHEN, "CH", "CH", 6))
    assert "SVC*HC:A04X5:RH*175.00*****12.5~STC*A7:507*20261122*U~" in answer
    assert "REF*FJ*AMB-P-BLS-E-01-2~DTP*472*D8*20260914~" in answer
    assert "BLT" not in answer and "NU:" not in answer
    assert re.search(r"REF\*D9\*\d+~DTP\*472\*D8\*20260914~", answer)
    assert oracle.validate(ack277_interchange(answer)).ok


def test_an_837p_claims_service_dates_are_its_lines_from_first_to_last() -> None:
    """No statement period on an 837P: 2200D DTP*472 is RD8 from the first line's date to the last
    one's (a line's own RD8 end included), D8 when they are one day."""
    text = professional("837p-multiple-trips")
    text = edit(text, "SV1*HC:A0428:HN*480.00*UN*1***1~DTP*472*D8*20260919",
                "SV1*HC:A0428:HN*480.00*UN*1***1~DTP*472*RD8*20260919-20260921")
    text = edit(text, "SV1*HC:A0429:RH*650.00*UN*1***1**Y~DTP*472*D8*20260919",
                "SV1*HC:A0429:RH*650.00*UN*1***1**Y~DTP*472*D8*20260918")
    [tx] = [x for x in check(text) if isinstance(x, TransactionResult)]
    answer = "".join(ack277.render(tx, 1, 5, WHEN, "CH", "CH", 6))
    assert re.search(r"REF\*D9\*\d+~DTP\*472\*RD8\*20260918-20260921~", answer), answer
    assert oracle.validate(ack277_interchange(answer)).ok


def ack277_interchange(body: str) -> str:
    """A 277CA set `render` made, in an interchange of its own."""
    return ("ISA*00*          *00*          *ZZ*CH             *ZZ*SUBMITTER      *261122*0930*^*00501*000000005*0*P*:~"
            "GS*HN*CH*SUBMITTER*20261122*0930*5*X*005010X214~" + body + "GE*1*5~IEA*1*000000005~")


TRIPS = "837p-multiple-trips"
STOP3 = "REF*6R*AMB-P-MULTI-01-3~NM1*PW*2~N3*800 E CARPENTER ST~N4*SPRINGFIELD*IL*"


@pytest.mark.parametrize("old,new,loop", [
    ("CR1*LB*165**A*DH*16.0", "CR1*LB*165**Q*DH*16.0", "2300"),  # CR104 not a transport reason
    ("N4*SPRINGFIELD*IL*627021105~NM1*45", "N4*SPRINGFIELD*ILL*627021105~NM1*45", "2310"),  # 2310E pick-up
    (STOP3, STOP3.replace("*IL*", "*ILL*"), "2420"),  # 2420G: the line's own pick-up
    ("SV1*HC:A0425:HN*137.20*UN*9.8***1", "SV1*HC:A0425:HN*137.20*ZZ*9.8***1", "2400"),
    ("CR1*LB*165**A*DH*9.8", "CR1*LB*165*X*A*DH*9.8", "2400"),  # a line's CR1 (CR103 not used)
    ("NM1*PW*2~N3*12 ELM ST", "NM1*PW*2*X~N3*12 ELM ST", "2310"),  # NM1*PW has no name
], ids=["2300-CR1", "2310E-N4", "2420G-N4", "2400-SV1", "2400-CR1", "2310E-NM1"])
def test_the_999_of_an_837p_names_its_guide_and_the_837p_loops(old: str, new: str, loop: str) -> None:
    """IK3 names the segment pyx12 names (id, position, code), in the 837P guide's loop (IK303 its
    first four characters: the loop of the 837 diagram); AK2 names X222A1."""
    text = edit(professional(TRIPS), old, new)
    theirs = oracle.validate(text)
    [tx] = [x for x in check(text) if isinstance(x, TransactionResult)]
    ours = ack999.transaction_segments(tx, DEFAULT_DELIMITERS)
    assert ours[0] == f"AK2*837*3070*{VERSION_837P}"
    ik3 = [s.split("*")[1:] for s in ours if s.startswith("IK3*")]
    pyx12_ik3 = re.findall(r"IK3\*(\w+)\*(\d+)\*\w*\*(\w+)", theirs.ack.replace("\n", ""))
    assert [(seg, pos, code) for seg, pos, _, code in ik3] == pyx12_ik3 != []
    assert [x[2] for x in ik3] == [loop]


def test_sets_of_one_guide_met_apart_share_its_group(tmp_path: Path) -> None:
    """837I, 837P, then 837I again (two interchanges in one file): the forward 837 has one group per
    guide, in the order each was first met, the second 837I set in the first group; pyx12 accepts it."""
    institutional = next(p for p in FIXTURES if p.stem == "bls-emergency").read_text().strip()
    source = tmp_path / "in" / "i-p-i.837"
    source.parent.mkdir()
    source.write_text(MIXED.read_text().strip() + "\n" + institutional)
    run_ack([source], tmp_path / "out", "--today", TODAY)
    text = (tmp_path / "out" / f"{source.name}.accepted.837").read_text()
    heads = [s.split("*") for s in segments(text) if s.startswith(("GS*", "ST*", "GE*", "IEA*"))]
    assert [(h[0], h[8] if h[0] == "GS" else h[3] if h[0] == "ST" else h[1]) for h in heads] == [
        ("GS", VERSION_837I), ("ST", VERSION_837I), ("ST", VERSION_837I), ("GE", "2"),
        ("GS", VERSION_837P), ("ST", VERSION_837P), ("GE", "1"), ("IEA", "2")]
    verdict = oracle.validate(text)
    assert verdict.ok, verdict.messages[:3]


def test_a_later_groups_number_stays_nine_digits_and_apart_from_the_first() -> None:
    from edi837.answers.write.forward837 import group_control

    assert [group_control(41, 1), group_control(999_999_998, 1), group_control(999_999_999, 1)] == [42, 999_999_999, 1]


def test_a_rejected_837p_line_of_several_days_keeps_its_range() -> None:
    """A line's own RD8 (a trip over midnight) is the 2220D DTP*472 as a range, not its first day."""
    text = edit(professional(TRIPS), "SV1*HC:A0428:HN*480.00*UN*1***1~DTP*472*D8*20260919",
                "SV1*HC:A04X8:HN*480.00*UN*1***1~DTP*472*RD8*20260919-20260920")
    tx = rejected_837p(text)
    answer = "".join(ack277.render(tx, 1, 5, WHEN, "CH", "CH", 6))
    assert "SVC*HC:A04X8:HN*480.00*****1~STC*A7:507*20261122*U~REF*FJ*AMB-P-MULTI-01-3~DTP*472*RD8*20260919-20260920~" \
        in answer
    assert re.search(r"REF\*D9\*\d+~DTP\*472\*RD8\*20260919-20260920~", answer)
    assert oracle.validate(ack277_interchange(answer)).ok
