"""`ack` stopped at any point and run again (edi837/answered.py): every input answered once, no
control number used twice, no temporary left, and what a stopped run wrote kept byte for byte.
Item 14 of issue 23, with real processes: `ack` killed (SIGKILL of its process group) mid-run."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner
from conftest import FIXTURES

from edi837.answers.answered import LOCK, RECORD
from edi837.cli import main

ANSWERS = ("999", "277ca", "accepted.837")


def _isa13(data: bytes) -> int:
    text = data.decode("latin-1")
    return int(text.split(text[3])[13])


def _answers(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
            and not p.name.startswith(".")}


def _record(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / RECORD).read_text().splitlines()]


def test_ack_killed_mid_run_then_run_again_answers_every_input_once(tmp_path: Path) -> None:
    inbound, out = tmp_path / "inbound", tmp_path / "out"
    (inbound / "sub").mkdir(parents=True)
    names = []
    for i in range(20):  # each a fixture's content under its own name; a few in a sub-folder
        name = f"{'sub/' if i % 7 == 0 else ''}f{i:02}.837"
        (inbound / name).write_bytes(FIXTURES[i % len(FIXTURES)].read_bytes())
        names.append(name)
    command = [sys.executable, "-m", "edi837", "ack", str(inbound), "--out", str(out), "--jobs", "1"]
    stopped = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while len(list(out.glob("*.999"))) < 4:
        assert stopped.poll() is None, "ack ended before it could be killed: give it more inputs"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.killpg(stopped.pid, signal.SIGKILL)
    stopped.wait()
    written = _answers(out)
    assert 4 <= sum(n.endswith(".999") for n in written) < len(names)

    again = CliRunner().invoke(main, ["ack", str(inbound), "--out", str(out), "--jobs", "1"])
    assert again.exit_code in (0, 1) and "Traceback" not in again.output, again.output
    assert "already answered (control numbers" in again.stdout

    assert [str(p) for p in out.rglob("*.tmp")] == []
    now = _answers(out)
    assert {n: now[n] for n in written} == written  # what the stopped run wrote is unchanged
    assert sorted(n.removesuffix(".999") for n in now if n.endswith(".999")) == sorted(names)
    numbers = [_isa13(data) for data in now.values()]
    assert len(numbers) == len(set(numbers))  # no control number twice in OUT
    steps = _record(out)
    for name in names:  # claimed once, done once: nobody answered it twice
        mine = [s for s in steps if s["name"] == name]
        assert [s["done"] for s in mine] == [False, True], (name, mine)
        assert _isa13(now[f"{name}.999"]) == mine[0]["control"]

    third = CliRunner().invoke(main, ["ack", str(inbound), "--out", str(out), "--jobs", "1"])
    assert f"{len(names)} files already answered into" in third.stdout and _answers(out) == now


def test_a_stopped_runs_claim_is_answered_again_byte_for_byte(tmp_path: Path) -> None:
    """Stopped after renaming an answer but before recording it done, with a half-written answer and
    a torn record line left: the next run cuts the line, removes the temporary and answers with the
    stopped run's numbers and clock, so the answer it had renamed comes out the same."""
    out, source = tmp_path / "out", FIXTURES[0]
    first = CliRunner().invoke(main, ["ack", str(source), "--out", str(out)])
    assert first.exit_code == 0, first.output
    answers = _answers(out)
    claimed, done = (out / RECORD).read_text().splitlines()
    (out / RECORD).write_text(claimed + "\n" + done[:30])  # killed while appending "done"
    (out / f"{source.name}.277ca").unlink()  # ... before this answer was renamed
    (out / f".{source.name}.277ca.tmp").write_text("ISA*half")
    (out / f".{source.name}.accepted.837.tmp").write_text("")
    res = CliRunner().invoke(main, ["ack", str(source), "--out", str(out), "--verbose"])
    assert res.exit_code == 0, res.output
    assert "answered again with its control numbers 1-3" in res.output
    assert _answers(out) == answers and not list(out.glob(".*.tmp"))
    assert [s["done"] for s in _record(out)] == [False, True]


def test_changed_content_under_the_same_name_is_answered_again(tmp_path: Path) -> None:
    src, out = tmp_path / "claims.837", tmp_path / "out"
    src.write_bytes(FIXTURES[0].read_bytes())
    assert CliRunner().invoke(main, ["ack", str(src), "--out", str(out)]).exit_code == 0
    res = CliRunner().invoke(main, ["ack", str(src), "--out", str(out)])
    assert "claims.837: already answered (control numbers 1-3): not answered again" in res.stdout
    assert res.exit_code == 0 and _isa13((out / "claims.837.999").read_bytes()) == 1
    src.write_bytes(FIXTURES[1].read_bytes())
    res = CliRunner().invoke(main, ["ack", str(src), "--out", str(out)])
    assert res.exit_code == 0 and "already answered" not in res.stdout, res.output
    assert _isa13((out / "claims.837.999").read_bytes()) == 4


def test_a_rejection_answered_before_still_exits_1(tmp_path: Path) -> None:
    from builders import BASE, CASES

    rejected, out = tmp_path / "amb001.837", tmp_path / "out"
    rejected.write_text(CASES["AMB001"][0](BASE))  # a claim AMB001 rejects
    assert CliRunner().invoke(main, ["ack", str(rejected), "--out", str(out)]).exit_code == 1
    res = CliRunner().invoke(main, ["ack", str(rejected), "--out", str(out)])
    assert res.exit_code == 1 and "1 file already answered" in res.stdout


def test_fixed_time_runs_keep_no_record_and_always_answer(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for _ in range(2):
        res = CliRunner().invoke(main, ["ack", str(FIXTURES[0]), "--out", str(out), "--fixed-time", "202611220930"])
        assert res.exit_code == 0 and "1 file, 1 claim" in res.stdout, res.output
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


def test_a_second_ack_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with open(out / LOCK, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        res = CliRunner().invoke(main, ["ack", str(FIXTURES[0]), "--out", str(out)])
    assert res.exit_code == 2 and "another `edi837 ack` is answering into this folder" in res.stderr
    assert not list(out.glob("*.999"))
    assert CliRunner().invoke(main, ["ack", str(FIXTURES[0]), "--out", str(out)]).exit_code == 0


def test_a_damaged_record_stops_the_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / RECORD).write_text('{"name": "x"}\n')
    res = CliRunner().invoke(main, ["ack", str(FIXTURES[0]), "--out", str(out)])
    assert res.exit_code == 2 and f"{RECORD}, file line 1: the record of answered inputs is damaged" in res.stderr
    assert not list(out.glob("*.999"))
