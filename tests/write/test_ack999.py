"""The answers: every 999, 277CA and forward 837 is valid by pyx12's own maps, and they agree."""

from __future__ import annotations

import dataclasses
import json
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SAMPLES_837I
from builders import mutants

import oracle
from edi837.cli import main
from edi837.claims import is_ambulance_line
from edi837.pipeline import parse_stream

FIXED = "202611220930"


def run_ack(paths: list[Path], out: Path, *extra: str) -> None:
    res = CliRunner().invoke(main, ["ack", *map(str, paths), "--out", str(out), "--fixed-time", FIXED, *extra])
    assert res.exit_code in (0, 1, 2), res.output
    assert "Traceback" not in res.output


def outputs_valid(out: Path) -> None:
    for f in sorted(out.iterdir()):
        verdict = oracle.validate(f.read_bytes())
        assert verdict.ok, (f.name, verdict.messages[:5])


@pytest.fixture(scope="module")
def answered(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ack")
    run_ack(FIXTURES + SAMPLES_837I, out)
    return out


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


def claims_of(path: Path) -> list:
    return list(parse_stream(io.BytesIO(path.read_bytes()), "x"))


def comparable(c) -> object:
    lines = tuple(dataclasses.replace(ln, where=None, date_where=None) for ln in c.lines)
    bp = dataclasses.replace(c.billing_provider, where=None, street_where=None)
    att = dataclasses.replace(c.attending, where=None) if c.attending else None
    codes = {k: tuple(dataclasses.replace(x, where=None) for x in getattr(c, k))
             for k in ("condition_codes", "value_codes", "occurrence_codes")}
    return dataclasses.replace(c, where=None, period_where=None, cl1_where=None, lines=lines, billing_provider=bp, attending=att, file="", **codes,
                               transaction="", hl_subscriber="", hl_patient="", clearinghouse_trace="",
                               ambulance_lines=tuple(ln for ln in lines if is_ambulance_line(ln)))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_round_trip_forward_837(answered: Path, path: Path) -> None:
    original = claims_of(path)
    forwarded = claims_of(answered / f"{path.name}.accepted.837")
    assert [comparable(c) for c in forwarded] == [comparable(c) for c in original]
    traces = [c.clearinghouse_trace for c in forwarded]
    assert all(traces) and len(set(traces)) == len(traces)
    text277 = (answered / f"{path.name}.277ca").read_text()
    for t in traces:
        assert f"REF*D9*{t}~" in text277


def verdicts_277(text: str) -> dict[str, str]:
    return dict(re.findall(r"NM1\*QC\*[^~]*~TRN\*2\*([^~]+)~STC\*[^*]+\*\d*\*(WQ|U)", text))


def test_277ca_verdicts_equal_check(answered: Path) -> None:
    res = CliRunner().invoke(main, ["check", "--format", "json", "--today", "2026-11-22",
                                    *map(str, FIXTURES + SAMPLES_837I)])
    import json
    for f in json.loads(res.stdout)["files"]:
        if f["error"]:
            continue
        got = verdicts_277((answered / f"{Path(f['path']).name}.277ca").read_text())
        want = {c["claim_id"]: ("WQ" if c["status"] == "accepted" else "U") for c in f["claims"]}
        assert got == want, f["path"]


def test_fixed_time_is_reproducible(tmp_path: Path) -> None:
    run_ack(FIXTURES[:3], tmp_path / "a")
    run_ack(FIXTURES[:3], tmp_path / "b")
    for f in (tmp_path / "a").iterdir():
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes()


def test_control_numbers_increase_across_runs(tmp_path: Path) -> None:
    cfg = tmp_path / "ch.json"
    cfg.write_text('{"sender_id": "MYCH", "name": "MY CLEARINGHOUSE", "first_control_number": 500}')
    seen = []
    for i in range(2):
        res = CliRunner().invoke(main, ["ack", str(FIXTURES[0]), "--out", str(tmp_path / f"o{i}"), "--config", str(cfg)])
        assert res.exit_code == 0, res.output
        isa = (tmp_path / f"o{i}" / f"{FIXTURES[0].name}.999").read_text()[:106]
        seen.append(int(isa.split("*")[13]))
        assert "*MYCH" in isa
    assert seen[0] >= 500 and seen[1] > seen[0]


def test_control_numbers_start_again_after_nine_digits(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / ".edi837-control-numbers.json").write_text('{"last": 999999998}')
    assert CliRunner().invoke(main, ["ack", str(FIXTURES[0]), "--out", str(out)]).exit_code == 0
    isa = (out / f"{FIXTURES[0].name}.999").read_text()[:106]
    assert isa.split("*")[13] == "000000001" and len(isa.split("~")[0]) == 105  # still fixed-width
    assert (out / ".edi837-control-numbers.json").read_text() == '{"last": 3}'
    for f in out.glob("*.*"):  # the answers, not the hidden state
        if not f.name.startswith("."):
            assert oracle.validate(f.read_bytes()).ok, f.name


@pytest.mark.parametrize("state", ["garbage{", '{"next": 7}', '{"last": -1}', '{"last": "12"}'])
def test_an_unreadable_control_number_state_stops_the_run(tmp_path: Path, state: str) -> None:
    """Numbering from the base again would reuse control numbers the receivers have already seen."""
    out = tmp_path / "out"
    out.mkdir()
    (out / ".edi837-control-numbers.json").write_text(state)
    res = CliRunner().invoke(main, ["ack", str(FIXTURES[0]), "--out", str(out)])
    assert res.exit_code == 2 and "the control-number state is not {\"last\": N}" in res.stderr
    assert not list(out.glob("*.999"))


@pytest.mark.parametrize("config,fragment", [
    ('{"first_control_number": "abc"}', "first_control_number must be a whole number"),
    ('{"first_control_number": 0}', "first_control_number must be a whole number"),
    ('{"first_control_number": 1000000000}', "first_control_number must be a whole number"),
    ('{"usage": "X"}', "usage must be P (production) or T (test)"),
])
def test_a_bad_config_is_one_line(tmp_path: Path, config: str, fragment: str) -> None:
    cfg = tmp_path / "ch.json"
    cfg.write_text(config)
    res = CliRunner().invoke(main, ["ack", str(FIXTURES[0]), "--out", str(tmp_path / "out"), "--config", str(cfg)])
    assert res.exit_code == 2 and fragment in res.stderr and isinstance(res.exception, SystemExit)


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


def test_no_interchange_read_means_no_answers(tmp_path: Path) -> None:
    out = tmp_path / "out"
    src = tmp_path / "letter.837"
    src.write_text(FIXTURES[0].read_text())
    run_ack([src], out)
    assert (out / "letter.837.999").exists()
    src.write_text("Dear billing office, please find our claims attached.")  # the same name, now not X12
    res = CliRunner().invoke(main, ["ack", str(src), str(tmp_path / "missing.837"), "--out", str(out)])
    assert res.exit_code == 2 and "not an X12 interchange" in res.stderr and "cannot open" in res.stderr
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == []  # nor the last run's answers


def test_answers_written_into_an_input_folder_are_not_read_back(tmp_path: Path) -> None:
    inbound = tmp_path / "inbound"
    inbound.mkdir()
    (inbound / FIXTURES[0].name).write_text(FIXTURES[0].read_text())
    for _ in range(2):
        res = CliRunner().invoke(main, ["ack", str(inbound), "--out", str(inbound / "answers")])
        assert res.exit_code == 0 and "1 file, 1 claim: 1 accepted" in res.stdout, res.output
    name = FIXTURES[0].name
    assert sorted(p.name for p in (inbound / "answers").iterdir() if not p.name.startswith(".")) == [
        f"{name}.277ca", f"{name}.999", f"{name}.accepted.837"]


def test_files_of_the_same_name_are_answered_apart(tmp_path: Path) -> None:
    """Files found in a folder keep their sub-folders under --out; two inputs that would still share
    answer names are not answered over each other: the second is refused with a located error."""
    inbound = tmp_path / "inbound"
    for sub, fixture in (("a", FIXTURES[0]), ("b", FIXTURES[1])):
        (inbound / sub).mkdir(parents=True)
        (inbound / sub / "claims.837").write_text(fixture.read_text())
    run_ack([inbound], tmp_path / "out")
    for sub, fixture in (("a", FIXTURES[0]), ("b", FIXTURES[1])):
        claim_id = fixture.read_text().split("CLM*")[1].split("*")[0]
        assert f"CLM*{claim_id}*" in (tmp_path / "out" / sub / "claims.837.accepted.837").read_text()
    outputs_valid(tmp_path / "out" / "a")
    res = CliRunner().invoke(main, ["ack", str(inbound / "a" / "claims.837"), str(inbound / "b" / "claims.837"),
                                    "--out", str(tmp_path / "flat")])
    assert res.exit_code == 2 and "not answered: its answers would overwrite" in res.stderr
    ids = (tmp_path / "flat" / "claims.837.accepted.837").read_text()
    assert FIXTURES[0].read_text().split("CLM*")[1].split("*")[0] in ids


def test_a_claim_with_thousands_of_errors_is_answered_with_its_first_hundred(tmp_path: Path) -> None:
    from edi837.pipeline import MAX_FINDINGS

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


def test_answers_that_cannot_be_written_leave_nothing_half_written(tmp_path: Path, monkeypatch) -> None:
    """A full disk while a file's answers are written: one located error, no partial or temporary
    answer left in --out, its claims not counted, and the next file answered as usual."""
    import errno

    from edi837.write import ack999

    close = ack999.Writer.close
    calls = []

    def full_once(self, out) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        close(self, out)

    monkeypatch.setattr(ack999.Writer, "close", full_once)
    first, second = FIXTURES[0], next(p for p in FIXTURES if p.stem == "batch")
    res = CliRunner().invoke(main, ["ack", str(first), str(second), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert f"error: {first}: its answers could not be written to {tmp_path / 'out'}: No space left" in res.stderr
    left = sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith(".edi837"))
    assert left == [f"batch.837.{s}" for s in ("277ca", "999", "accepted.837")]
    assert "2 files, 26 claims: 26 accepted, 0 rejected, 1 unreadable" in res.stdout


def test_a_refused_group_or_set_is_answered_in_the_999_not_by_a_ta1(tmp_path: Path) -> None:
    """Before: the refusal was preceded by a made-up 'no IEA trailer', answered by TA1 023 (premature
    end of file). Now a group of another version gets AK9 R with AK905 2, a set of another guide
    IK5 R with I6, and no TA1; each 999 is valid per pyx12."""
    base = next((f for f in FIXTURES if f.stem == "batch"), FIXTURES[0]).read_text()
    group = tmp_path / "in" / "x222.837"
    group.parent.mkdir()
    group.write_text(base.replace("005010X223A2", "005010X222A1"))
    one_set = tmp_path / "in" / "st03.837"
    one_set.write_text(base.replace("*005010X223A2~BHT", "*005010X223A1~BHT", 1))
    run_ack([group, one_set], tmp_path / "out")
    refused_group = (tmp_path / "out" / "x222.837.999").read_text()
    refused_set = (tmp_path / "out" / "st03.837.999").read_text()
    assert "TA1" not in refused_group + refused_set
    assert re.search(r"AK1\*HC\*\d+\*005010X222A1~\nAK9\*R\*0\*0\*0\*2~", refused_group)
    assert re.search(r"AK2\*837\*\w+~\nIK5\*R\*I6~\nAK9\*R\*1\*1\*0~", refused_set)
    for text in (refused_group, refused_set):
        assert oracle.validate(text).ok
