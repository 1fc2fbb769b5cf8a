"""Fuzz the engine with seeded mutants (tests/fuzzing.py), or replay one.

    python bench/fuzz.py                       # 200,000 mutants of seed 1, one worker per CPU (at most 2)
    python bench/fuzz.py --count 20000 --seed 7 --keep /tmp/fuzz-failures
    python bench/fuzz.py --seed 1 --replay 8311   # one mutant again: what went wrong, and its bytes
    python bench/fuzz.py --answers 1000 --seed 7  # answers to mutants: valid per pyx12, agreeing with check
    python bench/fuzz.py --responses              # 100,000 mutants of a payer's 999s and 277CAs, read back
    python bench/fuzz.py --responses --seed 1 --replay 916

Prints the figure (inputs, failures, slowest input) and exits 1 when a mutant failed. The same runs
are `pytest -m fuzz` (see tests/test_fuzz.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import fuzzing  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=None, help="200,000 (100,000 with --responses)")
    ap.add_argument("--start", type=int, default=0, help="first index (to split a run between machines)")
    ap.add_argument("--workers", type=int, default=fuzzing.workers_available())
    ap.add_argument("--keep", type=Path, default=None, help="folder for the bytes of failing mutants")
    ap.add_argument("--replay", type=int, nargs="*", help="run these indices of --seed and show them")
    ap.add_argument("--answers", type=int, default=0, help="check the answers to this many mutants with pyx12")
    ap.add_argument("--responses", action="store_true",
                    help="mutants of a payer's 999s and 277CAs (the samples and the fixtures' answers), read back")
    args = ap.parse_args()
    if args.replay is not None:
        return replay(args.seed, args.replay, args.keep, args.responses)
    if args.answers:
        return answers(args.seed, args.start, args.answers, args.keep)
    count = args.count if args.count is not None else 100_000 if args.responses else 200_000
    started = time.perf_counter()
    tally = fuzzing.run_many(args.seed, count, args.workers, args.keep, start=args.start, responses=args.responses)
    print(tally.text())
    print(f"{time.perf_counter() - started:.0f} s with {args.workers} worker(s)")
    return 1 if tally.failures else 0


def replay(seed: int, indices: list[int], keep: Path | None, responses: bool = False) -> int:
    failed = 0
    outcomes = fuzzing.replay_responses(seed, indices) if responses else fuzzing.replay(seed, indices)
    for index, outcome in zip(indices, outcomes):
        m = fuzzing.response_mutant(seed, index) if responses else fuzzing.mutant(seed, index)
        print(f"{outcome.label}: {len(m.data)} bytes, {outcome.seconds:.3f} s")
        for problem in outcome.problems:
            print("  " + problem)
        print("  " + repr(m.data[:400]) + (" ..." if len(m.data) > 400 else ""))
        if keep is not None:
            print(f"  kept as {fuzzing.save(m, keep, '.x12' if responses else '.837')}")
        failed += bool(outcome.problems)
    return 1 if failed else 0


def answers(seed: int, start: int, count: int, keep: Path | None) -> int:
    import oracle  # noqa: PLC0415 (pyx12, only for this run)

    work = Path(tempfile.mkdtemp(prefix="edi837-answers-"))
    bad = 0
    for i in range(start, start + count):
        m = fuzzing.mutant(seed, i)
        problems = fuzzing.answer_problems(m, work, oracle.valid_or_why)
        if problems:
            bad += 1
            print(f"{m.label}: {problems[0][:300]}", flush=True)
            if keep is not None:
                fuzzing.save(m, keep)
    print(f"{count} mutants answered, {bad} wrongly")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
