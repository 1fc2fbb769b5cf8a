"""Control numbers and settings (edi837/control.py): numbers from a state file, per sender and
receiver, on disk before they are used, above a floor, never reused (refused past nine digits); a bad
config or state is one line and stops the run; a config or profile that is not a small regular file
is refused at once."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from edi837.answers.control import ControlNumbers, NumbersUsedUp, Settings
from edi837.cli import main


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


def _isa13(answer: Path) -> int:
    text = answer.read_text(encoding="latin-1")
    return int(text.split(text[3])[13])


def test_control_numbers_are_refused_past_nine_digits_never_reused(tmp_path: Path) -> None:
    """Item 10 of issue 23: with first_control_number 999,999,997 the first file takes the last three
    numbers; the next run refuses (exit 2, one line saying what to do) instead of numbering every
    answer 999999997 again, and writes no answer."""
    cfg = tmp_path / "ch.json"
    cfg.write_text('{"first_control_number": 999999997}')
    first, second = FIXTURES[0], FIXTURES[1]
    res = CliRunner().invoke(main, ["ack", str(first), "--out", str(tmp_path / "a"), "--config", str(cfg)])
    assert res.exit_code == 0, res.output
    assert [_isa13(tmp_path / "a" / f"{first.name}.{s}") for s in ("999", "277ca", "accepted.837")] == [
        999999997, 999999998, 999999999]
    assert len((tmp_path / "a" / f"{first.name}.999").read_text(encoding="latin-1").split("~")[0]) == 105
    state = (tmp_path / ".edi837-control-numbers.json").read_bytes()
    for out in ("a", "b"):  # the same folder (a new input) or another: the numbers are the config's
        res = CliRunner().invoke(main, ["ack", str(second), "--out", str(tmp_path / out), "--config", str(cfg)])
        assert res.exit_code == 2 and "Traceback" not in res.output
        assert "no control numbers left for sender 'EDI837' and every receiver" in res.stderr
        assert "ISA13 stops at 999,999,999" in res.stderr and "another sender_id or receiver_id" in res.stderr
        assert not (tmp_path / out / f"{second.name}.999").exists()
        assert not list((tmp_path / out).glob(".*.tmp"))
    assert (tmp_path / ".edi837-control-numbers.json").read_bytes() == state
    # another receiver has numbers of its own
    res = CliRunner().invoke(main, ["ack", str(second), "--out", str(tmp_path / "c"), "--config", str(cfg),
                                    "--receiver-id", "OTHER"])
    assert res.exit_code == 0 and _isa13(tmp_path / "c" / f"{second.name}.999") == 999999997, res.output


def test_the_allocator_refuses_rather_than_wraps_with_no_state_file() -> None:
    numbers = ControlNumbers(Settings(base=999_999_990))
    assert numbers.take(9) == 999_999_990
    with pytest.raises(NumbersUsedUp, match="2 asked for, the last used is 999,999,998"):
        numbers.take(2)
    assert numbers.take(1) == 999_999_999  # a refusal takes nothing
    with pytest.raises(NumbersUsedUp):
        numbers.take(1)


def test_numbers_are_counted_per_sender_and_receiver(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    a, b = (ControlNumbers(Settings(sender_id="CH", receiver_id=r, state_file=state)) for r in ("A", "B"))
    assert [a.take(3), a.take(3), b.take(3), a.take(1)] == [1, 4, 1, 7]
    assert json.loads(state.read_text()) == {"version": 2, "shared": 0, "numbers": [
        {"sender_id": "CH", "receiver_id": "A", "last": 7}, {"sender_id": "CH", "receiver_id": "B", "last": 3}]}
    assert stat.S_IMODE(state.stat().st_mode) == 0o600


def test_an_old_state_is_the_floor_of_every_pair(tmp_path: Path) -> None:
    """A state of an earlier version, {"last": N}, held numbers every pair used: each pair goes on above N."""
    state = tmp_path / "state.json"
    state.write_text('{"last": 41}')
    assert ControlNumbers(Settings(state_file=state)).take(3) == 42
    assert ControlNumbers(Settings(receiver_id="NEW", state_file=state)).take(3) == 42
    data = json.loads(state.read_text())
    assert data["shared"] == 41 and {e["receiver_id"]: e["last"] for e in data["numbers"]} == {"": 44, "NEW": 44}


def test_numbers_stay_above_the_floor(tmp_path: Path) -> None:
    """Item 11 of issue 23 (the allocator's side): the stage passes its ledger's highest number."""
    state = tmp_path / "state.json"
    assert ControlNumbers(Settings(state_file=state), floor=500).take(3) == 501
    assert ControlNumbers(Settings(state_file=state), floor=100).take(3) == 504  # the state is higher
    assert ControlNumbers(Settings(base=7), floor=100).take(1) == 101  # no state file either
    assert ControlNumbers(Settings(base=700), floor=100).take(1) == 700
    with pytest.raises(NumbersUsedUp):
        ControlNumbers(Settings(), floor=999_999_998).take(3)


def test_the_state_is_on_disk_before_a_number_is_returned(tmp_path: Path, monkeypatch) -> None:
    """Item 13 of issue 23: the new state is fsynced, renamed over the old and its folder fsynced
    before take() returns (durable.replacing), so a power cut cannot put the state behind an answer."""
    state = tmp_path / "state.json"
    synced: list[str] = []
    fsync = os.fsync

    def recording(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        fsync(fd)

    monkeypatch.setattr(os, "fsync", recording)
    ControlNumbers(Settings(state_file=state)).take(3)
    assert synced == [str(tmp_path / ".state.json.tmp"), str(tmp_path)]
    assert json.loads(state.read_text())["numbers"][0]["last"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json", "state.json.lock"]


def test_processes_in_parallel_never_share_a_number(tmp_path: Path) -> None:
    """Three processes taking numbers at once from one state file: every number once."""
    script = ("import sys; from pathlib import Path; from edi837.answers.control import ControlNumbers, Settings\n"
              "n = ControlNumbers(Settings(state_file=Path(sys.argv[1])))\n"
              "print(' '.join(str(n.take(3)) for _ in range(20)))")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "state.json")], stdout=subprocess.PIPE,
                              text=True) for _ in range(3)]
    firsts = [int(x) for p in procs for x in p.communicate(timeout=60)[0].split()]
    assert all(p.returncode == 0 for p in procs)
    assert sorted(firsts) == list(range(1, 3 * 60, 3))


@pytest.mark.parametrize("state", ["garbage{", '{"next": 7}', '{"last": -1}', '{"last": "12"}',
                                   '{"version": 2, "numbers": [{"sender_id": "A", "receiver_id": "B", "last": 1e3}]}',
                                   '{"last": 1000000000}'])
def test_an_unreadable_control_number_state_stops_the_run(tmp_path: Path, state: str) -> None:
    """Numbering from the base again would reuse control numbers the receivers have already seen."""
    out = tmp_path / "out"
    out.mkdir()
    (out / ".edi837-control-numbers.json").write_text(state)
    res = CliRunner().invoke(main, ["ack", str(FIXTURES[0]), "--out", str(out)])
    assert res.exit_code == 2 and "the control-number state cannot be read" in res.stderr, res.output
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


def _not_small_regular_files(folder: Path) -> dict[str, Path]:
    fifo, big = folder / "fifo.json", folder / "big.json"
    os.mkfifo(fifo)
    (folder / "link.json").symlink_to(fifo)
    big.write_text('{"name": "' + "x" * (1 << 20) + '"}')
    return {"/dev/zero": Path("/dev/zero"), "a FIFO": fifo, "a link to a FIFO": folder / "link.json", "2 MB": big}


@pytest.mark.parametrize("option", ["--config", "--profile"])
def test_a_config_or_profile_that_is_not_a_small_regular_file_is_refused_at_once(tmp_path: Path, option: str) -> None:
    """Item 16 of issue 23: /dev/zero grew to 6.8 GB in 5 s and a FIFO hung; now each is one line
    naming the file, exit 2, at once (an alarm stops the test if it hangs)."""
    whys = {"/dev/zero": "not a regular file (a device)", "a FIFO": "not a regular file (a named pipe)",
            "a link to a FIFO": "not a regular file (a named pipe)", "2 MB": "larger than 1,048,576 bytes"}
    what = "cannot read the config" if option == "--config" else "cannot load profile"
    signal.signal(signal.SIGALRM, signal.default_int_handler)
    for kind, path in _not_small_regular_files(tmp_path).items():
        for command in (["ack", str(FIXTURES[0]), "--out", str(tmp_path / "out")], ["run", str(tmp_path / "in"), "--out",
                                                                                    str(tmp_path / "outbox")]):
            (tmp_path / "in").mkdir(exist_ok=True)
            started = time.monotonic()
            signal.alarm(10)
            try:
                res = CliRunner().invoke(main, [*command, option, str(path)])
            finally:
                signal.alarm(0)
            assert time.monotonic() - started < 5, (kind, command[0])
            assert res.exit_code == 2 and f"error: {path}: {what}: {whys[kind]}" in res.stderr, (kind, res.output)
            assert "Traceback" not in res.output and not list(tmp_path.glob("out*/**/*.999"))
