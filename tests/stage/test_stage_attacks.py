"""The pipeline stage (edi837/stage/) under the attacks of issue 23, with real processes and real
files: same-name re-drops, churn, kill -9 of the main process or of one worker, a second signal, a
future mtime, names that are not UTF-8, links/FIFOs/folders with OUTBOX on another file system, two
stages on one INBOX, a config added later, a full disk and a read-only OUTBOX.

Each test asserts the stage's promise: every input answered exactly once (by content: SHA-256),
nothing lost, no ISA13 twice across OUTBOX, no temporary left, nothing readable by others, no
traceback. The tests that mount a tmpfs need root (CI runs as root: there they fail instead of
skipping)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import isa13s
from conftest import FIXTURES

RUN = [sys.executable, "-m", "edi837", "run"]
ANSWERS = ("acks/{}.999", "acks/{}.277ca", "results/{}.json")
CLAIMS = ".edi837-claimed"
ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT and not os.environ.get("CI"), reason="mounts a tmpfs: root only")


# -- inputs -----------------------------------------------------------------------------------------

def varied(text: str, n: int) -> str:
    """`text` with its first interchange's control number (ISA13, IEA02) set to `n`: a file of its own."""
    isa13 = text.split(text[3])[13]
    return text.replace(isa13, f"{n:09d}")


def content(n: int, fixture: int | None = None) -> bytes:
    """A valid 837I of its own (fixture chosen by `n` unless given)."""
    source = FIXTURES[n % len(FIXTURES) if fixture is None else fixture]
    return varied(source.read_text(encoding="latin-1"), 600_000 + n).encode("latin-1")


def make_inbox(inbox: Path, count: int, first: int = 0, fixture: int | None = None) -> dict[str, str]:
    """`count` valid inputs in INBOX (created if need be): name -> sha256."""
    inbox.mkdir(parents=True, exist_ok=True)
    made = {}
    for n in range(first, first + count):
        data = content(n, fixture)
        (inbox / f"in-{n:03d}.837").write_bytes(data)
        made[f"in-{n:03d}.837"] = sha(data)
    return made


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- the stage as a process ---------------------------------------------------------------------------

