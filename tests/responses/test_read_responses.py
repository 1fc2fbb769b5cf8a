"""edi837.read_responses (issue 26): a payer's TA1, 999 and 277CA read back as typed records.

What each outside sample in ../shared/samples/999 and 277ca holds is read from its text here (split
with its own ISA delimiters, not with edi837's reader) and compared with the records; what the guide
finds wrong with each is compared with pyx12's own validation (tests/oracle.py), difference by
difference, the ones where pyx12 is wrong listed in PYX12_WRONG with the reason. Then files built
here: a TA1 before the first GS and alone, a 277CA of two claims with a service line, bad input of
every kind (never an exception), a patient's name that no message or plain words carries, the
sources the API takes, and the 999 and 277CA edi837 itself writes, read back with no problem.

(Named test_read_responses.py, not test_read.py: pytest imports test modules by base name, and
tests/x12/test_read.py holds that one.)
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import oracle
import pytest
from conftest import FIXTURES, SHARED

import edi837
from edi837 import BatchStatus, ClaimStatus, GroupAck, Problem, SetAck, Ta1
from edi837.responses import ACCEPTED, NOTED, REJECTED
from edi837.x12 import guide as guide_mod
from edi837.x12.read import segments
from edi837.x12.walk import Walker

SAMPLES = [p for folder in ("999", "277ca") if (SHARED / "samples" / folder).is_dir()
           for p in sorted((SHARED / "samples" / folder).iterdir()) if p.is_file()]
needs_samples = pytest.mark.skipif(not SAMPLES, reason="../shared/samples not beside the repo")
FIXED = dt.datetime(2026, 11, 22, 9, 30)


def sample(name: str) -> Path:
    path = next((p for p in SAMPLES if p.name == name), None)
    if path is None:
        pytest.skip(f"{name} not in ../shared/samples")
    return path


def records(source: object) -> list:
    return list(edi837.read_responses(source, "answer"))  # type: ignore[arg-type]


def problems(source: object) -> list[Problem]:
    return [r for r in records(source) if isinstance(r, Problem)]


def of(kind: type, rs: list) -> list:
    return [r for r in rs if isinstance(r, kind)]


# -- the samples' text, read here ---------------------------------------------------------------------

class Text:
    """An interchange's segments as lists of elements, split with its own ISA delimiters (a BOM, line
    breaks and blanks between segments dropped): the test's own reading of a file."""

    def __init__(self, data: bytes) -> None:
        text = data.decode("latin-1")
        at = text.index("ISA")
        self.element, self.component, end = text[at + 3], text[at + 104], text[at + 105]
        self.segs = [s.strip().split(self.element) for s in text[at:].split(end) if s.strip()]

    def parts(self, value: str) -> list[str]:
        return value.split(self.component)

    def status(self, value: str) -> str:
        """A STC01/STC10/STC11 composite as Status.text writes it: category:code:entity, empties left out."""
        return ":".join(p for p in self.parts(value)[:3] if p)


def el(seg: list[str], i: int) -> str:
    return seg[i] if i < len(seg) else ""


def sets_999(t: Text) -> list[tuple]:
    """(AK202, IK501, IK502.., ((IK301, IK302, IK304, CTX CLM01, ((IK401, IK402, IK403) ..)) ..)) per AK2."""
    out: list[tuple] = []
    ak2: list[str] | None = None
    notes: list[list] = []
    for seg in t.segs:
        if seg[0] == "AK2":
            ak2, notes = seg, []
        elif seg[0] == "IK3":
            notes.append([seg[1], seg[2], seg[4], "", []])
        elif seg[0] == "CTX" and notes and t.parts(seg[1])[0] == "CLM01":
            notes[-1][3] = t.parts(seg[1])[1]
        elif seg[0] == "IK4" and notes:
            notes[-1][4].append((seg[1].replace(t.component, ":"), seg[2], seg[3]))
        elif seg[0] == "IK5" and ak2 is not None:
            out.append((ak2[2], seg[1], tuple(v for v in seg[2:] if v),
                        tuple((a, b, c, d, tuple(e)) for a, b, c, d, e in notes)))
    return out


