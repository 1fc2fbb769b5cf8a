"""A file split between worker processes reads exactly as it does in one process.

Splitting is forced on small files here (MIN_BYTES 0); multi-set files are built from the fixtures'
transaction sets, then mutated, so that errors fall in every part and on the envelope between them.
The process tests at the end run `python -m edi837` on a generated file just large enough to split,
and kill its main process or one of its workers.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from builders import LF, SINGLE, cli, combined, mutants
from click.testing import CliRunner
from conftest import FIXTURES, ROOT

from edi837.cli import main
from edi837.engine import inputs, parallel
from edi837.x12.read import segments

MIN_BYTES = parallel.MIN_BYTES  # what `python -m edi837` splits at (the fixture below sets 0 in this process)


@pytest.fixture(autouse=True)
def split_small_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout


def same_both_ways(path: Path, command: str, fmt: str) -> None:
    one = run(command, "--format", fmt, "--jobs", "1", str(path))
    split = run(command, "--format", fmt, "--jobs", "2", str(path))
    assert split == one


def same_answers(path: Path) -> None:
    """The 999, 277CA and forward 837 of a split file are byte for byte those of one process."""
    answers = []
    for jobs in ("1", "2"):
        out = path.parent / f"answers-{path.stem}-{jobs}"
        code, stdout = run("ack", "--out", str(out), "--fixed-time", "202611230000", "--jobs", jobs, str(path))
        answers.append((code, stdout, {f.name: f.read_bytes() for f in sorted(out.iterdir())}))
    assert answers[1] == answers[0]


def test_plan_resumes_where_a_sequential_read_is(tmp_path: Path) -> None:
    path = tmp_path / "four.837"
    path.write_text(combined(4, random.Random(1), end="\n"))
    parts = parallel.plan(str(path), 2)
    assert parts is not None and len(parts) >= 2 and [p.last for p in parts] == [False] * (len(parts) - 1) + [True]
    read = list(segments(io.BytesIO(path.read_bytes())))
    seen = {s.offset: s for s in read}
    for k, p in enumerate(parts):
        st = seen[p.start]
        before = sum(s.id == "ST" and s.offset < p.start for s in read)
        assert (st.id, p.resume.number, p.resume.line, p.sets_before) == ("ST", st.number - 1, st.line, before)
        assert p.end == (parts[k + 1].start if not p.last else -1)


@pytest.mark.parametrize("command", ["check", "parse"])
@pytest.mark.parametrize("fmt", ["json", "text"])
def test_split_file_reads_as_one(tmp_path: Path, command: str, fmt: str) -> None:
    path = tmp_path / "six.837"
    path.write_text(combined(6, random.Random(2)))
    assert parallel.plan(str(path), 2) is not None
    same_both_ways(path, command, fmt)


def test_split_file_answers_as_one(tmp_path: Path) -> None:
    path = tmp_path / "six.837"
    path.write_text(combined(6, random.Random(2)))
    assert parallel.plan(str(path), 2) is not None
    same_answers(path)


def test_mutated_split_files_read_as_one(tmp_path: Path) -> None:
    rng = random.Random(7)
    files = [combined(rng.randint(2, 5), rng) for _ in range(30)]
    split = 0
    for i, data in enumerate(mutants(120, 7, base=files)):
        path = tmp_path / f"m{i}.837"
        path.write_bytes(data)
        split += parallel.plan(str(path), 2) is not None
        same_both_ways(path, "check", "json")
        if i % 4 == 0:
            same_both_ways(path, "parse", "json")
        if i % 4 == 1:
            same_answers(path)
    assert split >= 60  # most mutants keep an envelope that can be split (the rest are read in one process)


@pytest.mark.parametrize("change", [
    lambda t: t.replace("~GE*4*", "~GE*9*"),  # GE01: the last part is told how many sets came before
    lambda t: t.replace("~IEA*1*", "~IEA*2*"),
    lambda t: t.replace("~SE*", "~SE*999*", 2).replace("~SE*999*", "~SE*", 1),  # SE01 of the second set
    lambda t: t.replace("*0003~", "*0009~", 1),  # SE02 of the third set
])
def test_envelope_errors_of_split_files(tmp_path: Path, change) -> None:
    path = tmp_path / "four.837"
    path.write_text(change(combined(4, random.Random(5))))
    assert parallel.plan(str(path), 2) is not None
    same_both_ways(path, "check", "json")
    same_both_ways(path, "check", "text")
    same_answers(path)


@pytest.mark.parametrize("change", [
    lambda t: t.replace("~ST*837*0002*", "~DTP*472*D8*20260914~ST*837*0002*", 1),  # stray between sets
    lambda t: t.replace("~ST*837*0002*", "~GE*1*2021~GS*HC*A*B*20261001*0930*2022*X*005010X223A2~ST*837*0002*"),
    lambda t: t + "ISA" + t.split("ISA", 2)[1],  # a second interchange
    lambda t: t + "JUNK",  # something after the last terminator
    lambda t: t.replace("~ST*837*0002*", "~SE*2*0009~ST*837*0002*", 1),  # a second SE
])
def test_unusual_envelopes_are_read_in_one_process(tmp_path: Path, change) -> None:
    path = tmp_path / "odd.837"
    path.write_text(change(combined(3, random.Random(3))))
    assert parallel.plan(str(path), 2) is None
    same_both_ways(path, "check", "json")


def test_small_files_and_stdin_are_not_split(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "three.837"
    path.write_text(combined(3, random.Random(4)))
    assert parallel.plan(str(path), 1) is None and parallel.plan("-", 2) is None
    monkeypatch.setattr(parallel, "MIN_BYTES", 1 << 20)
    assert parallel.plan(str(path), 2) is None


def test_a_dying_worker_is_one_located_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "three.837"
    path.write_text(combined(3, random.Random(6)))
    monkeypatch.setattr(inputs, "_read_part", lambda *args: os._exit(9))  # a worker that exits mid-part
    result = CliRunner().invoke(main, ["check", "--jobs", "2", str(path), str(FIXTURES[0])])
    assert result.exit_code == 2
    assert "2 files, 1 claim: 1 accepted, 0 rejected, 1 unreadable" in result.stdout  # the next file is read
    parts = parallel.plan(str(path), 2)
    assert parts is not None
    first = parts[0]  # a worker dies on every part: the first is not read, so the file is not read from there
    assert (f"UNREADABLE: {path}, byte {first.start}, segment {first.resume.number + 1} (ST), file line 1: a worker"
            " process died (exit status 9) while reading parts of the file" in result.stdout)
    assert "Traceback" not in result.output
    assert multiprocessing.active_children() == []  # the pool stopped and reaped the other worker


@pytest.mark.parametrize("change", [
    lambda t: t.replace("~CLM*", "~\x01\xffJUNK~CLM*", 2).replace("~\x01\xffJUNK~CLM*", "~CLM*", 1),  # set 2
    lambda t: t[:t.rindex("~CLM*")] + "~\x01\xffJUNK" + t[t.rindex("~CLM*"):],  # the last set
])
def test_unreadable_split_files_read_as_one(tmp_path: Path, change) -> None:
    """Where a split file stops being readable, the parts say what one process says: the open set
    rejected, its group and interchange closed, then the one error; later parts are dropped."""
    path = tmp_path / "broken.837"
    path.write_bytes(change(combined(5, random.Random(8))).encode("latin-1"))
    assert parallel.plan(str(path), 2) is not None
    same_both_ways(path, "check", "json")
    same_both_ways(path, "check", "text")
    same_answers(path)
    doc = json.loads(run("check", "--format", "json", "--jobs", "2", str(path))[1])["files"][0]
    assert doc["transactions"][-1]["ack"] == "R" and "not an X12 segment" in doc["error"]
    assert doc["groups"] and doc["interchanges"]  # closed as at an early end of the file


def test_the_scan_gives_up_on_a_file_with_no_terminator_in_bounded_memory(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import tracemalloc

    monkeypatch.setattr(parallel, "MAX_SEGMENT", 1 << 20)
    monkeypatch.setattr(parallel, "SCAN_CHUNK", 1 << 20)
    head = combined(3, random.Random(9))
    path = tmp_path / "endless.837"
    with open(path, "w", encoding="latin-1") as fh:
        fh.write(head[:head.index("~ST*837*0002*") + 1] + "ST*837*0002*005010X223A2~BHT*")
        for _ in range(48):
            fh.write("X" * (1 << 20))
    tracemalloc.start()
    try:
        assert parallel.plan(str(path), 2) is None  # read in one process, which says where it went wrong
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20  # a few chunks, not the 48 MB file held as one string


def test_the_scan_stops_at_a_second_interchange(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file of many interchanges is read in one process; the scan says so at the second ISA instead
    of listing every envelope segment first."""
    import tracemalloc

    monkeypatch.setattr(parallel, "SCAN_CHUNK", 1 << 16)
    path = tmp_path / "many.837"
    path.write_text(SINGLE[0] * 3000)
    tracemalloc.start()
    try:
        assert parallel.plan(str(path), 2) is None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


