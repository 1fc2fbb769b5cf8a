"""A transaction set of any size is checked in bounded memory: beyond SPOOL_CLAIMS its claim results
wait on disk. Whether they did must not change a byte of the report or the answers.

Spilling is forced here (SPOOL_CLAIMS 1: every claim after a set's first goes to disk) on the batch
fixture (26 claims under several subscribers), on its mutants (rejected claims, rejected sets) and on
multi-set files split between processes.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from builders import combined, mutants
from click.testing import CliRunner
from conftest import FIXTURES

from edi837.cli import main
from edi837.engine import inputs, parallel
from edi837.engine import results as results_mod
from edi837.engine.spool import Spill

BATCH = next(p for p in FIXTURES if p.stem == "batch")


def outputs(path: Path, out: Path, jobs: str = "1") -> list:
    """check (JSON and text) and ack of `path`: exit codes, what they print, the answer files."""
    runner = CliRunner()
    found = []
    for fmt in ("json", "text"):
        r = runner.invoke(main, ["check", "--format", fmt, "--jobs", jobs, str(path)])
        assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
        found.append((r.exit_code, r.stdout))
    r = runner.invoke(main, ["ack", "--out", str(out), "--fixed-time", "202611230000", "--jobs", jobs, str(path)])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    found.append((r.exit_code, r.stdout, {f.name: f.read_bytes() for f in sorted(out.iterdir())}))
    return found


def same_spilled(path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str = "1") -> None:
    kept = outputs(path, path.parent / f"{path.stem}-kept", jobs)
    with monkeypatch.context() as m:
        m.setattr(results_mod, "SPOOL_CLAIMS", 1)
        spilled = outputs(path, path.parent / f"{path.stem}-spilled", jobs)
    assert spilled == kept


def test_spilled_batch_reads_and_answers_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "batch.837"
    path.write_bytes(BATCH.read_bytes())
    same_spilled(path, monkeypatch)


@pytest.mark.parametrize("i,data", list(enumerate(mutants(40, 11, base=[BATCH.read_text()]))))
def test_spilled_mutants_read_and_answer_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, i: int,
                                                  data: bytes) -> None:
    path = tmp_path / f"m{i}.837"
    path.write_bytes(data)
    same_spilled(path, monkeypatch)


def test_spilled_sets_in_worker_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker's spilled set is listed when it is sent back to the parent."""
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    path = tmp_path / "five.837"
    path.write_text(combined(5, random.Random(8)))
    assert parallel.plan(str(path), 2) is not None
    same_spilled(path, monkeypatch, jobs="2")


def test_a_file_with_a_huge_set_is_read_in_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    path = tmp_path / "five.837"
    path.write_text(combined(5, random.Random(8)))
    assert parallel.plan(str(path), 2) is not None
    monkeypatch.setattr(parallel, "SET_BYTES", 100)
    assert parallel.plan(str(path), 2) is None


def test_a_full_disk_is_one_located_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(results_mod, "SPOOL_CLAIMS", 1)
    import tempfile  # the spool imports it when it first spills

    monkeypatch.setattr(tempfile, "TemporaryFile", full)
    result = CliRunner().invoke(main, ["check", str(BATCH)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"UNREADABLE: {BATCH}: system error: No space left on device" in result.stdout


def peak_answering(path: Path, out: Path) -> int:
    """Peak bytes Python allocated while `ack` answered `path` (traced, so independent of the allocator)."""
    import datetime as dt
    import tracemalloc

    from edi837.answers import acknowledge, control
    from edi837.answers.write.report import Summary
    from edi837.cli.options import checker as make_checker

    checker = make_checker("medicare", None, keep_segments=True)
    settings = control.Settings(fixed_time=dt.datetime(2026, 11, 23))
    tracemalloc.start()
    try:
        acknowledge.answer(str(path), checker, settings, control.ControlNumbers(settings), out, Summary())
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_answering_a_set_takes_the_same_memory_whatever_its_size(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """One set of 500 claims and one of 2,500, with 50 kept in memory (and the reader's chunk, the
    validator's memos and the answers' spools held small, as they would be full on a large file): the
    peak must not grow with the set."""
    import functools
    import subprocess
    import sys

    from edi837.answers.write import envelope
    from edi837.x12 import memo, read, validate

    monkeypatch.setattr(results_mod, "SPOOL_CLAIMS", 50)
    monkeypatch.setattr(inputs, "segments", functools.partial(read.segments, chunk_size=16 << 10))
    monkeypatch.setattr(envelope, "SPOOL_BYTES", 16 << 10)  # the 999/277CA bodies, until their headers
    monkeypatch.setattr(memo, "MEMO_LIMIT", 200)
    monkeypatch.setattr(validate, "_element_memo", memo.Memo(200))
    monkeypatch.setattr(memo, "_segment_memos", {})
    gen = Path(__file__).resolve().parents[2] / "bench" / "gen.py"
    peaks = []
    for k, n in enumerate((500, 500, 2500)):  # the first run fills what is loaded once (code lists ...)
        path = tmp_path / f"one-{n}.837"
        subprocess.run([sys.executable, str(gen), "--claims", str(n), "--claims-per-st", str(n), "--out", str(path)],
                       check=True, capture_output=True)
        peaks.append(peak_answering(path, tmp_path / f"out-{k}"))
        assert (tmp_path / f"out-{k}" / f"one-{n}.837.accepted.837").read_text().count("~CLM*") == n
    peaks = peaks[1:]
    # Holding the 2,000 more claims' 277CA segments took 1.3 MB more; the caches of dates and amounts
    # (bounded at 4,096 entries each) take up to ~0.2 MB.
    assert peaks[1] - peaks[0] < 400_000, peaks


def test_spill_keeps_its_first_items_in_memory_and_gives_all_back_in_order() -> None:
    spill: Spill[dict] = Spill(3)
    items = [{"n": k, "text": "x" * k} for k in range(10)]
    for item in items:
        spill.append(item)
    spill.flush()
    assert spill.memory == items[:3] and spill.spilled == 7 and len(spill) == 10 and spill.spills
    assert list(spill) == items and list(spill) == items  # in order, as often as needed
    assert list(spill.on_disk()) == items[3:]
    assert all(back is not item for back, item in zip(spill.on_disk(), items[3:]))  # read back as new objects
    assert all(kept is item for kept, item in zip(spill.memory, items))


def test_spill_below_its_limit_never_touches_the_disk() -> None:
    spill: Spill[int] = Spill(3)
    for k in range(3):
        spill.append(k)
    assert not spill.spills and spill.spilled == 0 and list(spill) == [0, 1, 2] and list(spill.on_disk()) == []
    assert spill.made(iter([1, 2])) == [1, 2]  # listed: it is small


def test_what_a_writer_makes_of_a_spilled_list_is_made_as_it_is_read() -> None:
    spill: Spill[int] = Spill(0)
    for k in range(5):
        spill.append(k)
    spill.flush()
    made = spill.made(k * 2 for k in spill)
    assert not isinstance(made, list) and list(made) == [0, 2, 4, 6, 8]