def groups_999(t: Text) -> list[tuple]:
    ak1 = ["", "", ""]
    out = []
    for seg in t.segs:
        if seg[0] == "AK1":
            ak1 = seg
        elif seg[0] == "AK9":
            out.append((ak1[2], el(seg, 1), el(seg, 2), el(seg, 3), el(seg, 4)))
    return out


def levels_277(t: Text) -> list[tuple[str, str, tuple, str]]:
    """(HL03, TRN02, STC composites, REF*1K) of every HL of a 277CA, with the SVCs' count for a claim."""
    out: list[list] = []
    for seg in t.segs:
        if seg[0] == "HL":
            out.append([el(seg, 3), "", [], "", 0])
        elif out and seg[0] == "TRN":
            out[-1][1] = seg[2]
        elif out and seg[0] == "STC" and not out[-1][4]:  # the level's own, not a service line's
            out[-1][2] += [t.status(el(seg, i)) for i in (1, 10, 11) if el(seg, i)]
        elif out and seg[0] == "REF" and seg[1] == "1K":
            out[-1][3] = seg[2]
        elif out and seg[0] == "SVC":
            out[-1][4] += 1
    return [(a, b, tuple(c), d, e) for a, b, c, d, e in out]


# -- every sample read, its records those of its text -------------------------------------------------

@needs_samples
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_is_read_into_the_records_its_text_holds(path: Path) -> None:
    data = path.read_bytes()
    rs = records(data)
    t = Text(data)
    assert not [p for p in of(Problem, rs) if p.code == "unreadable"]
    isa = t.segs[0]
    assert all(r.interchange.sender == isa[6].strip() and r.interchange.control == isa[13]
               for r in rs if not isinstance(r, Problem))
    if path.parent.name == "999":
        got = [(s.set_control, s.ack, s.reasons, tuple((n.segment_id, n.position, n.code, n.claim_id,
                                                        tuple((e.position, e.data_element, e.code) for e in n.elements))
                                                       for n in s.segments)) for s in of(SetAck, rs)]
        assert got == sets_999(t)
        assert [(g.group_control, g.ack, g.included, g.received, g.accepted) for g in of(GroupAck, rs)] == groups_999(t)
        assert not of(ClaimStatus, rs) and not of(BatchStatus, rs)
    else:
        levels = levels_277(t)
        claims = [lv for lv in levels if lv[0] == "PT"]
        assert [(c.claim_id, tuple(s.text for s in c.statuses), c.payer_claim_number, len(c.lines))
                for c in of(ClaimStatus, rs)] == [lv[1:] for lv in claims]
        with_status = [lv for lv in levels if lv[0] in ("21", "19") and lv[2]]
        assert [("batch" if b.level == "batch" else "19", b.trace, tuple(s.text for s in b.statuses))
                for b in of(BatchStatus, rs)] == [("batch" if lv[0] == "21" else "19", lv[1], lv[2]) for lv in with_status]
        assert not of(SetAck, rs) and not of(GroupAck, rs)


@needs_samples
def test_the_stupidedi_999_answers_three_sets() -> None:
    rs = records(sample("stupidedi__X231A1__response-to-functional-group-containing-3-837s.edi"))
    sets = of(SetAck, rs)
    assert [(s.set_control, s.ack, s.status) for s in sets] == [("0001", "A", ACCEPTED), ("0002", "R", REJECTED),
                                                                ("0003", "R", REJECTED)]
    (clm,) = sets[1].segments
    assert (clm.segment_id, clm.position, clm.code, clm.claim_id) == ("CLM", "22", "8", "123456789")
    assert [(e.position, e.data_element, e.code) for e in clm.elements] == [("2", "782", "1")]
    (ref,) = sets[2].segments
    assert (ref.segment_id, ref.position, ref.code, ref.claim_id, ref.elements) == ("REF", "57", "3", "987654321", ())
    assert sets[1].reasons == sets[2].reasons == ("5",)
    (group,) = of(GroupAck, rs)
    assert (group.ack, group.included, group.received, group.accepted, group.status) == ("P", "3", "3", "1", NOTED)
    assert "CLM (segment 22)" in sets[1].words and "element 2 (data element 782)" in sets[1].words


