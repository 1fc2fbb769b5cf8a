"""Folder throughput of the pipeline stage (`edi837 run`) with 1 and 2 workers, side by side with
`edi837 ack` over the same folder.

    python bench/stage.py [--small 1000] [--large 20] [--large-claims 5000] [--out bench/out]

Two folders made with bench/gen.py: (a) --small files of one claim, (b) --large files of
--large-claims claims; each file is the generated one with its own interchange control number, so
no two are the same content (the stage would archive copies as duplicates). Every figure is one run
of the whole command in its own process (start-up included), wall clock, on a fresh copy of the
folder: `run` moves its inputs and keeps a ledger, fsyncs each answer, its folder and each ledger
step; `ack` (one process over the files; --jobs splits only one large file) does neither. Prints a
Markdown table: seconds, files/s, claims/s and the speed-up of 2 workers over 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def make_folder(folder: Path, files: int, claims: int, work: Path) -> None:
    """`files` inputs of `claims` claims each, from one generated file, each with its own ISA13/IEA02."""
    source = work / f"gen-{claims}.837"
    if not source.exists():
        subprocess.run([sys.executable, str(HERE / "gen.py"), "--claims", str(claims), "--out", str(source)],
                       check=True, capture_output=True)
    data = source.read_bytes()
    element = data[3:4]
    isa13 = data.split(element)[13]
    folder.mkdir(parents=True)
    for n in range(files):
        (folder / f"in-{n:05d}.837").write_bytes(data.replace(isa13, f"{900_000_000 + n:09d}".encode()))


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "edi837", *args], capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"edi837 {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}")
    return took


def measure(name: str, files: int, claims: int, work: Path) -> list[tuple[str, str, float]]:
    master = work / f"{name}-master"
    make_folder(master, files, claims, work)
    rows = []
    for command in ("run", "ack"):
        for workers in (1, 2):
            inbox, outbox = work / "inbox", work / "outbox"
            shutil.rmtree(inbox, ignore_errors=True)
            shutil.rmtree(outbox, ignore_errors=True)
            shutil.copytree(master, inbox)
            if command == "run":
                args = ["run", str(inbox), "--out", str(outbox), "--settle", "0", "--workers", str(workers)]
            else:
                args = ["ack", str(inbox), "--out", str(outbox), "--jobs", str(workers)]
            rows.append((command, str(workers), timed(args)))
    shutil.rmtree(master)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", type=int, default=1000, help="files of one claim (a)")
    ap.add_argument("--large", type=int, default=20, help="files of --large-claims claims (b)")
    ap.add_argument("--large-claims", type=int, default=5000)
    ap.add_argument("--out", type=Path, default=None, help="folder to work in (default: a temporary one)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.out) as tmp:
        work = Path(tmp)
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start", file=sys.stderr)
        print("| folder | command | workers | seconds | files/s | claims/s | speed-up (2 over 1) |")
        print("|---|---|---|---|---|---|---|")
        for label, files, claims in ((f"(a) {args.small:,} files x 1 claim", args.small, 1),
                                     (f"(b) {args.large} files x {args.large_claims:,} claims", args.large,
                                      args.large_claims)):
            rows = measure(label[:3], files, claims, work)
            one = {cmd: took for cmd, workers, took in rows if workers == "1"}
            for cmd, workers, took in rows:
                option = "--workers" if cmd == "run" else "--jobs"
                speedup = f"{one[cmd] / took:.2f}" if workers == "2" else ""
                print(f"| {label} | {cmd} | {option} {workers} | {took:.2f} | {files / took:,.1f} |"
                      f" {files * claims / took:,.0f} | {speedup} |", flush=True)
        print(f"load average {os.getloadavg()[0]:.2f} at the end", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