def test_a_split_file_may_end_in_padding(tmp_path: Path) -> None:
    path = tmp_path / "padded.837"
    path.write_text(combined(4, random.Random(11), end="\r\n\x1a"), encoding="latin-1")
    assert parallel.plan(str(path), 2) is not None
    same_both_ways(path, "check", "json")


def test_a_file_split_between_workers_gives_the_same_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lines of findings in later parts of a split file are the file's own (parts resume counting)."""
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "PART_BYTES", 4096)
    head, rest = LF.split("ST*837*0001", 1)
    body = ("ST*837*0001" + rest.split("GE*1*2061")[0]).replace("*UN*8~", "*UN*8.123~")  # AMB006 on each set
    n = 40
    sets = "".join(body.replace("0001", f"{k:04d}") for k in range(1, n + 1))
    text = head + sets + f"GE*{n}*2061~\nIEA*1*000000206~\n"
    path = tmp_path / "many-lines.837"
    path.write_text(text)
    assert len(parallel.plan(str(path), 2) or []) > 2
    outs = [cli("check", "--format", "json", "--jobs", jobs, str(path))[1] for jobs in ("1", "2")]
    assert outs[0] == outs[1]
    claims = json.loads(outs[0])["files"][0]["claims"]
    lines = [f["line"] for c in claims for f in c["findings"] if f["rule"] == "AMB006"]
    expected = [i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith("SV2*0540*HC:A0425")]
    assert lines == expected and len(lines) == n