@needs_samples
def test_the_emedny_277ca_rejects_its_claim_with_the_payers_number() -> None:
    rs = records(sample("oopfactory__FromAlexbrodsky_eMedNY.277"))
    (claim,) = of(ClaimStatus, rs)
    assert [s.text for s in claim.statuses] == ["A7:562:85"]
    assert (claim.claim_id, claim.payer_claim_number, claim.bill_type, claim.status) == (
        "3920394930203", "1107000000001120", "731", REJECTED)
    assert "85" in claim.statuses[0].entity and claim.words  # in plain words (status_codes)


@needs_samples
def test_the_tr3s_second_277ca_rejects_a_whole_batch() -> None:
    rs = records(sample("opendental__X277cs__TR3_example2.277"))
    (batch,) = of(BatchStatus, rs)
    assert (batch.level, batch.trace, batch.codes, batch.status, batch.rejected_count) == (
        "batch", "20020131052389", "A3:24:41", REJECTED, "3")
    assert not of(ClaimStatus, rs)


# -- the findings: pyx12's ------------------------------------------------------------------------------

PYX12_MESSAGE = re.compile(r"Line:(\d+) (SEG|ELE|ISA|GS|ST):(\d+) - ")
ENVELOPE_LEVEL = {"ISA": "IN", "GS": "GR", "ST": "TR"}  # as our X12-ENV-IN001, X12-ENV-GR5, X12-ENV-TR3

# Where pyx12 finds what we do not, and pyx12 is wrong (the finding as `findings_of_pyx12` keys it).
PYX12_WRONG: dict[str, dict[tuple, str]] = {
    "stupidedi__X231A1__response-to-functional-group-containing-3-837s.edi": {
        (1, "IK3", "5"): "'CTX exceeded max count. Found 2, should have 1': loop 2100 has a Segment Context CTX (max 9)"
                         " and a Business Unit Identifier CTX (max 1) at 0500; pyx12 counts both under one path"
                         " (.../2100/CTX), so the CLM01 CTX after a trigger CTX is its 2nd (see the test below)",
    },
    "oopfactory__DHS_Wisconsin_Sample.999": {
        (15, "IK3", "5"): "the same shared CTX counter (a SITUATIONAL TRIGGER CTX, then CTX*CLM01): the base 999"
                          " map (005010X231) has the same two CTX nodes in loop 2100",
    },
}
PYX12_MISSES: dict[str, dict[tuple, str]] = {}  # where we find what pyx12 does not, and we are right: none


def findings_of_pyx12(data: bytes) -> set[tuple]:
    """pyx12's findings as (line, IK3|IK4, code), or (None, ENV, IN|GR|TR + code) for the envelope's.

    pyx12's "Line" is the segment's number in the file: made the segment's line here (one segment a line
    in most samples; all line 1 in a file of one line). Envelope findings go without a line: pyx12 puts
    them at the ISA, GS or ST, we at the IEA, GE or SE where the count or control number is read.
    Messages prefixed "No current segment in error_handler" (a leading blank before GS, ST or GE) count:
    pyx12 found them, though it had no set to hold them."""
    line_of = {s.number: s.line for s in segments(io.BytesIO(data), "sample")}
    out: set[tuple] = set()
    for message in oracle.validate(data).messages:
        m = PYX12_MESSAGE.search(message)
        assert m, f"a pyx12 message of a form not mapped here: {message}"
        number, kind, code = int(m[1]), m[2], m[3]
        if kind in ENVELOPE_LEVEL:
            out.add((None, "ENV", ENVELOPE_LEVEL[kind] + code))
        else:
            out.add((line_of.get(number, number), "IK3" if kind == "SEG" else "IK4", code))
    return out


def findings_of_ours(data: bytes) -> set[tuple]:
    out: set[tuple] = set()
    for p in problems(data):
        kind, _, code = p.code.removeprefix("X12-").partition("-")
        out.add((None, kind, code) if kind == "ENV" else (p.line, kind, code))
    return out


@needs_samples
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_the_findings_are_pyx12s(path: Path) -> None:
    data = path.read_bytes()
    theirs, ours = findings_of_pyx12(data), findings_of_ours(data)
    assert theirs - ours == set(PYX12_WRONG.get(path.name, {}))
    assert ours - theirs == set(PYX12_MISSES.get(path.name, {}))


