"""The answer to one file: reproducible at a fixed time, control numbers from a state file that
never reuses one, a bad config or state is one line, and answers are never half written, read back
or written over each other."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES
from builders import outputs_valid, run_ack

import oracle
from edi837.cli import main


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
