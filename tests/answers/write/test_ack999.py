"""The 999 (and TA1): every answer is valid by pyx12's own maps, and the 999 rejects what pyx12 rejects."""

from __future__ import annotations

import json
import re
from pathlib import Path

import oracle
import pytest
from builders import BATCH, FIXED, check, edit, mutants, outputs_valid, run_ack
from click.testing import CliRunner
from conftest import FIXTURES, SAMPLES_837I

from edi837.answers.write import ack999
from edi837.cli import main
from edi837.engine.results import TransactionResult
from edi837.x12.read import DEFAULT_DELIMITERS


def test_every_answer_is_valid_per_pyx12(answered: Path) -> None:
    names = {p.name for p in answered.iterdir()}
    for f in FIXTURES:
        assert {f"{f.name}.999", f"{f.name}.277ca", f"{f.name}.accepted.837"} <= names
    outputs_valid(answered)


def ik5(text: str) -> list[str]:
    return re.findall(r"IK5\*([AERMWX])((?:\*\d)*)", text)


@pytest.mark.parametrize("path", SAMPLES_837I, ids=lambda p: p.name)
def test_999_rejects_what_pyx12_rejects(answered: Path, path: Path) -> None:
    try:
        theirs = oracle.validate(path.read_bytes())
    except oracle.Pyx12Crash:
        pytest.skip("pyx12 crashes on this file; we answer with a located error")
    answer = answered / f"{path.name}.999"
    if not answer.exists():  # no interchange could be read (a short ISA): neither of us answers it
        assert not theirs.ok and theirs.ik5 == [] and "IK5" not in theirs.ack
        assert "ISA" in CliRunner().invoke(main, ["check", str(path)]).output  # the located error names it
        return
    ours = ik5(answer.read_text())
    # pyx12 rejects a set for any guide error; we reject only the claims in error (IK5 E with reason 5) unless
    # the error is at set level (R). Either way the set is flagged with reasons exactly when pyx12 rejects it.
    assert [code != "A" and bool(reasons) for code, reasons in ours] == [v == "R" for v in theirs.ik5]


def test_999_carries_loop_ids_and_claim_context(answered: Path) -> None:
    text = (answered / "mjkubba__edi837I-demo-005010X223.edi.999").read_text().replace("\n", "") if SAMPLES_837I else ""
    if not text:
        pytest.skip("no samples")
    assert re.search(r"IK3\*CLM\*15\*2300\*8~CTX\*CLM01:756048Q~IK4\*6\*1073\*10\*Y", text)
    assert "IK3*NM1*3*1000*3" in text


@pytest.mark.slow
def test_answers_to_mutants_are_valid(tmp_path: Path) -> None:
    paths = []
    for i, data in enumerate(mutants(600, 5)):
        p = tmp_path / "in" / f"m{i}.837"
        p.parent.mkdir(exist_ok=True)
        p.write_bytes(data)
        paths.append(p)
    run_ack(paths, tmp_path / "out")
    outputs_valid(tmp_path / "out")


def test_broken_interchange_trailer_gets_a_ta1(tmp_path: Path) -> None:
    src = tmp_path / "ta1.837"
    src.write_text(FIXTURES[0].read_text().replace("~IEA*1*", "~IEA*1*99"))
    res = CliRunner().invoke(main, ["ack", str(src), "--out", str(tmp_path / "out"), "--fixed-time", FIXED])
    assert res.exit_code == 1 and "1 envelope error" in res.output
    text = (tmp_path / "out" / "ta1.837.999").read_text()
    isa13 = FIXTURES[0].read_text()[90:99]
    assert re.search(rf"TA1\*{isa13}\*\d{{6}}\*\d{{4}}\*E\*001~", text)
    outputs_valid(tmp_path / "out")


def test_a_subscriber_loop_error_is_one_ik4_however_many_claims_it_rejects(tmp_path: Path) -> None:
    """A DMG error rejects every claim of the subscriber (each 277CA says so), but the 999 names the
    segment once: it answers segments, not claims."""
    segs = next(p for p in FIXTURES if p.stem == "batch").read_text().split("~")
    hl = next(i for i, s in enumerate(segs) if s.startswith("HL*") and s.split("*")[3] == "22"
              and sum(x.startswith("CLM*") for x in segs[i:next((j for j in range(i + 1, len(segs))
                                                                   if segs[j].startswith("HL*")), len(segs))]) >= 2)
    dmg = next(i for i in range(hl, len(segs)) if segs[i].startswith("DMG*"))
    segs[dmg] = "DMG*D8*19571340*M"
    src = tmp_path / "dmg.837"
    src.write_text("~".join(segs))
    run_ack([src], tmp_path / "out")
    text = (tmp_path / "out" / "dmg.837.999").read_text()
    assert text.count("IK3*DMG*") == 1 and text.count("IK4*2*1251*8*19571340~") == 1
    ca = (tmp_path / "out" / "dmg.837.277ca").read_text()
    assert ca.count("STC*A7:") >= 2  # every claim of that subscriber is rejected
    outputs_valid(tmp_path / "out")


