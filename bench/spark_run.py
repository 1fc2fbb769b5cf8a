"""Claims/s of the Spark job (edi837.spark.rows, every column materialised) in local[1] and local[2]
against `edi837 check --format json --jobs 1/2` on the same files: a 20,000-claim bench/gen.py file
split into 20 files between its sets. Spark's start-up (JVM and session, in a fresh process for each core count) is timed apart from the
job; the job's first run also starts the Python workers (imports, guide load), later runs reuse them.

    python bench/spark_run.py [--claims 20000] [--files 20] [--repeat 3] [--out bench/out]

Prints a markdown table (medians of --repeat runs). Needs the spark extra and Java 17.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import split  # noqa: E402

TODAY = "2026-11-01"


def files(claims: int, parts: int, out: Path) -> list[Path]:
    whole = out / f"spark-{claims}.837"
    subprocess.run([sys.executable, str(HERE / "gen.py"), "--claims", str(claims), "--claims-per-st",
                    str(max(1, claims // parts)), "--out", str(whole)], check=True, capture_output=True)
    return split.split(whole, out / f"spark-{claims}-{parts}", parts)


def timed_cli(jobs: int, paths: list[Path]) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "edi837", "check", "--format", "json", "--jobs", str(jobs),
                           "--today", TODAY, *map(str, paths)], stdout=subprocess.DEVNULL)
    assert done.returncode in (0, 1), done.returncode
    return time.perf_counter() - start


def timed_spark(cores: int, paths: list[Path], repeat: int) -> tuple[float, list[float], int]:
    """(start-up seconds, job seconds of each run, claim rows)."""
    from pyspark.sql import SparkSession  # noqa: PLC0415

    from edi837 import spark as edi_spark  # noqa: PLC0415

    start = time.perf_counter()
    session = (SparkSession.builder.master(f"local[{cores}]").appName("edi837-bench")
               .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    startup = time.perf_counter() - start
    runs = []
    claims = 0
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            frame = edi_spark.rows(session, [str(p) for p in paths], today=dt.date.fromisoformat(TODAY))
            frame.write.format("noop").mode("overwrite").save()  # every row and column made, nothing kept
            runs.append(time.perf_counter() - start)
        claims = edi_spark.claims(session, [str(p) for p in paths]).count()
    finally:
        session.stop()
    return startup, runs, claims


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--claims", type=int, default=20_000)
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--spark-only", type=int, metavar="CORES", help=argparse.SUPPRESS)
    ap.add_argument("paths", nargs="*", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.spark_only:
        print(json.dumps(timed_spark(a.spark_only, a.paths, a.repeat)))
        return
    a.out.mkdir(parents=True, exist_ok=True)
    paths = files(a.claims, a.files, a.out)
    rows = []
    cli = {}
    for jobs in (1, 2):
        times = [timed_cli(jobs, paths) for _ in range(a.repeat)]
        cli[jobs] = statistics.median(times)
        rows.append((f"edi837 check --format json --jobs {jobs}", "", cli[jobs], a.claims / cli[jobs], ""))
    spark = {}
    for cores in (1, 2):  # each in its own process: both start-ups include starting the JVM
        done = subprocess.run([sys.executable, __file__, "--spark-only", str(cores), "--repeat", str(a.repeat),
                               *map(str, paths)], check=True, capture_output=True, text=True)
        startup, runs, claims = json.loads(done.stdout.strip().splitlines()[-1])
        assert claims == a.claims, claims
        spark[cores] = statistics.median(runs)
        rows.append((f"Spark local[{cores}], edi837.spark.rows", f"{startup:.1f}", spark[cores], a.claims / spark[cores],
                     f"first run {runs[0]:.2f} s"))
    print(f"{a.claims:,} claims in {a.files} files; medians of {a.repeat} runs\n")
    print("| run | start-up s | job s | claims/s | note |\n|---|---|---|---|---|")
    for name, startup, secs, rate, note in rows:
        print(f"| {name} | {startup} | {secs:.2f} | {rate:,.0f} | {note} |")
    print(f"\nspeed-up 1 -> 2 cores: check {cli[1] / cli[2]:.2f}x, Spark {spark[1] / spark[2]:.2f}x")


if __name__ == "__main__":
    main()
