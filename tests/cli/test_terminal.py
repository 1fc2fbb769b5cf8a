"""The terminal: under a pseudo-terminal `check` and `ack` show a progress bar and colour; through a
pipe they show neither and write what they always wrote; NO_COLOR, --color, --quiet, --verbose."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from builders import CASES, CLAIM, ISA
from conftest import FIXTURES, ROOT

from edi837.cli import terminal

ESC = b"\x1b["
RED_REJECTED = b"\x1b[1;31mREJECTED"


def rejected_file(tmp: Path) -> Path:
    """Two interchanges: a clean claim and one that AMB006 (zero loaded miles) rejects."""
    base = ISA + CLAIM
    edit = CASES["AMB006"][0]
    path = tmp / "mixed.837"
    path.write_text(base + "\n" + edit(base))
    return path


def env(**extra: str) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM", "COLUMNS")}
    out.update(TERM="xterm-256color", COLUMNS="120", **extra)
    return out


def in_pty(args: list[str], environ: dict[str, str] | None = None) -> tuple[int, bytes]:
    """Run `python -m edi837 ARGS` with its standard streams on a pseudo-terminal; what it drew."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "edi837", *args], stdin=slave, stdout=slave, stderr=slave,
                            env=environ or env(), cwd=ROOT, close_fds=True)
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:  # the child closed the terminal (EIO on Linux)
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return proc.wait(), out


def in_pipe(args: list[str], environ: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "edi837", *args], capture_output=True, env=environ or env(),
                          cwd=ROOT, check=False)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 claims: long enough (about half a second) for the bar to be drawn a few times."""
    out = tmp_path_factory.mktemp("term") / "b2000.837"
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen.py"), "--claims", "2000", "--out", str(out)],
                   check=True, capture_output=True)
    return out


def test_check_on_a_terminal_shows_the_bar_and_colour(big: Path, tmp_path: Path) -> None:
    code, out = in_pty(["check", "--jobs", "1", str(big), str(rejected_file(tmp_path))])
    assert code == 1
    assert b"claims/s" in out and b"rejected" in out  # the bar's counts
    assert "━".encode() in out  # the bar itself
    assert RED_REJECTED in out  # the rejected claim's verdict, in red
    assert b"\x1b[32m" in out  # green: accepted
    assert b"2 files, 2002 claims" in out  # the summary is still there when the bar is gone


def test_check_through_a_pipe_is_plain_and_unchanged(big: Path, tmp_path: Path) -> None:
    mixed = rejected_file(tmp_path)
    done = in_pipe(["check", "--jobs", "1", str(big), str(mixed)])
    assert done.returncode == 1
    assert ESC not in done.stdout and ESC not in done.stderr
    assert "━".encode() not in done.stdout + done.stderr
    assert b"claims/s" not in done.stdout + done.stderr
    assert b"  REJECTED claim OK1" in done.stdout
    assert done.stdout.endswith(b"2 files, 2002 claims: 2001 accepted, 1 rejected\n")


def test_no_color_and_color_never_keep_the_bar_without_colour(tmp_path: Path) -> None:
    mixed = str(rejected_file(tmp_path))
    for args, environ in ((["check", mixed], env(NO_COLOR="1")), (["check", "--color", "never", mixed], env())):
        code, out = in_pty(args, environ)
        assert code == 1
        assert b"REJECTED claim OK1" in out
        assert RED_REJECTED not in out and b"\x1b[32m" not in out


def test_color_always_colours_a_pipe_without_a_bar(tmp_path: Path) -> None:
    done = in_pipe(["check", "--color", "always", str(rejected_file(tmp_path))], env(NO_COLOR="1"))
    assert RED_REJECTED in done.stdout
    assert b"claims/s" not in done.stdout + done.stderr


def test_quiet_prints_the_summary_only_and_verbose_every_claim(tmp_path: Path) -> None:
    mixed = str(rejected_file(tmp_path))
    quiet = in_pipe(["check", "--quiet", mixed])
    assert quiet.stdout == b"1 file, 2 claims: 1 accepted, 1 rejected\n" and quiet.returncode == 1
    verbose = in_pipe(["check", "--verbose", mixed])
    assert b"ACCEPTED claim OK1" in verbose.stdout and b"REJECTED claim OK1" in verbose.stdout
    assert b"checked in" in verbose.stdout
    both = in_pipe(["check", "-q", "-v", mixed])
    assert both.returncode == 2 and b"cannot be used together" in both.stderr


def test_ack_on_a_terminal_and_through_a_pipe(big: Path, tmp_path: Path) -> None:
    args = ["ack", "--jobs", "1", "--fixed-time", "202611221200", str(big)]
    code, out = in_pty([*args, "--out", str(tmp_path / "tty")])
    assert code == 0 and b"claims/s" in out and b"\x1b[32m2000 accepted" in out
    done = in_pipe([*args, "--out", str(tmp_path / "pipe")])
    assert ESC not in done.stdout + done.stderr
    assert done.stdout.decode().endswith("b2000.837: 2000 claims: 2000 accepted, 0 rejected\n1 file, 2000 claims: 2000 accepted,"
                                         " 0 rejected\n")
    quiet = in_pipe([*args, "--quiet", "--out", str(tmp_path / "q")])
    assert quiet.stdout == b"1 file, 2000 claims: 2000 accepted, 0 rejected\n"
    verbose = in_pipe([*args, "-v", "--out", str(tmp_path / "v")])
    assert b"wrote " in verbose.stdout and b"b2000.837.999" in verbose.stdout


def test_check_json_to_a_terminal_is_still_json() -> None:
    code, out = in_pty(["check", "--format", "json", str(FIXTURES[0])])
    assert code == 0
    text = out.decode()
    assert '"summary": {"files": 1' in text and '"claims": [' in text


def test_wants_color() -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    tty = Tty()
    assert terminal.wants_color("auto", tty, {})  # type: ignore[arg-type]
    assert not terminal.wants_color("auto", tty, {"NO_COLOR": "1"})  # type: ignore[arg-type]
    assert terminal.wants_color("auto", tty, {"NO_COLOR": ""})  # type: ignore[arg-type]  (empty: not set)
    assert terminal.wants_color("always", sys.stdout, {"NO_COLOR": "1"})
    assert not terminal.wants_color("never", tty, {})  # type: ignore[arg-type]


def test_the_bar_counts_in_the_right_number() -> None:
    assert terminal.tally(1, 1) == "1 file  1 claim"
    assert terminal.tally(0, 0) == "0 files  0 claims"
    assert terminal.tally(3, 20_000) == "3 files  20,000 claims"
    assert terminal.counted(1, "claim") == "1 claim" and terminal.counted(2, "claim") == "2 claims"


def test_the_bar_of_one_file_says_file_not_files(big: Path) -> None:
    code, out = in_pty(["check", "--jobs", "1", str(big)])
    assert code == 0 and b"claims/s" in out
    assert b"1 file  2,000 claims" in out and b"1 files" not in out
