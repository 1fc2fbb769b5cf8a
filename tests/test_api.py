"""The library API: check, parse and answer over a path, bytes or a binary stream give the same answers."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from pathlib import Path

import oracle
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT

import edi837
from edi837 import rules
from edi837.answers.control import Settings
from edi837.cli import main
from edi837.engine.pipeline import Checker, check_file

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


def test_check_and_parse_raise_the_same_located_input_error(tmp_path: Path) -> None:
    for call in (edi837.check, lambda source: list(edi837.parse(source)),
                 lambda source: list(edi837.Checker().check_iter(source))):
        with pytest.raises(edi837.InputError, match="byte 0, segment 1, file line 1: not an X12 interchange"):
            call(b"hello")
        with pytest.raises(edi837.InputError, match="cannot open"):
            call(tmp_path / "nothing.837")


def test_results_before_the_break_are_handed_out_then_the_error_is_raised() -> None:
    data = FIXTURES[0].read_bytes()
    cut = data[: data.rindex(b"SE*") + 4]  # the file ends inside the last SE: its set is decided, then the error
    seen = []
    with pytest.raises(edi837.InputError, match="file ends"):
        for item in edi837.Checker(today=TODAY).check_iter(cut, name="cut.837"):
            seen.append(item)
    assert any(isinstance(item, edi837.TransactionResult) for item in seen)


def test_a_checker_reads_its_profile_once_and_refuses_a_bad_one_when_made(tmp_path: Path) -> None:
    profile = tmp_path / "p.json"
    profile.write_text('{"rules": {"AMB013": "off"}}')
    checker = edi837.Checker(profile=profile, today=TODAY)
    profile.write_text("not json")  # read when the checker was made, not at each check
    data = (ROOT / "fixtures" / "bls-emergency.837").read_bytes().replace(b"*716.00*", b"*717.00*")
    assert [c.status for c in checker.check(data).claims] == ["accepted"]
    assert [c.status for c in checker.answer(data, Settings(fixed_time=FIXED)).result.claims] == ["accepted"]
    with pytest.raises(edi837.ProfileError, match="p.json: cannot load profile") as info:
        edi837.Checker(profile=profile)
    assert isinstance(info.value, edi837.Edi837Error) and not isinstance(info.value, edi837.InputError)
    for wrong in ({"profile": 3}, {"today": "2026-11-22"}, {"today": dt.datetime(2026, 11, 22)}):
        with pytest.raises(TypeError, match="profile is|today is a datetime.date"):
            edi837.Checker(**wrong)  # type: ignore[arg-type]


def test_checker_check_iter_agrees_with_check_and_its_answer_with_answer() -> None:
    checker = edi837.Checker(today=TODAY)
    for path in FIXTURES[:3]:
        items = list(checker.check_iter(path))
        tx = [c for item in items if isinstance(item, edi837.TransactionResult) for c in item.claims]
        assert [(c.claim.claim_id, c.status) for c in tx] == [(c.claim.claim_id, c.status)
                                                              for c in edi837.check(path, today=TODAY).claims]
        assert checker.answer(path, Settings(fixed_time=FIXED)).ack277 == \
            edi837.answer(path, Settings(fixed_time=FIXED), today=TODAY).ack277
        assert [c.claim_id for c in checker.parse(path)] == [c.claim.claim_id for c in tx]


def test_settings_take_the_fixed_time_as_ack_does_and_refuse_what_they_cannot_use() -> None:
    assert Settings(fixed_time="202612010930").fixed_time == dt.datetime(2026, 12, 1, 9, 30)
    assert Settings(fixed_time="2026-12-01T09:30").fixed_time == dt.datetime(2026, 12, 1, 9, 30)
    with pytest.raises(edi837.UsageError, match="is not a time"):
        Settings(fixed_time="1 December")
    with pytest.raises(TypeError, match="fixed_time is a datetime"):
        Settings(fixed_time=dt.date(2026, 12, 1))  # type: ignore[arg-type]
    with pytest.raises(edi837.UsageError, match="usage must be P"):
        Settings(usage="X")
    with pytest.raises(edi837.UsageError, match="base must be from 1"):
        Settings(base=0)


def test_check_with_a_profile_that_switches_a_rule_off(tmp_path: Path) -> None:
    data = (ROOT / "fixtures" / "bls-emergency.837").read_bytes().replace(b"*716.00*", b"*717.00*")  # out of balance
    assert [c.status for c in edi837.check(data, today=TODAY).claims] == ["rejected"]
    profile = tmp_path / "p.json"
    profile.write_text('{"rules": {"AMB013": "off"}}')
    assert [c.status for c in edi837.check(data, profile=str(profile), today=TODAY).claims] == ["accepted"]


def test_parse_yields_claims_and_raises_located_errors() -> None:
    claims = list(edi837.parse(io.BytesIO(FIXTURES[0].read_bytes())))
    assert claims and all(c.claim_id for c in claims)
    with pytest.raises(edi837.InputError, match="byte 0"):
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
    assert json.loads((tmp_path / "state.json").read_text())["numbers"] == [
        {"sender_id": "EDI837", "receiver_id": "", "last": 45}]  # per sender/receiver pair (edi837.answers.control)


# -- wrong input types: a clear TypeError, never the input's content in a message ------------------

PATIENT = "JOHN Q PATIENT 1EG4TE5MK73"


def claim_text() -> str:
    """A fixture's text with a patient's name and member id in it, as a caller might hold it."""
    return FIXTURES[0].read_text(encoding="latin-1").replace("NM1*IL*1*", f"NM1*IL*1*{PATIENT}*", 1)


def api_calls(source: object) -> list:
    """check, answer and parse of `source`, each called as a user would (parse: its first claim)."""
    return [lambda: edi837.check(source), lambda: edi837.answer(source, Settings(fixed_time=FIXED)),
            lambda: edi837.parse(source)]


def test_the_837_as_a_str_is_refused_without_quoting_it() -> None:
    text = claim_text()
    for call in api_calls(text):
        with pytest.raises(TypeError, match="pass its bytes") as info:
            call()
        assert PATIENT not in str(info.value) and "ISA*" not in str(info.value)
    assert verdicts(edi837.check(text.encode("latin-1"), today=TODAY))  # as the message says


@pytest.mark.parametrize("kind", ["bytearray", "memoryview"])
def test_bytearray_and_memoryview_are_read_as_bytes(kind: str) -> None:
    data = FIXTURES[0].read_bytes()
    source = bytearray(data) if kind == "bytearray" else memoryview(data)
    want = verdicts(edi837.check(data, today=TODAY))
    assert verdicts(edi837.check(source, today=TODAY)) == want
    assert [c.claim_id for c in edi837.parse(source)] == [c.claim_id for c in edi837.parse(data)]
    assert edi837.answer(source, Settings(fixed_time=FIXED), today=TODAY).ack999 == \
        edi837.answer(data, Settings(fixed_time=FIXED), today=TODAY).ack999


def test_text_streams_are_refused_with_what_to_do(tmp_path: Path) -> None:
    src = tmp_path / "claims.837"
    src.write_text(claim_text(), encoding="latin-1")
    with open(src, encoding="latin-1") as text_file:
        for source in (text_file, io.StringIO(claim_text())):
            for call in api_calls(source):
                with pytest.raises(TypeError, match="text stream .*'rb'") as info:
                    call()
                assert PATIENT not in str(info.value)


class TextReader:
    """A stream of no io class whose read gives text (as codecs' readers do)."""

    def __init__(self, text: str) -> None:
        self.text = io.StringIO(text)

    def read(self, size: int = -1) -> str:
        return self.text.read(size)


def test_a_stream_that_reads_text_is_a_type_error_not_an_internal_error() -> None:
    for call in api_calls(TextReader(claim_text())):
        with pytest.raises(TypeError, match="reads str, not bytes") as info:
            list(call() or ())  # type: ignore[call-overload]
        assert PATIENT not in str(info.value)


@pytest.mark.parametrize("source", [None, 42, 4.2, ["ISA"], {"claims": 1}], ids=repr)
def test_other_types_are_a_type_error_naming_the_types_accepted(source: object) -> None:
    for call in api_calls(source):
        with pytest.raises(TypeError, match=r"a path \(str or os.PathLike\), the file's bytes") as info:
            call()
        assert type(source).__name__ in str(info.value)


def test_a_missing_path_is_named_only_when_it_looks_like_one(tmp_path: Path) -> None:
    missing = str(tmp_path / "nothing.837")
    with pytest.raises(edi837.InputError) as info:
        edi837.check(missing)
    assert str(info.value) == f"{missing}: cannot open: No such file or directory"
    for not_a_name in (f"NM1*IL*1*{PATIENT}~", PATIENT + "x" * 300, f"{PATIENT}\nDOE"):
        assert str(edi837.answer(not_a_name).result.error).startswith("the path given: cannot open: ")
        for call in (edi837.check, lambda source: list(edi837.parse(source))):
            with pytest.raises(edi837.InputError) as info:
                call(not_a_name)
            assert str(info.value).startswith("the path given: cannot open: ")  # no such file, name too long
    with pytest.raises(edi837.InputError, match="not a valid path"):
        edi837.check("a\0b")


def test_a_path_may_be_bytes_like_os_gives_it(tmp_path: Path) -> None:
    name = os.path.join(os.fsencode(tmp_path), b"caf\xe9.837")
    with open(name, "wb") as fh:
        fh.write(FIXTURES[0].read_bytes())

    class BytesPath:
        def __fspath__(self) -> bytes:
            return name

    assert verdicts(edi837.check(BytesPath(), today=TODAY)) == verdicts(edi837.check(FIXTURES[0], today=TODAY))


# The peak is VmHWM, this process's own: ru_maxrss survives exec, so a child of a 400 MB pytest would
# report at least the pytest's size.
CHECK_ITER = """
import re, sys
import edi837
claims = 0
for result in edi837.Checker(today=None).check_iter(sys.argv[1]):
    if isinstance(result, edi837.TransactionResult):
        claims += sum(1 for claim in result.claims if claim.status in ("accepted", "rejected"))
with open("/proc/self/status") as status:
    print(claims, re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1))
"""


@pytest.mark.slow
def test_check_iter_stays_under_100_mb_however_many_sets(tmp_path: Path) -> None:
    """A loop over check_iter holds one set while the next is read; sets of 5,000 claims (the guide's
    most) are checked with at most 1,000 claims of a set in memory, the rest spooled to disk. The peak
    is reached by the second set and stays: 25,000 claims here (100,000 peak at 61 MB compiled, 65 MB
    pure: `python -c "$CHECK_ITER" FILE` on `bench/gen.py --claims 100000`, docs/benchmarks.md)."""
    import subprocess
    import sys

    src = tmp_path / "25k.837"
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen.py"), "--claims", "25000", "--out", str(src)],
                   check=True, capture_output=True)
    done = subprocess.run([sys.executable, "-c", CHECK_ITER, str(src)], capture_output=True, text=True, check=True)
    claims, peak_kb = map(int, done.stdout.split())
    assert claims == 25_000
    assert peak_kb < 100 * 1024, f"peak RSS {peak_kb / 1024:.0f} MB"