@pytest.mark.parametrize("version", [guide_mod.VERSION_999, guide_mod.VERSION_999_BASE])
def test_each_ctx_of_the_999s_loop_2100_is_counted_as_its_own_segment(version: str) -> None:
    """Why PYX12_WRONG holds the CTX: the walker places a SITUATIONAL TRIGGER CTX on the map's Segment
    Context node (max 9) and a CLM01 CTX on its Business Unit Identifier node (max 1), and counts each
    on its own: a 10th trigger is over, a 2nd CLM01 is over, one of each is not."""
    def walked(*ctx: str) -> tuple[list[str], list[str]]:
        text = ISA + f"GS*FA*S*R*20261207*0930*1*X*{version}~ST*999*0001*{version}~AK1*HC*1*005010X223A2~" \
            "AK2*837*0001*005010X223A2~IK3*CLM*22**8~" + "".join(c + "~" for c in ctx)
        guide = guide_mod.load()
        walker = Walker(guide, guide_mod.VERSION_999)
        errors: list = []
        names = []
        for seg in segments(io.BytesIO(text.encode()), "w"):
            node = walker.step(seg, errors)
            if seg.id == "CTX":
                names.append(f"{guide.nodes[node].name} {guide.nodes[node].max_use}")
        return names, [e.code for e in errors]

    trigger, clm = "CTX*SITUATIONAL TRIGGER*CLM*43**5:3", "CTX*CLM01:987654321"
    assert walked(trigger, clm) == (["Segment Context 9", "Business Unit Identifier 1"], [])
    assert walked(*[trigger] * 9)[1] == [] and walked(*[trigger] * 10)[1] == ["5"]
    assert walked(clm, clm)[1] == ["5"]


# -- the TA1 ---------------------------------------------------------------------------------------------

ISA = "ISA*00*          *00*          *ZZ*MEDICAREMAC    *ZZ*EDI837         *261207*0930*^*00501*000000417*0*T*:~"
TA1 = "TA1*000000009*261207*0930*R*022~"


def group_999(gs06: int) -> str:
    return (f"GS*FA*MEDICAREMAC*EDI837*20261207*0930*{gs06}*X*005010X231A1~ST*999*0001*005010X231A1~"
            "AK1*HC*1*005010X223A2~AK2*837*0001*005010X223A2~IK5*A~AK9*A*1*1*1~SE*6*0001~"
            f"GE*1*{gs06}~")


@pytest.mark.parametrize("text", [ISA + TA1 + group_999(1) + "IEA*1*000000417~", ISA + TA1 + "IEA*0*000000417~"],
                         ids=["before-the-first-GS", "alone"])
def test_a_ta1_before_the_first_gs_or_alone_is_read_with_no_problem(text: str) -> None:
    rs = records(text.encode())
    assert not of(Problem, rs)
    (ta1,) = of(Ta1, rs)
    assert (ta1.control, ta1.date, ta1.time, ta1.ack, ta1.note, ta1.status) == (
        "000000009", "261207", "0930", "R", "022", REJECTED)
    assert ta1.interchange.control == "000000417" and ta1.interchange.sender == "MEDICAREMAC"
    assert "interchange rejected" in ta1.words and "invalid control structure" in ta1.words  # TA104 R, TA105 022
    # pyx12 logs "GS_LOOP missing" here with no segment to hold it, and its verdict leaves it out
    verdict = oracle.validate(text)
    assert verdict.ok and all(m.startswith("No current segment in error_handler") for m in verdict.messages)


@pytest.mark.parametrize("where", ["between-groups", "after-the-last-group"])
def test_a_ta1_after_a_group_is_reported_where_pyx12_reports_it(where: str) -> None:
    text = ISA + group_999(1) + TA1 + (group_999(2) + "IEA*2" if where == "between-groups" else "IEA*1") + "*000000417~"
    verdict = oracle.validate(text)
    assert findings_of_ours(text.encode()) == findings_of_pyx12(text.encode())
    assert verdict.ok and not verdict.messages  # pyx12's map allows a TA1 at 0200 beside GS_LOOP: so do we
    assert [r.control for r in of(Ta1, records(text.encode()))] == ["000000009"]