# Real processes: `python -m edi837 COMMAND --jobs 2` on a file just large enough to split, its main
# process or one of its workers killed as the OOM killer or an operator would.

@pytest.fixture(scope="module")
def splittable(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bench/gen.py file of 12,600 claims (4.2 MB): just over MIN_BYTES, 6 parts for 2 workers."""
    path = tmp_path_factory.mktemp("split") / "big.837"
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen.py"), "--claims", "12600", "--claims-per-st", "200",
                    "--out", str(path)], check=True, capture_output=True)
    assert path.stat().st_size >= MIN_BYTES
    return path


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc: this kernel may have no /proc/PID/task/*/children)."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and _status(int(entry.name)).get("PPid") == str(pid):
            found.append(int(entry.name))
    return found


def _status(pid: int) -> dict[str, str]:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return {k: v.split()[0] for k, _, v in (line.partition(":") for line in fh) if v.split()}
    except OSError:  # gone
        return {}


def alive(pid: int) -> bool:
    """Running or sleeping: neither gone nor a zombie (a killed orphan waits for init to reap it)."""
    return _status(pid).get("State", "Z") not in ("Z", "X")


def gone_within(pids: list[int], seconds: float) -> list[int]:
    """The pids still alive after `seconds` (none, as soon as all have died)."""
    deadline = time.monotonic() + seconds
    while (left := [p for p in pids if alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.02)
    return left


def frozen_with_workers(tmp_path: Path, command: str, *paths: Path) -> tuple[subprocess.Popen[bytes], list[int]]:
    """`edi837 COMMAND --jobs 2 PATHS` in a session of its own, stopped (SIGSTOP) as soon as both workers
    of its first file exist: they are then alive, holding parts, whatever the test does next."""
    out = ["--out", str(tmp_path / "out")] if command == "ack" else []
    proc = subprocess.Popen([sys.executable, "-m", "edi837", command, "--jobs", "2", *out, *map(str, paths)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 20
    try:
        while len(workers := children(proc.pid)) < 2:
            assert proc.poll() is None, "ended before its workers were seen"
            assert time.monotonic() < deadline, "no workers started"
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGSTOP)
        assert len(workers) == 2 and all(map(alive, workers))
    except BaseException:
        proc.kill()
        raise
    return proc, workers


def ended(proc: subprocess.Popen[bytes], workers: list[int]) -> None:
    """Whatever a test left behind is killed (a failing test must not leave hung orphans either)."""
    for pid in [proc.pid, *workers]:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    proc.communicate()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
@pytest.mark.parametrize("command", ["check", "ack"])
def test_the_workers_die_with_the_main_process(splittable: Path, tmp_path: Path, command: str, sig: int) -> None:
    """kill -9 (the OOM killer) or SIGTERM (an operator, a supervisor) of the main PID only: the main
    process ends at once, and its workers follow it instead of waiting on the pool's queue for ever."""
    proc, workers = frozen_with_workers(tmp_path, command, splittable)
    try:
        os.kill(proc.pid, sig)
        os.kill(proc.pid, signal.SIGCONT)  # a SIGTERM is delivered when the process runs again
        assert proc.wait(timeout=5) == -sig
        assert gone_within(workers, 5) == []
    finally:
        ended(proc, workers)


@pytest.mark.parametrize("command", ["check", "ack"])
def test_a_killed_worker_ends_its_file_with_one_located_error(splittable: Path, tmp_path: Path,
                                                               command: str) -> None:
    """kill -9 of one worker (the OOM killer's choice): the file ends with one located error line, the
    other worker is stopped; exit 2, no traceback. (That the command goes on with the next file is
    tested above, in one process: a second file here would cost a second of loading the rules.)"""
    proc, workers = frozen_with_workers(tmp_path, command, splittable)
    try:
        os.kill(workers[0], signal.SIGKILL)
        os.kill(proc.pid, signal.SIGCONT)
        stdout, stderr = (s.decode() for s in proc.communicate(timeout=20))
        assert proc.returncode == 2
        assert "Traceback" not in stderr
        died = "a worker process died (killed by signal 9) while reading parts of the file"
        lines = [line for line in (stdout + stderr).splitlines() if died in line]
        assert len(lines) == 1 and f"{splittable}, byte " in lines[0], stdout + stderr
        assert "1 file, 0 claims: 0 accepted, 0 rejected, 1 unreadable" in stdout
        assert gone_within(workers, 5) == []
    finally:
        ended(proc, workers)


def test_workers_forked_by_another_thread_watch_their_parent(tmp_path: Path) -> None:
    """PR_SET_PDEATHSIG follows the forking thread, so a pool started from a thread other than the main
    one has its workers watch the parent pid instead (see test_lifeline.py for both at work)."""
    import threading

    path = tmp_path / "four.837"
    path.write_text(combined(4, random.Random(1)))
    parts = parallel.plan(str(path), 2)
    assert parts is not None

    def threads_of_worker(part: parallel.Part) -> list[str]:
        return [t.name for t in threading.enumerate()]

    def watching(results: list[list[str]]) -> list[bool]:
        return ["edi837-lifeline" in names for names in results]

    from_main = list(parallel.run(parts, 2, threads_of_worker))
    from_helper: list[list[str]] = []
    helper = threading.Thread(target=lambda: from_helper.extend(parallel.run(parts, 2, threads_of_worker)))
    helper.start()
    helper.join(20)
    assert watching(from_main) == [False] * len(parts) and watching(from_helper) == [True] * len(parts)