def test_a_file_cut_short_is_answered_up_to_the_cut(tmp_path: Path) -> None:
    """A file that ends inside a segment is answered as one that ends early: the sets before the cut
    as usual, the open set rejected (trailer missing), its group and interchange closed, with the
    reader's located error; the 999, 277CA and forward 837 stay well formed."""
    text = next(p for p in FIXTURES if p.stem == "two-st").read_text()
    cut = text.index("~", text.index("ST*837*0002")) + 8  # inside the second set's BHT
    src = tmp_path / "cut.837"
    src.write_text(text[:cut])
    res = CliRunner().invoke(main, ["ack", str(src), "--out", str(tmp_path / "out"), "--fixed-time", FIXED])
    assert res.exit_code == 2 and "no segment terminator" in res.stderr
    out = tmp_path / "out"
    ack = (out / "cut.837.999").read_text()
    gs06 = text.split("~")[1].split("*")[6]
    assert f"AK1*HC*{gs06}*005010X223A2~" in ack
    assert "AK2*837*0001*005010X223A2~\nIK5*A~\nAK2*837*0002*005010X223A2~\nIK5*R*2~\nAK9*P*2*2*1*3~" in ack
    assert re.search(rf"TA1\*{text[90:99]}\*\d{{6}}\*\d{{4}}\*E\*023~", ack)
    assert "TWOST-1" in (out / "cut.837.accepted.837").read_text()
    assert "STC*A2:20" in (out / "cut.837.277ca").read_text()
    outputs_valid(out)
    check = CliRunner().invoke(main, ["check", "--format", "json", str(src)])
    doc = json.loads(check.stdout)["files"][0]
    assert [t["ack"] for t in doc["transactions"]] == ["A", "R"] and "no segment terminator" in doc["error"]


def test_a_claim_with_thousands_of_errors_is_answered_with_its_first_hundred(tmp_path: Path) -> None:
    from edi837.engine.sink import MAX_FINDINGS

    text = FIXTURES[0].read_text()
    extra = 3000
    segs = text.split("~")
    se = next(i for i, s in enumerate(segs) if s.startswith("SE*"))
    _, count, control = segs[se].split("*")
    segs[se - 1:se - 1] = ["REF*6R*X"] * extra
    segs[se + extra] = f"SE*{int(count) + extra}*{control}"
    src = tmp_path / "many.837"
    src.write_text("~".join(segs))
    run_ack([src], tmp_path / "out")
    ack = (tmp_path / "out" / "many.837.999").read_text()
    assert ack.count("IK3*REF*") == MAX_FINDINGS and "IK5*E*5~" in ack  # only the claim is rejected
    assert "STC*A7:21" in (tmp_path / "out" / "many.837.277ca").read_text()
    assert not (tmp_path / "out" / "many.837.accepted.837").exists()
    outputs_valid(tmp_path / "out")


def test_a_refused_group_or_set_is_answered_in_the_999_not_by_a_ta1(tmp_path: Path) -> None:
    """Before: the refusal was preceded by a made-up 'no IEA trailer', answered by TA1 023 (premature
    end of file). Now a group of another version gets AK9 R with AK905 2 (AK1 naming the GS08 sent), a
    set of another guide IK5 R with I6 (AK2 naming the ST03 sent: X12 RFI 1438; 19 when the ST03 is a guide
    edi837 reads but not its group's), and no TA1; each 999
    is valid per pyx12. The 837P guide is one edi837 reads, so its 4010 predecessor stands for
    "another version"; an 837P group is refused a set that names the 837I guide."""
    base = next((f for f in FIXTURES if f.stem == "batch"), FIXTURES[0]).read_text()
    professional = next(f for f in FIXTURES if f.stem == "837p-bls-emergency").read_text()
    group = tmp_path / "in" / "x098.837"
    group.parent.mkdir()
    group.write_text(base.replace("005010X223A2", "004010X098A1"))
    one_set = tmp_path / "in" / "st03.837"
    one_set.write_text(base.replace("*005010X223A2~BHT", "*005010X223A1~BHT", 1))
    crossed = tmp_path / "in" / "crossed.837"
    crossed.write_text(professional.replace("*005010X222A1~BHT", "*005010X223A2~BHT", 1))
    run_ack([group, one_set, crossed], tmp_path / "out")
    refused_group = (tmp_path / "out" / "x098.837.999").read_text()
    refused_set = (tmp_path / "out" / "st03.837.999").read_text()
    refused_crossed = (tmp_path / "out" / "crossed.837.999").read_text()
    assert "TA1" not in refused_group + refused_set + refused_crossed
    assert re.search(r"AK1\*HC\*\d+\*004010X098A1~\nAK9\*R\*0\*0\*0\*2~", refused_group)
    assert re.search(r"AK1\*HC\*\d+\*005010X223A2~\nAK2\*837\*\w+\*005010X223A1~\nIK5\*R\*I6~\nAK9\*R\*1\*1\*0~",
                     refused_set)
    # a set whose ST03 is not its group's GS08: 19, an invalid implementation convention reference
    assert re.search(r"AK1\*HC\*\d+\*005010X222A1~\nAK2\*837\*\w+\*005010X223A2~\nIK5\*R\*19~\nAK9\*R\*1\*1\*0~",
                     refused_crossed)
    for text in (refused_group, refused_set, refused_crossed):
        assert oracle.validate(text).ok


def test_the_999_names_a_sets_error_once_not_once_per_claim() -> None:
    [tx] = [x for x in check(edit(BATCH, "N4*SPRINGFIELD*IL*627690001", "N4*SPRINGFIELD*IL*62769"))
            if isinstance(x, TransactionResult)]
    segs = ack999.transaction_segments(tx, DEFAULT_DELIMITERS)
    assert [s for s in segs if s[:3] in ("IK3", "IK4", "CTX")] == ["IK3*N4*10*2010*8", "IK4*3*116*7*62769"]