# -- a 277CA of two claims -------------------------------------------------------------------------------

def claims_277(patient: str = "NM1*QC*1*DOE*JANE****MI*MBR0001") -> str:
    body = [
        "GS*HN*MEDICAREMAC*EDI837*20261207*0930*417*X*005010X214", "ST*277*0001*005010X214",
        "BHT*0085*08*BATCH42*20261207*0930*TH",
        "HL*1**20*1", "NM1*PR*2*MEDICARE MAC*****PI*MAC01", "TRN*1*T417", "DTP*050*D8*20261207", "DTP*009*D8*20261207",
        "HL*2*1*21*1", "NM1*41*2*EDI837 CLEARINGHOUSE*****46*EDI837", "TRN*2*BATCH42",
        "STC*A1:19:PR*20261207*WQ*1500.00", "QTY*90*1", "QTY*AA*1", "AMT*YU*1000.00", "AMT*YY*500.00",
        "HL*3*2*19*1", "NM1*85*2*GENERAL HOSPITAL*****XX*1234567893", "TRN*1*PROV1",
        "STC*A1:19:PR**WQ*1500.00", "QTY*QA*1", "QTY*QC*1", "AMT*YU*1000.00", "AMT*YY*500.00",
        "HL*4*3*PT", patient, "TRN*2*CLAIM-A",
        "STC*A2:20*20261207*WQ*1000.00", "REF*1K*PAYER0001", "REF*D9*00000000300001000001", "DTP*472*D8*20261201",
        "HL*5*3*PT", patient, "TRN*2*CLAIM-B",
        "STC*A7:562:85*20261207*U*500.00", "REF*D9*00000000300001000002", "DTP*472*D8*20261202",
        "SVC*HC:A0427:RH*500.00", "STC*A7:453*20261207*U", "REF*FJ*LINE1", "DTP*472*D8*20261202",
    ]
    return ISA + "~".join(body) + f"~SE*{len(body)}*0001~GE*1*417~IEA*1*000000417~"


def test_a_277ca_of_an_accepted_and_a_rejected_claim() -> None:
    text = claims_277()
    verdict = oracle.validate(text)
    assert verdict.ok and not verdict.messages, verdict.messages  # the file is right: pyx12 says so
    rs = records(text.encode())
    assert not of(Problem, rs)
    a, b = of(ClaimStatus, rs)
    assert (a.claim_id, a.trace, a.payer_claim_number, [s.text for s in a.statuses], a.action, a.charge, a.lines,
            a.status) == ("CLAIM-A", "00000000300001000001", "PAYER0001", ["A2:20"], "WQ", "1000.00", (), ACCEPTED)
    assert (b.claim_id, b.trace, b.payer_claim_number, [s.text for s in b.statuses], b.action, b.status) == (
        "CLAIM-B", "00000000300001000002", "", ["A7:562:85"], "U", REJECTED)
    (line,) = b.lines
    assert (line.service, line.charge, [s.text for s in line.statuses], line.control, line.date) == (
        "HC:A0427:RH", "500.00", ["A7:453"], "LINE1", "20261202")
    assert a.billing_npi == b.billing_npi == "1234567893" and a.batch == b.batch == "BATCH42"
    assert a.dates == "20261201" and (a.line, b.line) == (1, 1)  # one line: the file has no line breaks
    assert [(x.level, x.trace, x.accepted_count, x.rejected_count) for x in of(BatchStatus, rs)] == [
        ("batch", "BATCH42", "1", "1"), ("provider", "PROV1", "1", "1")]
    assert "line HC:A0427:RH: " in b.words


# -- bad input: a Problem, never an exception ------------------------------------------------------------

def test_an_837_given_as_an_answer_is_one_unreadable_problem_naming_gs01() -> None:
    path = FIXTURES[0].parent / "als-emergency.837"
    (only,) = records(str(path))
    assert isinstance(only, Problem) and only.code == "unreadable" and only.element == "GS01"
    assert "GS01" in only.message
    t = Text(path.read_bytes())
    values = {v for seg in t.segs if seg[0] not in ("ISA", "GS") for e in seg[1:] for v in [e, *t.parts(e)]
              if len(v) >= 3}
    assert values and not [v for v in values if v in only.message]


