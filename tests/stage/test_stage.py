"""The pipeline stage (edi837/stage/), tested with real processes: `edi837 run`
started as a subprocess, killed with SIGKILL at random moments, run again; then every input must be
answered exactly once, completely, with no temporary left and no control number twice.

The default run kills a 200-file run 5 times and checks a sample of the answers with pyx12;
`pytest -m campaign` kills a 600-file run 20 times and checks every answer with pyx12."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import oracle
import pytest
from builders import BASE, isa13s, mutants, x12_segments
from conftest import FIXTURES

AIR = next(p for p in FIXTURES if p.name == "air-fixed-wing.837")  # an 837I: the byte offsets below are its
RUN = [sys.executable, "-m", "edi837", "run"]


def varied(text: str, n: int) -> str:
    """`text` with its first interchange's control number (ISA13, IEA02) set to `n`: a file of its own."""
    isa13 = text.split(text[3])[13]
    return text.replace(isa13, f"{n:09d}")


def make_inbox(inbox: Path, count: int, seed: int) -> dict[str, str]:
    """`count` inputs made from the fixtures (and seeded mutants of them, some rejected, some
    unreadable; and files cut short), each of its own content; README.md beside them. Name -> sha256."""
    inbox.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    texts = [p.read_text(encoding="latin-1") for p in FIXTURES] + [BASE]
    broken = [m.decode("latin-1") for m in mutants(count // 6, seed)]
    made: dict[str, str] = {}
    for n in range(count):
        kind = n % 6
        if kind == 4 and broken:
            text = varied(broken.pop(), 500_000 + n)
        elif kind == 5:
            whole = varied(rng.choice(texts), 500_000 + n)
            text = whole[: rng.randrange(120, len(whole) - 10)]  # cut short: unreadable past the cut
        else:
            text = varied(rng.choice(texts), 500_000 + n)
        name = f"in-{n:04d}.837" if n % 7 else f"in-{n:04d}.EDI"
        data = text.encode("latin-1")
        (inbox / name).write_bytes(data)
        made[name] = hashlib.sha256(data).hexdigest()
    (inbox / "README.md").write_text("Drop 837I files here.\n")
    return made


def start(inbox: Path, outbox: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([*RUN, str(inbox), "--out", str(outbox), "--settle", "0", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def finished(outbox: Path) -> int:
    return sum(1 for folder in ("archive", "quarantine") if (outbox / folder).is_dir()
               for p in (outbox / folder).iterdir() if not p.name.endswith(".reason") and p.name != "duplicates")


def kill_at_random(inbox: Path, outbox: Path, kills: int, seed: int, workers: str = "2") -> int:
    """Start the stage and SIGKILL it (its whole process group: the pool too, as when the machine
    stops) at `kills` random moments: the first during start-up or recovery, each other after a
    random number of further inputs are finished, plus a random fraction of the next one. How many
    runs were killed before they ended (all of them unless the inputs ran out)."""
    rng = random.Random(seed)
    total = sum(1 for p in inbox.iterdir() if p.name != "README.md")
    killed = 0
    for k in range(kills):
        proc = start(inbox, outbox, "--workers", workers)
        if k == 0:
            time.sleep(rng.uniform(0.05, 0.4))
        else:
            target = finished(outbox) + rng.randint(1, max(1, (total - finished(outbox)) // (kills - k + 1)))
            while finished(outbox) < target and proc.poll() is None:
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.03))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait()
    return killed


def snapshot(outbox: Path) -> dict[str, bytes]:
    """The answers of every input the ledger says is finished."""
    if not (outbox / "ledger.sqlite").exists():
        return {}
    with sqlite3.connect(outbox / "ledger.sqlite") as db:
        stems = [r[0] for r in db.execute("SELECT stem FROM inputs WHERE state = 'answered'")]
    got = {}
    for stem in stems:
        for f in (outbox / "acks" / f"{stem}.999", outbox / "acks" / f"{stem}.277ca",
                  outbox / "forward" / f"{stem}.accepted.837", outbox / "results" / f"{stem}.json"):
            if f.exists():
                got[str(f)] = f.read_bytes()
    return got


def assert_exactly_once(inbox: Path, outbox: Path, made: dict[str, str]) -> list[Path]:
    """The invariants of a finished OUTBOX; the answers, for the caller to check further."""
    assert sorted(p.name for p in inbox.iterdir()) == [".edi837-claimed", "README.md"]  # left alone, all else taken
    assert list((inbox / ".edi837-claimed").iterdir()) == []  # nothing left claimed
    leftovers = [p for p in outbox.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
    homes = {p.name: p for folder in ("archive", "quarantine") for p in (outbox / folder).iterdir()
             if p.is_file() and not p.name.endswith(".reason")}
    assert sorted(homes) == sorted(made)  # every input archived or quarantined, once
    assert not list((outbox / "archive" / "duplicates").iterdir())  # no input counted as its own duplicate
    for name, sha in made.items():
        assert hashlib.sha256(homes[name].read_bytes()).hexdigest() == sha
    with sqlite3.connect(outbox / "ledger.sqlite") as db:
        rows = list(db.execute("SELECT stem, state, control, accepted FROM inputs"))
    assert sorted(r[0] for r in rows) == sorted(made)
    assert {r[1] for r in rows} <= {"answered", "quarantined"}
    answers: list[Path] = []
    for stem, state, _control, accepted in rows:
        result = json.loads((outbox / "results" / f"{stem}.json").read_text())
        assert result["outcome"] == state and result["sha256"] == made[stem]
        home = outbox / ("archive" if state == "answered" else "quarantine") / stem
        assert home.is_file()
        if state == "quarantined":
            assert (outbox / "quarantine" / f"{stem}.reason").read_text().strip()
        ack999, ack277 = outbox / "acks" / f"{stem}.999", outbox / "acks" / f"{stem}.277ca"
        forward = outbox / "forward" / f"{stem}.accepted.837"
        if state == "answered":
            assert ack999.is_file() and ack277.is_file()
            answers += [ack999, ack277]
        if result["sets"] and sum(s["forwarded"] for s in result["sets"]):
            claims = [seg for seg in x12_segments(forward.read_text(encoding="latin-1")) if seg[0] == "CLM"]
            assert len(claims) == sum(s["forwarded"] for s in result["sets"]) == accepted
            answers.append(forward)
        else:
            assert not forward.exists()
    numbers = isa13s(outbox)
    assert len(numbers) == len(set(numbers))  # no control number twice across the OUTBOX
    for p in outbox.rglob("*"):
        if not p.is_symlink():
            assert p.stat().st_mode & 0o077 == 0, p  # nothing readable by others
    return answers


def test_kill_9_at_random_moments_then_rerun_answers_each_input_exactly_once(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    made = make_inbox(inbox, 200, seed=15)
    killed = kill_at_random(inbox, outbox, kills=5, seed=15)
    before = snapshot(outbox)
    done = subprocess.run([*RUN, str(inbox), "--out", str(outbox), "--settle", "0", "--workers", "2"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr  # 1 when this run quarantined or rejected something
    assert "Traceback" not in done.stderr
    answers = assert_exactly_once(inbox, outbox, made)
    after = snapshot(outbox)
    assert {k: after[k] for k in before} == before  # what was answered before a kill keeps its answers
    assert killed == 5
    for f in random.Random(1).sample(answers, 20):
        assert oracle.validate(f.read_bytes()).ok, f.name
    again = subprocess.run([*RUN, str(inbox), "--out", str(outbox), "--settle", "0"], capture_output=True,
                           text=True, timeout=60)
    assert again.returncode == 0 and snapshot(outbox) == after  # nothing left: nothing answered again


STEPS = ("claimed", "hashed", "reserved", "placed.999", "placed.277ca", "placed.837", "answered", "result",
         "recorded", "moved")


def session_alive(sid: int) -> list[int]:
    """Pids of the processes of session `sid` still running (not zombies)."""
    alive = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":  # fields after the name: state, ppid, pgrp, session
            alive.append(int(stat_file.parent.name))
    return alive


GROUP_STEPS = ("claimed", "placed.277ca", "recorded")  # killed with the whole group in the default run


@pytest.mark.parametrize("everywhere", [pytest.param(False), pytest.param(True, marks=pytest.mark.campaign)])
def test_a_kill_at_each_durable_step_then_a_rerun_answers_each_input_exactly_once(tmp_path: Path,
                                                                                  everywhere: bool) -> None:
    """For each durable step of answering one file (claim, hash looked up, numbers reserved, each answer
    renamed into place, result written, outcome recorded, move), SIGKILL the stage exactly there (its
    main process only, and its whole group: EDI837_FAILPOINT), then rerun: nothing lost, nothing
    answered twice, no number reused, no temporary left, and no process of the killed run left over.
    The default run kills the main process at every step and the group at three; `-m campaign` both
    at every step."""
    scenarios = [(step, group) for step in STEPS for group in (False, True)
                 if not group or everywhere or step in GROUP_STEPS]
    runs = {}
    for step, group in scenarios:
        inbox, outbox = tmp_path / f"{step}-{group}" / "in", tmp_path / f"{step}-{group}" / "out"
        inbox.mkdir(parents=True)
        made = {}
        for n, fixture in enumerate(FIXTURES[:3]):
            data = varied(fixture.read_text(encoding="latin-1"), 700_000 + n).encode("latin-1")
            (inbox / f"in-{n}.837").write_bytes(data)
            made[f"in-{n}.837"] = hashlib.sha256(data).hexdigest()
        (inbox / "README.md").write_text("Drop 837I files here.\n")
        env = {**os.environ, "EDI837_FAILPOINT": f"{step}:group" if group else step}
        runs[step, group] = (inbox, outbox, made, env)
    for batch in range(0, len(scenarios), 4):  # a few at once: each is mostly start-up
        procs = {key: subprocess.Popen([*RUN, str(runs[key][0]), "--out", str(runs[key][1]), "--settle", "0",
                                        "--workers", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       env=runs[key][3], start_new_session=True)
                 for key in scenarios[batch:batch + 4]}
        for key, proc in procs.items():
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == -signal.SIGKILL, (key, proc.returncode, err[-2000:])  # the failpoint fired
            deadline = time.monotonic() + 5
            while session_alive(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert session_alive(proc.pid) == [], key  # no worker outlived the killed main process
    for key in scenarios:
        inbox, outbox, made, _ = runs[key]
        before = snapshot(outbox)
        done = subprocess.run([*RUN, str(inbox), "--out", str(outbox), "--settle", "0", "--workers", "1"],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode in (0, 1), (key, done.stderr)
        assert "Traceback" not in done.stderr
        assert_exactly_once(inbox, outbox, made)
        after = snapshot(outbox)
        assert {k: after[k] for k in before} == before, key  # answered before the kill: not answered again


def churn(inbox: Path, stop: threading.Event, seed: int, dropped: dict[str, str], removed: set[str],
          replaced: set[str]) -> None:
    """Act as a busy SFTP drop folder until `stop`: new files dropped (written aside, renamed in), new
    content re-dropped under a name in use, files renamed, files removed. `dropped` gets every content
    dropped (sha256 -> name); `removed` the contents removed before the stage took them; `replaced` the
    contents a re-drop may have replaced before the stage took them (the sender's to lose)."""
    rng = random.Random(seed)
    texts = [p.read_text(encoding="latin-1") for p in FIXTURES]
    n = 0
    while not stop.is_set():
        n += 1
        names = [p.name for p in inbox.iterdir() if not p.name.startswith(".")]
        action = rng.random()
        if action < 0.55 or not names:  # a new file, or new content under a name in use
            name = rng.choice(names) if names and action < 0.15 else f"drop-{seed}-{n}.837"
            data = varied(rng.choice(texts), 800_000 + n).encode("latin-1")
            aside = inbox / f".{name}.upload"
            aside.write_bytes(data)
            with contextlib.suppress(FileNotFoundError):
                replaced.add(hashlib.sha256((inbox / name).read_bytes()).hexdigest())
            os.replace(aside, inbox / name)
            dropped[hashlib.sha256(data).hexdigest()] = name
        elif action < 0.8:  # renamed by its sender
            name = rng.choice(names)
            with contextlib.suppress(FileNotFoundError):
                data = (inbox / name).read_bytes()
                os.rename(inbox / name, inbox / f"renamed-{n}-{name}")
        else:  # removed by its sender, if the stage has not taken it yet
            name = rng.choice(names)
            try:
                data = (inbox / name).read_bytes()
                os.remove(inbox / name)
            except FileNotFoundError:
                continue
            removed.add(hashlib.sha256(data).hexdigest())
        time.sleep(rng.uniform(0, 0.05))


@pytest.mark.parametrize("kills", [pytest.param(6), pytest.param(1000, marks=pytest.mark.campaign)])
def test_kills_over_a_churning_watched_inbox(tmp_path: Path, kills: int) -> None:
    """`run --watch` over a folder that churns (drops, same-name re-drops, renames, removals), killed
    with SIGKILL `kills` times at random moments (its main process only, or its whole group), started
    again each time; then every content dropped and not removed by its sender is answered exactly once,
    nothing else is, and every answer is valid per pyx12 (a sample in the default run)."""
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    rng = random.Random(kills)
    dropped: dict[str, str] = {}
    removed: set[str] = set()
    replaced: set[str] = set()
    stop = threading.Event()
    driver = threading.Thread(target=churn, args=(inbox, stop, kills, dropped, removed, replaced))
    driver.start()
    try:
        for _ in range(kills):
            proc = subprocess.Popen([*RUN, str(inbox), "--out", str(outbox), "--watch", "--settle", "0",
                                     "--interval", "0.05", "--workers", "2"], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, start_new_session=True)
            time.sleep(rng.uniform(0.3, 1.5))
            if rng.random() < 0.5:
                os.kill(proc.pid, signal.SIGKILL)  # the main process only: its workers must follow it
            else:
                os.killpg(proc.pid, signal.SIGKILL)
            _, err = proc.communicate(timeout=60)
            assert b"Traceback" not in err, err.decode(errors="replace")
            deadline = time.monotonic() + 5
            while session_alive(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert session_alive(proc.pid) == []
    finally:
        stop.set()
        driver.join()
    done = subprocess.run([*RUN, str(inbox), "--out", str(outbox), "--settle", "0", "--workers", "2"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    assert [p.name for p in inbox.iterdir() if not p.name.startswith(".")] == []
    assert list((inbox / ".edi837-claimed").iterdir()) == []
    with sqlite3.connect(outbox / "ledger.sqlite") as db:
        rows = list(db.execute("SELECT sha256, stem, state FROM inputs"))
        duplicates = list(db.execute("SELECT sha256 FROM duplicates"))
    assert duplicates == []  # every content is new: none may be taken for a copy of another
    taken = [r[0] for r in rows]
    assert len(taken) == len(set(taken)) and set(taken) <= set(dropped) - removed  # nothing twice, nothing made up
    assert set(dropped) - removed - replaced <= set(taken)  # nothing lost
    assert len(set(dropped) - removed - replaced) > kills  # the churn kept the stage busy
    assert {r[2] for r in rows} <= {"answered", "quarantined"}
    homes = {p.name: p for folder in ("archive", "quarantine") for p in (outbox / folder).iterdir()
             if p.is_file() and not p.name.endswith(".reason")}
    answers = []
    for sha, stem, state in rows:
        assert hashlib.sha256(homes[stem].read_bytes()).hexdigest() == sha
        if state == "answered":
            answers += [outbox / "acks" / f"{stem}.999", outbox / "acks" / f"{stem}.277ca"]
            assert all(f.is_file() for f in answers[-2:])
    assert [p for p in outbox.rglob("*") if p.name.endswith(".tmp")] == []
    numbers = isa13s(outbox)
    assert len(numbers) == len(set(numbers))
    for f in answers if kills > 100 else random.Random(2).sample(answers, min(10, len(answers))):
        assert oracle.validate(f.read_bytes()).ok, f.name


@pytest.mark.campaign
def test_kill_campaign(tmp_path: Path) -> None:
    """600 files, 20 kills at random moments, every answer valid per pyx12."""
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    made = make_inbox(inbox, 600, seed=1515)
    assert kill_at_random(inbox, outbox, kills=20, seed=1515) == 20
    before = snapshot(outbox)
    done = subprocess.run([*RUN, str(inbox), "--out", str(outbox), "--settle", "0"], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr
    answers = assert_exactly_once(inbox, outbox, made)
    assert {k: v for k, v in snapshot(outbox).items() if k in before} == before
    for f in answers:
        assert oracle.validate(f.read_bytes()).ok, f.name


def test_a_redo_after_a_kill_writes_the_same_answers_with_the_same_numbers(tmp_path: Path) -> None:
    """An input claimed (numbers reserved) by a run killed before it finished is answered by the next
    run with those numbers and that clock: byte for byte what the first would have written."""
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    (inbox / "a.837").write_text(FIXTURES[0].read_text())
    first = subprocess.run([*RUN, str(inbox), "--out", str(outbox), "--settle", "0"], capture_output=True, timeout=60)
    assert first.returncode == 0, first.stderr
    answers = {p.name: p.read_bytes() for p in (outbox / "acks").iterdir()}
    # Back to the state of a run killed after its claim: the input in INBOX, the row claimed, a
    # half-written temporary beside the answers.
    os.rename(outbox / "archive" / "a.837", inbox / "a.837")
    with sqlite3.connect(outbox / "ledger.sqlite") as db:
        db.execute("UPDATE inputs SET state = 'claimed', finished_at = NULL")
    for p in (outbox / "acks").iterdir():
        p.unlink()
    (outbox / "acks" / ".a.837.999.tmp").write_text("ISA*half")
    second = subprocess.run([*RUN, str(inbox), "--out", str(outbox), "--settle", "0"], capture_output=True,
                            text=True, timeout=60)
    assert second.returncode == 0, second.stderr
    assert "removed 1 temporary file" in second.stdout and "answering it again with control numbers" in second.stdout
    assert {p.name: p.read_bytes() for p in (outbox / "acks").iterdir()} == answers
    assert "answered" in subprocess.run([*RUN, "--status", str(outbox)], capture_output=True, text=True).stdout


def test_an_input_answered_before_its_move_is_moved_not_answered_again(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    (inbox / "a.837").write_text(FIXTURES[0].read_text())
    subprocess.run([*RUN, str(inbox), "--out", str(outbox), "--settle", "0"], capture_output=True, timeout=60)
    os.rename(outbox / "archive" / "a.837", inbox / "a.837")  # killed after the ledger said answered
    done = subprocess.run([*RUN, str(inbox), "--out", str(outbox), "--settle", "0"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and "stopped before moving it" in done.stdout
    assert (outbox / "archive" / "a.837").is_file() and not list((outbox / "archive" / "duplicates").iterdir())
    assert len(isa13s(outbox)) == 3


def test_what_cannot_be_read_is_quarantined_and_what_is_not_a_file_left_alone(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    (inbox / "good.837").write_text(AIR.read_text())
    (inbox / "empty.837").write_bytes(b"")
    (inbox / "binary.edi").write_bytes(bytes(range(256)) * 8)
    (inbox / "letter.txt").write_text("Dear billing office, DOE JANE 1EG4TE5MK73 is attached.")
    (inbox / "remit.x12").write_text(BASE.replace("GS*HC*", "GS*HP*").replace("ST*837*", "ST*835*"))
    (inbox / "cut.837").write_text(AIR.read_text()[:300])  # unreadable from byte 282
    (inbox / "folder.837").mkdir()  # a folder named like an input
    (inbox / "gone.837").symlink_to(tmp_path / "nowhere")  # a link to nothing
    (inbox / "shadow.837").symlink_to("/etc/shadow")  # a link to what must never be copied
    os.mkfifo(inbox / "pipe.837")  # opening it must not wait for a writer
    (inbox / "README.md").write_text("Drop 837I files here.\n")
    (inbox / "upload.837.part").write_text("ISA")  # still arriving
    (inbox / ".hidden.837").write_text("ISA")
    denied = os.geteuid() != 0  # root reads a 0000 file anyway
    if denied:
        (inbox / "locked.837").write_text(FIXTURES[1].read_text())
        (inbox / "locked.837").chmod(0)
    done = subprocess.run([*RUN, str(inbox), "--out", str(outbox), "--settle", "0", "--workers", "2"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    not_files = ["folder.837", "gone.837", "pipe.837", "shadow.837"]
    assert sorted(p.name for p in inbox.iterdir()) == sorted(
        [".edi837-claimed", ".hidden.837", "README.md", "upload.837.part", *not_files])
    assert done.stdout.count("README.md: left alone") == 1
    for name in not_files:  # never opened, never moved, said once
        assert done.stdout.count(f"{name}: left alone") == 1, done.stdout
    quarantined = {"empty.837", "binary.edi", "letter.txt", "remit.x12", "cut.837"} | (
        {"locked.837"} if denied else set())
    assert {p.name for p in (outbox / "quarantine").iterdir() if not p.name.endswith(".reason")} == quarantined
    for name in quarantined:
        reason = (outbox / "quarantine" / f"{name}.reason").read_text()
        assert reason.strip() and "DOE" not in reason and "1EG4TE5MK73" not in reason
    assert "DOE" not in done.stdout + done.stderr and "1EG4TE5MK73" not in done.stdout + done.stderr
    assert [p.name for p in (outbox / "archive").iterdir() if p.is_file()] == ["good.837"]
    assert (outbox / "acks" / "remit.x12.999").is_file()  # a 999 where one can be made (the group refused)
    for name in ("empty.837", "binary.edi", "letter.txt"):  # not X12: no control numbers spent on them
        assert f"{name}: quarantined:" in done.stdout, done.stdout
    assert re.search(r"remit\.x12: quarantined \(control numbers \d{9}-\d{9}\)", done.stdout)
    assert (outbox / "quarantine" / "cut.837.reason").read_text().startswith("cut.837, byte 282, ")
    said = done.stdout + done.stderr + "".join(p.read_text() for p in (outbox / "results").iterdir())
    assert ".edi837-claimed" not in said  # errors name the file by its INBOX name, not where it was claimed to
    summary = json.loads(next((outbox / "runs").iterdir()).read_text())
    assert summary["files"]["quarantined"] == len(quarantined) and summary["files"]["answered"] == 1
    assert summary["exit_code"] == 1 and summary["files"]["left_alone"] == 1 + len(not_files)
    assert not any("root:" in p.read_text(errors="replace") for p in outbox.rglob("*") if p.is_file()
                   and p.suffix != ".sqlite")


def test_watch_answers_a_slow_upload_once_and_a_copy_as_a_duplicate(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    (inbox / "README.md").write_text("Drop 837I files here.\n")
    proc = subprocess.Popen([*RUN, str(inbox), "--out", str(outbox), "--watch", "--interval", "0.1",
                             "--settle", "1", "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    data = varied(FIXTURES[2].read_text(), 777).encode()
    writer = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "data = sys.stdin.buffer.read()\n"
        "with open(sys.argv[1], 'wb') as out:\n"
        "    for i in range(0, len(data), 200):\n"
        "        out.write(data[i:i + 200]); out.flush(); time.sleep(0.25)\n"), str(inbox / "slow.837")],
        stdin=subprocess.PIPE)
    writer.communicate(data, timeout=60)
    deadline = time.monotonic() + 30
    while not (outbox / "archive" / "slow.837").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    (inbox / "first.837").write_bytes(FIXTURES[3].read_bytes())
    (inbox / "again.837").write_bytes(FIXTURES[3].read_bytes())  # the same content, copied in twice
    deadline = time.monotonic() + 30
    while any(not p.name.startswith((".", "README")) for p in inbox.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err  # asked to stop: a clean exit, by the outcome
    assert (outbox / "archive" / "slow.837").read_bytes() == data  # answered complete, once
    assert out.count("slow.837: answered") == 1 and out.count("README.md: left alone") == 1
    assert "SIGTERM" in out
    duplicates = list((outbox / "archive" / "duplicates").iterdir())
    assert len(duplicates) == 1 and out.count("duplicate of") == 1
    assert len(list((outbox / "acks").glob("*.999"))) == 2
    status = subprocess.run([*RUN, "--status", str(outbox)], capture_output=True, text=True).stdout
    assert "2 answered, 0 quarantined, 0 in flight, 1 duplicate\n" in status


def test_usage_errors_and_an_unusable_outbox_exit_2(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for args in ([str(inbox), "--out", str(blocker / "out")], [str(tmp_path / "missing"), "--out", str(tmp_path / "o")],
                 [str(inbox)], ["--status", str(tmp_path)], [str(inbox), "--out", str(inbox)]):
        done = subprocess.run([*RUN, *args], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and done.stderr.startswith("error:") and "Traceback" not in done.stderr, args


def test_a_second_run_on_the_same_outbox_is_refused(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    first = subprocess.Popen([*RUN, str(inbox), "--out", str(outbox), "--watch", "--interval", "0.1"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 20
    while not (outbox / "runs").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    second = subprocess.run([*RUN, str(inbox), "--out", str(outbox)], capture_output=True, text=True, timeout=60)
    first.send_signal(signal.SIGINT)
    first.communicate(timeout=30)
    assert second.returncode == 2 and "another `edi837 run` is using this OUTBOX" in second.stderr
    assert first.returncode == 0


def test_sigint_finishes_the_files_in_hand_and_exits_130(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    made = make_inbox(inbox, 80, seed=7)
    proc = start(inbox, outbox, "--workers", "1")
    while finished(outbox) < 3 and proc.poll() is None:
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"SIGINT: finishing the files in hand" in out and b"interrupted" in out
    with sqlite3.connect(outbox / "ledger.sqlite") as db:
        states = [r[0] for r in db.execute("SELECT state FROM inputs")]
    assert "claimed" not in states and 3 <= len(states) < len(made)  # in hand finished, the rest not begun
    left = [p.name for p in inbox.iterdir() if p.name not in ("README.md", ".edi837-claimed")]
    assert len(left) == len(made) - finished(outbox)
    done = subprocess.run([*RUN, str(inbox), "--out", str(outbox), "--settle", "0"], capture_output=True, timeout=120)
    assert done.returncode in (0, 1)
    assert_exactly_once(inbox, outbox, made)


def test_a_file_written_to_after_it_was_hashed_gets_no_answer_placed(tmp_path: Path) -> None:
    """A sender that still held the file open and wrote on after the hash: the worker's answers are of
    other bytes than those hashed, so none is placed (the stage hashes it again once it settles)."""
    import datetime as dt

    from edi837.answers.control import Settings
    from edi837.stage import worker

    claimed, outbox = tmp_path / "claimed.837", tmp_path / "out"
    for folder in ("acks", "forward", "results"):
        (outbox / folder).mkdir(parents=True)
    claimed.write_bytes(FIXTURES[0].read_bytes())
    hashed = worker.hash_file(str(claimed))
    with open(claimed, "ab") as late:  # the sender's late write, after the hash
        late.write(b"\n")
    job = worker.Job(str(claimed), "claimed.837", hashed.sha256, (hashed.size, hashed.mtime_ns), "claimed.837", 1,
                     dt.datetime(2026, 12, 1, 9, 30), "medicare", Settings(), outbox)
    with pytest.raises(worker.Changed):
        worker.answer_job(job)
    assert [p for p in outbox.rglob("*") if p.is_file()] == []  # nothing placed, no temporary left
    unchanged = worker.hash_file(str(claimed))
    job = worker.Job(str(claimed), "claimed.837", unchanged.sha256, (unchanged.size, unchanged.mtime_ns),
                     "claimed.837", 1, dt.datetime(2026, 12, 1, 9, 30), "medicare", Settings(), outbox)
    assert worker.answer_job(job).claims == 1  # the near miss: the same file, unchanged since its hash
    assert (outbox / "acks" / "claimed.837.999").is_file()


def test_results_name_each_set_by_its_st02_as_read_and_the_inputs_numbers_in_order(tmp_path: Path) -> None:
    """results/STEM.json names each set by the ST02 the input has, taken from the set's result, not
    from the 999's AK2: a two-digit ST02 is too short for AK202, which then carries 0000. Its control
    numbers are the three the ledger reserved, 999 first, 277CA next, forward 837 last, and the log
    and `--status` show them as one span."""
    inbox, outbox, conf = tmp_path / "in", tmp_path / "out", tmp_path / "conf"
    inbox.mkdir()
    conf.mkdir()
    (conf / "config.json").write_text('{"first_control_number": 700}')
    text = (FIXTURES[0].parent / "two-st.837").read_text(encoding="latin-1")
    assert text.count("ST*837*0001*") == 1 and text.count("*0001~") == 1  # the first set's ST02, then its SE02
    (inbox / "short.837").write_text(text.replace("ST*837*0001*", "ST*837*12*").replace("*0001~", "*12~"),
                                     encoding="latin-1")
    done = subprocess.run([*RUN, str(inbox), "--out", str(outbox), "--settle", "0", "--config", str(conf / "config.json")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr  # the set with a short ST02 is rejected
    assert "short.837: answered (control numbers 000000700-000000702)" in done.stdout
    result = json.loads((outbox / "results" / "short.837.json").read_text())
    assert [s["st02"] for s in result["sets"]] == ["12", "0002"]
    assert [s["ik501"] for s in result["sets"]] == ["R", "A"]
    assert result["control_numbers"] == {"999": 700, "277CA": 701, "837": 702}
    assert "AK2*837*0000*" in (outbox / "acks" / "short.837.999").read_text()
    status = subprocess.run([*RUN, "--status", str(outbox)], capture_output=True, text=True, timeout=60)
    assert "short.837  control 000000700-000000702" in status.stdout


def test_workers_hold_neither_lock_nor_the_ledger(tmp_path: Path) -> None:
    """A worker forked by the stage closes its copies of the INBOX and OUTBOX locks and of the ledger's
    files first thing (a lock lives while any copy of it is open): only the main process holds them."""
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    (inbox / "a.837").write_bytes(FIXTURES[0].read_bytes())
    proc = subprocess.Popen([*RUN, str(inbox), "--out", str(outbox), "--watch", "--settle", "0", "--interval",
                             "0.05", "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not (outbox / "archive" / "a.837").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = [pid for pid in session_alive(proc.pid) if pid != proc.pid]
        assert len(workers) == 2

        def held(pid: int) -> list[str]:
            links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
            return [t for t in links if t == str(inbox.resolve()) or t.startswith(str(outbox.resolve()))]

        assert all(held(pid) == [] for pid in workers), {pid: held(pid) for pid in workers}
        assert str(outbox.resolve() / ".lock") in held(proc.pid) and str(inbox.resolve()) in held(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    assert proc.returncode == 0
