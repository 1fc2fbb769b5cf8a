"""The library API: check, parse and answer over a path, bytes or a binary stream give the same answers."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import oracle
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT

import edi837
from edi837 import rules
from edi837.cli import main
from edi837.control import Settings
from edi837.pipeline import Checker, check_file

TODAY = dt.date(2026, 11, 22)


def verdicts(result) -> list[tuple[str, str, list[str]]]:
    return [(c.claim.claim_id, c.status, [f.rule for f in c.all_findings]) for c in result.claims]


@pytest.mark.parametrize("path", FIXTURES[:4], ids=lambda p: p.name)
def test_check_path_bytes_and_stream_agree_with_the_pipeline(path: Path) -> None:
    want = verdicts(check_file(str(path), Checker(rules.load_profile(), rules.Context(today=TODAY))))
    assert want
    assert verdicts(edi837.check(path, today=TODAY)) == want
    assert verdicts(edi837.check(path.read_bytes(), today=TODAY)) == want
    with open(path, "rb") as fh:
        assert verdicts(edi837.check(fh, today=TODAY)) == want


def test_check_reports_unreadable_input_instead_of_raising(tmp_path: Path) -> None:
    assert "not an X12 interchange" in str(edi837.check(b"hello").error)
    missing = edi837.check(tmp_path / "nothing.837")
    assert "cannot open" in str(missing.error) and missing.claims == []


def test_check_with_a_profile_that_switches_a_rule_off(tmp_path: Path) -> None:
    data = (ROOT / "fixtures" / "bls-emergency.837").read_bytes().replace(b"*716.00*", b"*717.00*")  # out of balance
    assert [c.status for c in edi837.check(data, today=TODAY).claims] == ["rejected"]
    profile = tmp_path / "p.json"
    profile.write_text('{"rules": {"AMB013": "off"}}')
    assert [c.status for c in edi837.check(data, profile=str(profile), today=TODAY).claims] == ["accepted"]


def test_parse_yields_claims_and_raises_located_errors() -> None:
    claims = list(edi837.parse(io.BytesIO(FIXTURES[0].read_bytes())))
    assert claims and all(c.claim_id for c in claims)
    with pytest.raises(edi837.EdiError, match="byte 0"):
        list(edi837.parse(b"hello", name="x.837"))


def test_version() -> None:
    assert edi837.__version__ and edi837.__version__[0].isdigit()


FIXED = dt.datetime(2026, 11, 22, 9, 30)


def ack_files(path: Path, out: Path, *extra: str) -> dict[str, bytes]:
    """What `edi837 ack --fixed-time` writes for `path`: {"999": ..., "277ca": ..., "accepted.837": ...}."""
    res = CliRunner().invoke(main, ["ack", str(path), "--out", str(out), "--fixed-time", f"{FIXED:%Y%m%d%H%M}",
                                    "--today", f"{TODAY}", *extra])
    assert res.exit_code in (0, 1, 2), res.output
    return {p.name[len(path.name) + 1:]: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}


def as_files(answers: edi837.Answers) -> dict[str, bytes]:
    found = {"999": answers.ack999, "277ca": answers.ack277, "accepted.837": answers.forward837}
    return {k: v for k, v in found.items() if v}


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_answer_is_what_ack_writes(tmp_path: Path, path: Path) -> None:
    answers = edi837.answer(path, Settings(fixed_time=FIXED), today=TODAY)
    assert as_files(answers) == ack_files(path, tmp_path / "out")
    assert answers.result.error is None and answers.result.claims
    for data in as_files(answers).values():
        verdict = oracle.validate(data)
        assert verdict.ok, verdict.messages[:3]


def test_answer_takes_a_path_bytes_or_a_stream(tmp_path: Path) -> None:
    path = next(p for p in FIXTURES if p.stem == "two-st")
    want = edi837.answer(str(path), Settings(fixed_time=FIXED), today=TODAY)
    assert want.forward837 and b"ST*837*0002" in want.forward837
    got = [edi837.answer(path.read_bytes(), Settings(fixed_time=FIXED), today=TODAY)]
    with open(path, "rb") as fh:
        got.append(edi837.answer(fh, Settings(fixed_time=FIXED), today=TODAY))
    for answers in got:
        assert as_files(answers) == as_files(want)
        assert verdicts(answers.result) == verdicts(want.result) == verdicts(edi837.check(path, today=TODAY))
        assert [t.ack for t in answers.result.transactions] == ["A", "A"]


def test_answer_with_custom_delimiters_forwards_in_the_input_delimiters(tmp_path: Path) -> None:
    path = next(p for p in FIXTURES if p.stem == "custom-delims")
    answers = edi837.answer(path, Settings(fixed_time=FIXED), today=TODAY)
    assert answers.forward837 and answers.forward837[3:4] == path.read_bytes()[3:4]  # ISA's element separator
    assert answers.ack999.startswith(b"ISA*")


def test_answer_forwards_nothing_when_no_claim_is_accepted(tmp_path: Path) -> None:
    src = tmp_path / "unbalanced.837"
    src.write_bytes((ROOT / "fixtures" / "bls-emergency.837").read_bytes().replace(b"*716.00*", b"*717.00*"))
    answers = edi837.answer(src, Settings(fixed_time=FIXED), today=TODAY)
    assert answers.forward837 is None and [c.status for c in answers.result.claims] == ["rejected"]
    assert b"*U*" in answers.ack277 and b"A2:20" not in answers.ack277  # the 277CA says why
    assert as_files(answers) == ack_files(src, tmp_path / "out")  # ack writes no NAME.accepted.837 either


def test_answer_of_a_file_cut_short_is_what_ack_writes(tmp_path: Path) -> None:
    text = next(p for p in FIXTURES if p.stem == "two-st").read_bytes()
    src = tmp_path / "cut.837"
    src.write_bytes(text[:text.index(b"~", text.index(b"ST*837*0002")) + 8])  # inside the second set's BHT
    answers = edi837.answer(src.read_bytes(), Settings(fixed_time=FIXED), today=TODAY, name=str(src))
    assert "no segment terminator" in str(answers.result.error)
    assert b"IK5*R*2~" in answers.ack999 and answers.forward837 and b"TWOST-1" in answers.forward837
    assert as_files(answers) == ack_files(src, tmp_path / "out")


def test_answer_to_what_is_not_x12_is_empty_with_the_located_error(tmp_path: Path) -> None:
    answers = edi837.answer(b"Dear billing office")
    assert (answers.ack999, answers.ack277, answers.forward837) == (b"", b"", None)
    assert "not an X12 interchange" in str(answers.result.error)
    missing = edi837.answer(tmp_path / "nothing.837")
    assert "cannot open" in str(missing.result.error) and missing.ack999 == b""


def isa13(data: bytes) -> str:
    return data.split(b"~", 1)[0].split(b"*")[13].decode()


def test_answer_numbers_from_the_base_with_no_state_file_by_default(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for _ in range(2):  # the same numbers each time: nothing is remembered
        answers = edi837.answer(FIXTURES[0], today=TODAY)
        assert answers.forward837 is not None
        assert [isa13(a) for a in (answers.ack999, answers.ack277, answers.forward837)] == [
            "000000001", "000000002", "000000003"]
    assert list(tmp_path.iterdir()) == []


def test_answer_numbers_from_a_state_file_when_given_one(tmp_path: Path) -> None:
    settings = Settings(base=40, state_file=tmp_path / "state.json")
    first, second = (edi837.answer(FIXTURES[0], settings, today=TODAY) for _ in range(2))
    assert [isa13(a.ack999) for a in (first, second)] == ["000000040", "000000043"]
    assert json.loads((tmp_path / "state.json").read_text()) == {"last": 45}