@pytest.mark.parametrize("data", [b"", b"  \r\n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"hello, world\n",
                                  b"ISA*00*short~", "ISA\u00e9".encode() * 40, b"\xff" * 300],
                         ids=["empty", "blank", "png", "words", "short-isa", "utf8", "ff"])
def test_bytes_that_are_not_x12_are_one_unreadable_problem(data: bytes) -> None:
    (only,) = records(data)
    assert isinstance(only, Problem) and only.code == "unreadable" and only.message


@needs_samples
def test_a_file_cut_off_in_a_set_keeps_what_was_answered_and_says_what_is_open() -> None:
    data = sample("stupidedi__X231A1__response-to-functional-group-containing-3-837s.edi").read_bytes()
    cut = data[:data.index(b"IK3*CLM*22**8~") + len(b"IK3*CLM*22**8~")]
    rs = records(cut)
    assert [s.set_control for s in of(SetAck, rs)] == ["0001"]  # the set answered before the cut
    assert {p.code for p in of(Problem, rs)} >= {"X12-ENV-TR2", "X12-ENV-GR3", "X12-ENV-IN023"}  # SE, GE, IEA
    assert all(p.code.startswith("X12-ENV-") for p in of(Problem, rs))


# -- privacy: the patient named in a 277CA is in no message and no plain words ----------------------------

PATIENT, MEMBER = "ZYXWVUTSRQ", "MBR98765X"


def test_no_message_or_words_carry_a_patients_name_or_member_id() -> None:
    long_given = "QWERTYUIOP" * 4  # too long for NM104: an element error about the name's own element
    bad = [f"NM1*QC*1*{PATIENT}*{long_given}****MI*{MEMBER}",  # NM104 too long
           f"NM1*QC*1*{PATIENT}*JANE****ZZ*{MEMBER}",  # NM108 not a code of the guide
           f"NM1*QC*X*{PATIENT}*JANE*{MEMBER}***MI*{MEMBER}"]  # NM102 not a code, NM105 a member id
    ack = (ISA + f"GS*FA*MEDICAREMAC*EDI837*20261207*0930*1*X*005010X231A1~ST*999*0001*005010X231A1~"
           "AK1*HC*1*005010X223A2~AK2*837*0001*005010X223A2~IK3*NM1*9*2010BA*8~CTX*CLM01:CLAIM-A~"
           f"IK4*3*1035*6*{PATIENT}~IK5*R*5~AK9*R*1*1*0~SE*10*0001~GE*1*1~IEA*1*000000417~")
    rs = [r for nm1 in bad for r in records(claims_277(nm1).encode())] + records(ack.encode())
    assert len(of(Problem, rs)) >= 3 and of(ClaimStatus, rs) and of(SetAck, rs)
    for r in rs:
        shown = repr(r) if isinstance(r, Problem) else r.words
        assert PATIENT not in shown and MEMBER not in shown and long_given not in shown, shown
    (set_ack,) = of(SetAck, rs)
    assert set_ack.segments[0].elements[0].value == PATIENT  # kept for the API (IK404), never in words


def test_a_member_id_where_a_code_belongs_is_not_quoted() -> None:
    """A malformed answer's value in a code's place is kept in the record (the API's), and words, codes
    and text say it is not shown (response fuzz seed 1 index 67782: a member id as STC01-1)."""
    text = claims_277().replace("STC*A7:562:85*", f"STC*{MEMBER}:{PATIENT}:85*").replace(
        "SVC*HC:A0427:RH*", f"SVC*HC:{PATIENT}*")
    ack = (ISA + f"GS*FA*MEDICAREMAC*EDI837*20261207*0930*1*X*005010X231A1~ST*999*0001*005010X231A1~"
           f"AK1*HC*1*005010X223A2~AK2*837*0001*005010X223A2~IK3*{PATIENT}*{MEMBER}*{PATIENT}*{MEMBER}~"
           f"IK4*{PATIENT}*{MEMBER}*{PATIENT}~IK5*{MEMBER}*{PATIENT}~AK9*{MEMBER}*1*{PATIENT}*0*{MEMBER}~SE*8*0001~"
           "GE*1*1~IEA*1*000000417~")
    claim = of(ClaimStatus, records(text.encode()))[1]
    (set_ack,) = of(SetAck, records(ack.encode()))
    (group,) = of(GroupAck, records(ack.encode()))
    assert (claim.statuses[0].category, set_ack.ack, group.ack) == (MEMBER, MEMBER, MEMBER)  # as read
    for said in (claim.words, claim.codes, claim.statuses[0].text, set_ack.words, set_ack.codes, group.words):
        assert PATIENT not in said and MEMBER not in said and "(value not shown)" in said, said
    assert claim.statuses[0].text == "(value not shown):(value not shown):85"


