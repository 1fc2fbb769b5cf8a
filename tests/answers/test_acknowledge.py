"""The answer to one file (edi837/acknowledge.py): reproducible at a fixed time, and answers never
half written, read back or written over each other. Control numbers and the config: test_control.py."""

from __future__ import annotations

from pathlib import Path

from builders import outputs_valid, run_ack
from click.testing import CliRunner
from conftest import FIXTURES

from edi837.cli import main


def test_fixed_time_is_reproducible(tmp_path: Path) -> None:
    run_ack(FIXTURES[:3], tmp_path / "a")
    run_ack(FIXTURES[:3], tmp_path / "b")
    for f in (tmp_path / "a").iterdir():
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes()


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
    for summary in ("1 file, 1 claim: 1 accepted", "1 file already answered"):  # the second run reads the input only
        res = CliRunner().invoke(main, ["ack", str(inbound), "--out", str(inbound / "answers")])
        assert res.exit_code == 0 and summary in res.stdout and "answers/" not in res.output, res.output
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


def test_answers_that_cannot_be_written_leave_nothing_half_written(tmp_path: Path, monkeypatch) -> None:
    """A full disk while a file's answers are written: one located error, no partial or temporary
    answer left in --out, its claims not counted, and the next file answered as usual."""
    import errno

    from edi837.answers.write import ack999

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


def test_answers_are_readable_by_their_owner_only(tmp_path) -> None:
    """Answers carry patient names and member ids: 0600 files in a 0700 folder, whatever the umask."""
    import os
    import stat

    from click.testing import CliRunner
    from conftest import FIXTURES

    from edi837.cli import main

    old = os.umask(0o022)
    try:
        out = tmp_path / "out"
        res = CliRunner().invoke(main, ["ack", "--fixed-time", "202611221200", "--out", str(out), str(FIXTURES[0])])
    finally:
        os.umask(old)
    assert res.exit_code == 0, res.output
    answers = [p for p in out.iterdir() if not p.name.startswith(".edi837")]
    assert len(answers) == 3
    for p in answers:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    assert stat.S_IMODE(out.stat().st_mode) == 0o700


def _isa15(answer: bytes) -> str:
    text = answer.decode("latin-1")
    return text.split(text[3])[15]


def test_answers_speak_the_partners_mode() -> None:
    """ISA15 of the 999, 277CA and forward 837 mirrors the inbound interchange's (T or P), unless the
    settings fix it; `ack` and `run` answer through the same code (test_stage.py checks `run`)."""
    import dataclasses
    import datetime as dt

    from builders import BASE

    import edi837
    from edi837.answers.control import Settings

    fixed = Settings(fixed_time=dt.datetime(2026, 11, 22, 9, 30))
    production = BASE.replace("*0*T*:~", "*0*P*:~", 1)
    assert production != BASE
    for text, settings, mode in ((BASE, fixed, "T"), (production, fixed, "P"),
                                 (BASE, dataclasses.replace(fixed, usage="P"), "P"),
                                 (production, dataclasses.replace(fixed, usage="T"), "T")):
        answers = edi837.answer(text.encode(), settings)
        assert answers.forward837 is not None
        assert [_isa15(a) for a in (answers.ack999, answers.ack277, answers.forward837)] == [mode] * 3


def test_ack_of_a_test_interchange_answers_as_a_test(tmp_path: Path) -> None:
    run_ack([FIXTURES[0]], tmp_path)
    answers = sorted(tmp_path.glob(f"{FIXTURES[0].name}.*"))
    assert len(answers) == 3 and {_isa15(a.read_bytes()) for a in answers} == {"T"}
    outputs_valid(tmp_path)