def start(inbox: Path, outbox: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([*RUN, str(inbox), "--out", str(outbox), *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def run(inbox: Path, outbox: Path, *extra: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*RUN, str(inbox), "--out", str(outbox), *extra], capture_output=True, text=True,
                          timeout=timeout)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done


def stop(proc: subprocess.Popen[str], timeout: float = 60) -> tuple[str, str]:
    """SIGTERM a --watch stage; its output (no traceback in it)."""
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=timeout)
    assert "Traceback" not in out + err, err
    return out, err


def wait_for(condition: object, timeout: float = 60, proc: subprocess.Popen[str] | None = None) -> None:
    """Poll `condition` (a callable) until true; fail after `timeout` s or when `proc` ends first."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the stage ended (exit {proc.returncode}): {proc.communicate()}")
        assert time.monotonic() < deadline, f"timed out waiting for {condition}"
        time.sleep(0.02)


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc/*/stat)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting for a reaper)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def workers_of(pid: int) -> list[int]:
    """The stage's pool workers: its children (forked, so they carry its command line)."""
    return children(pid)


# -- what OUTBOX holds --------------------------------------------------------------------------------

def finished(outbox: Path) -> int:
    return sum(1 for folder in ("archive", "quarantine") if (outbox / folder).is_dir()
               for p in (outbox / folder).iterdir() if p.is_file() and not p.name.endswith(".reason"))


def ledger(outbox: Path) -> list[tuple[str | None, str, str, int | None, str | None]]:
    """(sha256, stem, state, control, reason) per ledger row."""
    db = sqlite3.connect(f"{(outbox / 'ledger.sqlite').as_uri()}?mode=ro", uri=True)
    try:
        return list(db.execute("SELECT sha256, stem, state, control, reason FROM inputs ORDER BY id"))
    finally:
        db.close()


def archived(outbox: Path) -> dict[str, list[str]]:
    """sha256 -> the names archive/ holds with that content (duplicates/ apart)."""
    found: dict[str, list[str]] = {}
    for p in (outbox / "archive").iterdir():
        if p.is_file():
            found.setdefault(sha(p.read_bytes()), []).append(p.name)
    return found


def snapshot(outbox: Path) -> dict[str, bytes]:
    """Every answer in OUTBOX, by path (temporaries a stopped run left apart: the next run removes them)."""
    return {str(p.relative_to(outbox)): p.read_bytes() for folder in ("acks", "forward", "results")
            for p in (outbox / folder).iterdir() if not p.name.endswith(".tmp")}


def assert_answered_once(outbox: Path, shas: set[str], inbox: Path | None = None) -> None:
    """The promise for valid inputs: each content a ledger row `answered`, archived once under its
    stem with its complete answers (results naming that content); nothing else answered; no ISA13
    twice; no temporary; nothing readable by others; nothing left claimed in INBOX."""
    rows = ledger(outbox)
    answered = {row[0]: row for row in rows if row[2] == "answered" and row[0] is not None}
    assert set(answered) == shas, (sorted(r[1:3] for r in rows), len(shas))
    assert len(rows) == len(shas)  # nothing quarantined, nothing in flight
    homes = archived(outbox)
    for digest, (_sha, stem, _state, _control, _reason) in answered.items():
        assert homes.get(digest) == [stem], (stem, homes.get(digest))
        for pattern in ANSWERS:
            assert (outbox / pattern.format(stem)).is_file(), pattern.format(stem)
        assert json.loads((outbox / "results" / f"{stem}.json").read_text())["sha256"] == digest
    assert set(homes) == shas
    assert len(list((outbox / "acks").glob("*.999"))) == len(shas)
    numbers = isa13s(outbox)
    assert len(numbers) == len(set(numbers)), "an ISA13 twice across OUTBOX"
    assert_clean(outbox, inbox)


def assert_clean(outbox: Path, inbox: Path | None = None) -> None:
    assert [p for p in outbox.rglob("*") if p.name.endswith(".tmp")] == []
    for p in outbox.rglob("*"):
        if not p.is_symlink() and p.name != "lost+found":
            assert p.stat().st_mode & 0o077 == 0, p  # nothing readable by others
    if inbox is not None:
        assert list((inbox / CLAIMS).iterdir()) == []


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs mounted at `folder` (another file system than tmp_path's), unmounted afterwards."""
    if not ROOT:
        pytest.fail("the tmpfs tests need root (CI is set)")
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


# -- item 1: same-name re-drops ------------------------------------------------------------------------

def test_same_name_redrops_under_watch_are_each_answered_once(tmp_path: Path) -> None:
    """30 contents dropped one after another as x.837, each as soon as the previous was claimed (so
    often while it is still being answered): each archived once, with its own answers."""
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    proc = start(inbox, outbox, "--watch", "--settle", "0.3", "--interval", "0.05", "--workers", "2")
    rng = random.Random(1)
    dropped: set[str] = set()
    try:
        for n in range(30):
            data = content(n)
            staging = inbox / ".x.837.upload"  # hidden: not an input until renamed
            staging.write_bytes(data)
            if n % 3:  # an mtime already settled (claimed at the next scan); every third settles by age
                os.utime(staging, ns=(time.time_ns(), time.time_ns() - (60 + n) * 10**9))
            os.replace(staging, inbox / "x.837")
            dropped.add(sha(data))
            wait_for(lambda: not (inbox / "x.837").exists(), proc=proc)  # claimed: the name is free
            time.sleep(rng.uniform(0, 0.15))
        wait_for(lambda: len([r for r in ledger(outbox) if r[2] == "answered"]) == 30
                 and not list((inbox / CLAIMS).iterdir()), proc=proc)
    finally:
        out, _err = stop(proc)
    assert proc.returncode == 0
    assert out.count("x.837: answered") == 30  # as its INBOX name, 30 times, never a duplicate
    assert "duplicate of" not in out
    assert_answered_once(outbox, dropped, inbox)


# -- item 2: churn ------------------------------------------------------------------------------------

def test_files_renamed_or_removed_as_they_appear_do_not_stop_a_watch(tmp_path: Path) -> None:
    """Valid inputs removed or renamed right after they appear (racing the claim): the stage goes on,
    quarantines nothing; every content dropped again later is answered exactly once."""
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    proc = start(inbox, outbox, "--watch", "--settle", "0", "--interval", "0.05", "--workers", "2")
    wait_for(lambda: (outbox / "runs").is_dir(), proc=proc)
    time.sleep(0.5)
    contents = {n: content(n) for n in range(24)}
    try:
        for n, data in contents.items():
            path = inbox / f"c{n}.837"
            path.write_bytes(data)
            time.sleep(random.Random(n).uniform(0, 0.03))
            with contextlib.suppress(FileNotFoundError):  # the stage may have claimed it already
                if n % 3 == 0:
                    path.unlink()
                elif n % 3 == 1:
                    path.rename(inbox / f"c{n}.837.part")  # renamed away from the inputs
                else:
                    path.rename(inbox / f"r{n}.837")  # renamed to another input
        time.sleep(1)
        assert proc.poll() is None  # still watching
        for part in inbox.glob("*.part"):
            part.unlink()
        seen = {row[0] for row in ledger(outbox)}
        missing = {n: data for n, data in contents.items() if sha(data) not in seen}
        assert missing, "no drop lost the race with the claim: the churn was not exercised"
        for n, data in missing.items():  # dropped again later: answered, not "0 files", not quarantined
            (inbox / f"again{n}.837").write_bytes(data)
        wait_for(lambda: {row[0] for row in ledger(outbox)} >= {sha(d) for d in contents.values()}
                 and finished(outbox) >= len(contents), proc=proc)
        time.sleep(0.3)
    finally:
        out, err = stop(proc)
    assert proc.returncode == 0, err
    assert "cannot open" not in out + err and "quarantined" not in out.replace("0 quarantined", "")
    for n in missing:
        assert f"again{n}.837: answered" in out
    assert_answered_once(outbox, {sha(d) for d in contents.values()}, inbox)


# -- item 4: kill -9 of the main process only ------------------------------------------------------------

def test_kill_9_of_the_main_pid_leaves_no_worker_and_a_rerun_finishes(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    made = make_inbox(inbox, 40)
    proc = start(inbox, outbox, "--settle", "0", "--workers", "2")
    wait_for(lambda: finished(outbox) >= 2, proc=proc)
    kids = children(proc.pid)
    assert len(workers_of(proc.pid)) == 2, kids
    os.kill(proc.pid, signal.SIGKILL)  # the main pid only, as the OOM killer does
    proc.wait()
    deadline = time.monotonic() + 5
    while any(alive(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [k for k in kids if alive(k)] == []  # no worker outlives its run
    assert finished(outbox) < len(made)  # killed mid-run
    done = run(inbox, outbox, "--settle", "0", "--workers", "2")
    assert done.returncode == 0, done.stderr  # not refused: no orphan holds OUTBOX/.lock
    assert_answered_once(outbox, set(made.values()), inbox)
    assert [p.name for p in inbox.iterdir()] == [CLAIMS]


# -- item 5: kill -9 of one worker ------------------------------------------------------------------------

def test_kill_9_of_one_worker_mid_run_the_run_goes_on(tmp_path: Path) -> None:
    """One-pass, a worker killed while files are in hand: the files it held are answered again by a new
    pool, the run ends by itself (a broken pool's survivors, which ignore SIGTERM, are killed, not
    waited for), and the summary line counts the death."""
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    made = make_inbox(inbox, 30)
    proc = start(inbox, outbox, "--settle", "0", "--workers", "2")
    wait_for(lambda: finished(outbox) >= 2, proc=proc)
    victims = workers_of(proc.pid)
    assert victims
    os.kill(victims[0], signal.SIGKILL)
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise AssertionError("hung 30 s after a worker was killed") from None
    assert proc.returncode == 0, err
    assert "Traceback" not in out + err
    assert "worker process died" in err
    assert out.splitlines()[-1].endswith("; 1 worker death"), out.splitlines()[-1]
    assert_answered_once(outbox, set(made.values()), inbox)


def test_kill_9_of_an_idle_worker_under_watch_later_files_are_answered(tmp_path: Path) -> None:
    """--watch, both workers idle (one reads the call queue, the other waits for its lock): the
    reading one is killed; files dropped afterwards must still be answered, and SIGTERM still stops
    the stage with the worker death in its summary line."""
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    made = make_inbox(inbox, 6)
    proc = start(inbox, outbox, "--settle", "0", "--workers", "2", "--watch", "--interval", "0.05")
    try:
        wait_for(lambda: finished(outbox) == 6 and len(workers_of(proc.pid)) == 2, proc=proc)
        time.sleep(0.5)
        waiting = {pid: Path(f"/proc/{pid}/wchan").read_text() for pid in workers_of(proc.pid)}
        victim = next((pid for pid, wchan in waiting.items() if "pipe" in wchan), next(iter(waiting)))
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: not alive(victim), timeout=10)
        time.sleep(0.5)
        made |= make_inbox(inbox, 3, first=100)  # dropped after the kill
        wait_for(lambda: finished(outbox) == len(made), timeout=10, proc=proc)
        out, err = stop(proc, timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 0, err
    assert "worker process died" in err
    assert out.splitlines()[-1].endswith("; 1 worker death"), out.splitlines()[-1]
    assert_answered_once(outbox, set(made.values()), inbox)


# -- item 6: a second signal ---------------------------------------------------------------------------

def test_a_second_sigterm_stops_at_once_and_the_rerun_answers_the_rest_once(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    made = make_inbox(inbox, 40, fixture=4)  # batch.837: the larger fixture, longer in hand
    proc = start(inbox, outbox, "--settle", "0", "--workers", "2")
    wait_for(lambda: finished(outbox) >= 3, proc=proc)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    second = time.monotonic()
    try:
        out, err = proc.communicate(timeout=2)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise AssertionError(f"still running 2 s after the second SIGTERM ({time.monotonic() - second:.1f} s)") from None
    assert proc.returncode == 130, err  # the stage's handlers stay until its summary is written
    assert "interrupted" in out
    assert "Traceback" not in out + err
    assert finished(outbox) < len(made)
    before = snapshot(outbox)
    done = run(inbox, outbox, "--settle", "0", "--workers", "2")
    assert done.returncode == 0, done.stderr
    after = snapshot(outbox)
    changed = [name for name, data in before.items() if after.get(name) != data]
    assert changed == []  # nothing answered before the stop was answered again (or changed)
    assert_answered_once(outbox, set(made.values()), inbox)


# -- item 7: an mtime in the future --------------------------------------------------------------------

def test_a_file_dated_tomorrow_is_answered_by_a_one_pass_run_within_seconds(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    made = make_inbox(inbox, 2)
    tomorrow = time.time() + 86_400
    os.utime(inbox / "in-000.837", (tomorrow, tomorrow))
    began = time.monotonic()
    done = run(inbox, outbox, "--settle", "1", "--workers", "1", timeout=60)
    took = time.monotonic() - began
    assert done.returncode == 0, done.stderr
    assert "in-000.837: answered" in done.stdout
    assert took < 30, took  # settled by watching it for 1 s, not by waiting for tomorrow
    assert_answered_once(outbox, set(made.values()), inbox)


# -- item 8: a name that is not UTF-8 ----------------------------------------------------------------------

def test_a_name_that_is_not_utf8_is_answered_and_shown_escaped(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    made = make_inbox(inbox, 1)
    latin = content(50)
    fd = os.open(os.fsencode(inbox) + b"/caf\xe9.837", os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, latin)
    os.close(fd)
    (inbox / "z-later.837").write_bytes(later := content(51))
    done = run(inbox, outbox, "--settle", "0", "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert "caf\\udce9.837: answered" in done.stdout
    assert "z-later.837: answered" in done.stdout
    assert_answered_once(outbox, {*made.values(), sha(latin), sha(later)}, inbox)
    status = subprocess.run([*RUN, "--status", str(outbox)], capture_output=True, text=True, timeout=60)
    assert status.returncode == 0 and "Traceback" not in status.stderr
    assert "caf\\udce9.837" in status.stdout and "3 answered" in status.stdout
    (inbox / "next.837").write_bytes(after := content(52))  # the next run is not wedged by that name
    again = run(inbox, outbox, "--settle", "0", "--workers", "1")
    assert again.returncode == 0 and "next.837: answered" in again.stdout, again.stderr
    assert_answered_once(outbox, {*made.values(), sha(latin), sha(later), sha(after)}, inbox)


# -- item 9: links, FIFOs, folders, hard links with OUTBOX on another file system -------------------------

@needs_root
def test_outbox_on_another_file_system_links_fifos_folders_left_alone(tmp_path: Path) -> None:
    inbox, outside = tmp_path / "in", tmp_path / "outside"
    made = make_inbox(inbox, 3)
    outside.mkdir()
    (outside / "h.837").write_bytes(linked := content(60))
    (outside / "h.837").chmod(0o644)
    os.link(outside / "h.837", inbox / "h.837")  # a hard link into INBOX of a file outside
    (inbox / "x.837").symlink_to("/etc/shadow")
    os.mkfifo(inbox / "p.837")
    (inbox / "q.837").symlink_to(inbox / "p.837")  # a link to a FIFO
    (inbox / "d.837").mkdir()
    shadow = Path("/etc/shadow").read_bytes()
    with tmpfs(tmp_path / "mnt", "64m") as mnt:
        outbox = mnt / "out"
        done = run(inbox, outbox, "--settle", "0", "--workers", "2", timeout=60)  # a block would time out
        assert done.returncode == 0, done.stderr  # not 2 for the folder, not 1: all left alone
        for name in ("x.837", "p.837", "q.837", "d.837"):
            assert done.stdout.count(f"{name}: left alone") == 1, done.stdout
        assert sorted(p.name for p in inbox.iterdir()) == sorted([CLAIMS, "x.837", "p.837", "q.837", "d.837"])
        assert (outside / "h.837").stat().st_mode & 0o777 == 0o644
        assert (outside / "h.837").read_bytes() == linked
        assert_answered_once(outbox, {*made.values(), sha(linked)}, inbox)  # copied across, once
        for p in outbox.rglob("*"):
            if p.is_file() and shadow.strip():
                assert shadow.splitlines()[0] not in p.read_bytes(), p
        watch = start(inbox, outbox, "--settle", "0", "--watch", "--interval", "0.05")
        wait_for(lambda: (outbox / "runs").is_dir() and len(list((outbox / "runs").iterdir())) == 1, proc=watch)
        time.sleep(1)
        watch.send_signal(signal.SIGTERM)
        out, err = watch.communicate(timeout=10)  # the FIFO does not hold it
        assert watch.returncode == 0 and "Traceback" not in out + err, err
        assert "p.837: left alone" in out


# -- item 12: two stages on one INBOX ----------------------------------------------------------------------

def test_a_second_stage_on_the_same_inbox_is_refused(tmp_path: Path) -> None:
    inbox, first_out, second_out = tmp_path / "in", tmp_path / "out1", tmp_path / "out2"
    old = make_inbox(inbox, 4)
    first = start(inbox, first_out, "--watch", "--settle", "0", "--interval", "0.05")
    try:
        wait_for(lambda: finished(first_out) == 4, proc=first)
        second = run(inbox, second_out, "--watch", "--settle", "0", "--interval", "0.05", timeout=60)
        assert second.returncode == 2, second.stderr
        assert "another `edi837 run` is taking files from this INBOX" in second.stderr
    finally:
        stop(first)
    assert first.returncode == 0
    new = make_inbox(inbox, 3, first=20)
    later = run(inbox, second_out, "--settle", "0")
    assert later.returncode == 0, later.stderr
    assert_answered_once(first_out, set(old.values()), inbox)
    assert_answered_once(second_out, set(new.values()), inbox)  # only the new files


# -- item 11: a config added later -------------------------------------------------------------------------

def test_a_config_added_later_numbers_above_what_the_ledger_used(tmp_path: Path) -> None:
    inbox, outbox, conf = tmp_path / "in", tmp_path / "out", tmp_path / "conf"
    made = make_inbox(inbox, 3)
    done = run(inbox, outbox, "--settle", "0")
    assert done.returncode == 0, done.stderr
    used = {int(n) for n in isa13s(outbox)}
    conf.mkdir()
    (conf / "config.json").write_text(json.dumps({"sender_id": "EDI837", "name": "EDI837 CLEARINGHOUSE"}))
    made |= make_inbox(inbox, 2, first=10)
    again = run(inbox, outbox, "--settle", "0", "--config", str(conf / "config.json"))
    assert again.returncode == 0, again.stderr
    fresh = {int(n) for n in isa13s(outbox)} - used
    assert len(fresh) == 6 and min(fresh) > max(used), (sorted(used), sorted(fresh))
    assert_answered_once(outbox, set(made.values()), inbox)


# -- item 15: a full disk -----------------------------------------------------------------------------------

@needs_root
def test_a_full_outbox_leaves_files_claimed_and_a_rerun_finishes(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    made = make_inbox(inbox, 30, fixture=4)  # batch.837: ~8 KB in, ~20 KB out each: 600 KB is not enough
    with tmpfs(tmp_path / "mnt", "600k") as mnt:
        outbox = mnt / "out"
        full = run(inbox, outbox, "--settle", "0", "--workers", "2")
        assert full.returncode == 2, full.stdout + full.stderr
        errors = [line for line in full.stderr.splitlines() if line.startswith("error:")]
        # names the input it could not finish, or says the ledger could not be written (then it stops)
        assert errors and any(name in line or "the ledger cannot be written" in line
                              for line in errors for name in made), full.stderr
        assert full.stdout.splitlines()[-1].startswith(tuple(f"{n} file" for n in range(31))), full.stdout
        rows = {row[0]: row for row in ledger(outbox)}
        homes = archived(outbox)
        waiting = {sha(p.read_bytes()) for folder in (inbox, inbox / CLAIMS) for p in folder.iterdir() if p.is_file()}
        for name, digest in made.items():  # answered completely, or still in INBOX (claimed or not)
            if digest in homes:
                stem = rows[digest][1]
                assert rows[digest][2] == "answered" and homes[digest] == [stem]
                assert all((outbox / pattern.format(stem)).is_file() for pattern in ANSWERS)
                assert digest not in waiting, name
            else:
                assert digest in waiting, f"{name} lost"
        assert len(homes) < len(made)  # the disk did fill
        assert finished(outbox) == len(homes) and not list((outbox / "quarantine").iterdir())
        subprocess.run(["mount", "-o", "remount,size=64m", str(mnt)], check=True)
        done = run(inbox, outbox, "--settle", "0", "--workers", "2")
        assert done.returncode == 0, done.stderr
        assert_answered_once(outbox, set(made.values()), inbox)


# -- item 18: run --status on a read-only OUTBOX ----------------------------------------------------------

@needs_root
def test_status_reads_a_read_only_outbox(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    made = make_inbox(inbox, 2)
    with tmpfs(tmp_path / "mnt", "64m") as mnt:
        outbox = mnt / "out"
        assert run(inbox, outbox, "--settle", "0", "--workers", "1").returncode == 0
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        status = subprocess.run([*RUN, "--status", str(outbox)], capture_output=True, text=True, timeout=60)
        assert status.returncode == 0, status.stderr
        assert "Traceback" not in status.stderr
        for name in made:
            assert f"  {name}  control " in status.stdout
        lines = status.stdout.splitlines()
        assert "2 answered, 0 quarantined, 0 in flight, 0 duplicates" in lines
        assert lines[-1] == "2 forwarded, 0 payer-accepted, 0 payer-rejected, 0 overdue (forwarded claims)"