# -- the sources the API takes ----------------------------------------------------------------------------

@needs_samples
def test_a_path_bytes_and_a_binary_stream_read_alike(tmp_path: Path) -> None:
    path = sample("opendental__X277cs__TR3_example1.277")
    by_path = records(str(path))
    assert by_path == records(path) == records(path.read_bytes())
    with open(path, "rb") as fh:
        assert records(fh) == by_path
    assert len(of(ClaimStatus, by_path)) == 3
    name = records(path.read_bytes())[0].interchange.file
    assert name == "answer" and list(edi837.read_responses(path))[0].interchange.file == str(path)


def test_x12_text_given_as_a_str_or_a_text_stream_is_a_type_error(tmp_path: Path) -> None:
    text = claims_277(f"NM1*QC*1*{PATIENT}*JANE****MI*{MEMBER}")
    with pytest.raises(TypeError) as raised:
        edi837.read_responses(text)
    assert PATIENT not in str(raised.value)
    (tmp_path / "a.277").write_text(text)
    with open(tmp_path / "a.277") as fh, pytest.raises(TypeError):
        edi837.read_responses(fh)  # type: ignore[arg-type]
    with pytest.raises(edi837.InputError):
        records(str(tmp_path / "missing.277"))


# -- edi837's own answers read back -----------------------------------------------------------------------

def _one_claim_rejected() -> bytes | Path:
    """batch.837 with one claim whose total is not its lines' (check rejects it, the 277CA says A7/U)."""
    data = (FIXTURES[0].parent / "batch.837").read_bytes()
    assert b"CLM*BATCH-0-1*716.00" in data
    return data.replace(b"CLM*BATCH-0-1*716.00", b"CLM*BATCH-0-1*999.00", 1)


ANSWERED = {"batch-one-rejected": _one_claim_rejected, **{
    name: (lambda name=name: FIXTURES[0].parent / name)  # the fixtures by path, as `edi837 ack` reads them
    for name in ("als-emergency.837", "837p-multiple-trips.837", "mixed-837i-837p.837", "two-isa.837")}}


@pytest.mark.skipif(not FIXTURES, reason="no fixtures")
@pytest.mark.parametrize("name", list(ANSWERED))
def test_edi837s_own_999_and_277ca_read_back_with_checks_verdicts(name: str) -> None:
    data = ANSWERED[name]()
    answers = edi837.answer(data, edi837.Settings(fixed_time=FIXED))
    checked = edi837.check(data, today=FIXED.date())
    acks = records(answers.ack999)
    assert not of(Problem, acks)
    sent = Text(data.read_bytes() if isinstance(data, Path) else data)
    assert [s.set_control for s in of(SetAck, acks)] == [seg[2] for seg in sent.segs if seg[0] == "ST"]
    assert [g.group_control for g in of(GroupAck, acks)] == [seg[6] for seg in sent.segs if seg[0] == "GS"]
    statuses = records(answers.ack277)
    assert not of(Problem, statuses)
    verdicts = [(c.claim.claim_id, c.status) for c in checked.claims]
    assert [(c.claim_id, c.status) for c in of(ClaimStatus, statuses)] == verdicts
    assert [c.trace for c in of(ClaimStatus, statuses)] == [c.trace for c in of(ClaimStatus, statuses) if c.trace]
    if name == "batch-one-rejected":
        assert [v for v in verdicts if v[1] == REJECTED] == [("BATCH-0-1", REJECTED)]
