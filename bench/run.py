"""Side-by-side benchmark: edi837 against pyx12's validator on generated files of the same make.

    python bench/run.py [--claims 20000] [--pyx12-claims N] [--repeat N] [--rss-mb 10,100,1000]
                        [--rss-commands parse,check,ack] [--skip-ratio] [--out bench/out]
                        [--pure-python PATH] [--layouts none,lf] [--claim-types 837I,837P]

The edi837 measured is the one `python` (that runs this script) has installed, compiled or pure, as
`edi837 --version` says; `--pure-python` names a second interpreter with a pure install
(`EDI837_PURE=1 pip install .` in another venv) to run beside it.

Every figure is one run of a whole command in its own process (start-up included), timed with the
wall clock (with --repeat, the median of N). Memory is given twice: the peak RSS of the largest
process (wait4), and in the memory runs the peak of the proportional set size (PSS) summed over the
command and its worker processes, sampled from /proc every 100 ms (PSS splits the pages forked
workers share with the parent instead of counting them once per process). pyx12 is given a smaller
pyx12 reads the same 20,000-claim file as edi837 (the file the issues' targets name) unless
--pyx12-claims gives it a smaller one of the same make: that saves minutes, but pyx12's 0.5 s start-up
then weighs more and its claims/s comes out lower (about 340 against 410 claims/s). Two naive
tokenizers calibrate the machine in the same run: `str.split` of the whole file on the segment
terminator, then of each segment on the element separator, with the cycle collector on (as such a
script runs) and off. Ratios are what the issues set targets for, not absolute times. `parse`, `check` and `ack` run as users run them (one worker process per
CPU for a large file) and again with --jobs 1 (one process).

edi837's modules are byte-compiled first, as pip compiles an installed package (pyx12's are): an
editable install under PYTHONDONTWRITEBYTECODE would otherwise compile every module at every start.

`--claim-types 837I,837P` runs the whole comparison on an 837P file (bench/gen.py --claim-type 837P:
Part B ambulance supplier claims, same claim count) after the 837I one: the issue wants `check` on
the 837P within 20% of the 837I's claims/s.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYX12_SCRIPT = """
import io, sys, pyx12.params, pyx12.x12n_document
with open(sys.argv[1], encoding="latin-1") as fh:
    ok = pyx12.x12n_document.x12n_document(param=pyx12.params.params(), src_file=fh, fd_997=io.StringIO(),
                                           fd_html=None, fd_xmldoc=None)
print("OK" if ok else "Failure")
"""
NAIVE_SCRIPT = """
import gc, sys
if sys.argv[2] == "off":
    gc.disable()
with open(sys.argv[1], "rb") as fh:
    text = fh.read().decode("latin-1")
segments = [s.split(text[3]) for s in text.split(text[105])]
print(sum(s[0].strip() == "CLM" for s in segments))
"""


def tree_pss_kb(pid: int) -> int:
    """Proportional set size of `pid` and all its descendants, in kB (0 once it is gone): forked
    workers share the parent's pages, which a sum of RSS would count once per process."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                total += next((int(x.split()[1]) for x in fh if x.startswith("Pss:")), 0)
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            pass
    return total


def run(cmd: list[str], sample: bool = False, env: dict[str, str] | None = None) -> tuple[float, int, int, int]:
    """Wall seconds, peak RSS of the largest process, peak PSS of all processes together (MB; with
    `sample`, else 0), exit status. Sampling costs CPU, so timed comparisons run without it."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    peak = [0]
    done = threading.Event()

    def sampler() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], tree_pss_kb(proc.pid))

    thread = threading.Thread(target=sampler, daemon=True)
    if sample:
        thread.start()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    if sample:
        thread.join()
    largest = usage.ru_maxrss // 1024
    return time.perf_counter() - start, largest, peak[0] // 1024, os.waitstatus_to_exitcode(status)


def commands(out: Path) -> dict[str, list[str]]:
    """The edi837 commands measured, as a user runs them (JSON output, answers written to disk)."""
    return {"parse": ["parse", "--format", "json"], "parse-1": ["parse", "--format", "json", "--jobs", "1"],
            "check": ["check", "--format", "json"], "check-1": ["check", "--format", "json", "--jobs", "1"],
            "ack": ["ack", "--out", str(out / "ack"), "--fixed-time", "202611220000"],
            "ack-1": ["ack", "--out", str(out / "ack"), "--fixed-time", "202611220000", "--jobs", "1"]}


def generate(claims: int | None, out: Path, size_mb: int | None = None, layout: str = "none",
             claim_type: str = "837I") -> Path:
    if not out.exists():
        args = ["--claims", str(claims)] if claims else ["--size-mb", str(size_mb)]
        args += {"none": [], "lf": ["--line-feeds"], "crlf": ["--crlf"]}[layout]
        args += ["--claim-type", claim_type]
        subprocess.run([sys.executable, str(HERE / "gen.py"), *args, "--out", str(out), "--seed", "1"], check=True)
    return out


def count_claims(path: Path) -> int:
    n = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            n += chunk.count(b"CLM*")
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--claims", type=int, default=20000)
    ap.add_argument("--pyx12-claims", type=int, default=0, help="claims in pyx12's file (default: --claims)")
    ap.add_argument("--rss-mb", default="10,100", help="file sizes (MB) for the flat-memory check, e.g. 10,100,1000")
    ap.add_argument("--rss-commands", default="parse,check,ack", help="commands run on each of those files"
                    " (parse, parse-1, check, check-1, ack, ack-1)")
    ap.add_argument("--skip-ratio", action="store_true", help="only the flat-memory check")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each timed command (median)")
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--pure-python", help="the Python of a pure-Python install of edi837 (EDI837_PURE=1 pip install .),"
                    " run beside this one (which should be the compiled build)")
    ap.add_argument("--layouts", default="none", help="input layouts: none (segments back to back), lf (a line"
                    " feed after each segment), crlf; e.g. none,lf")
    ap.add_argument("--claim-types", default="837I", help="claim types of the files compared: 837I, 837P or"
                    " 837I,837P (each its own file of --claims claims)")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    edi837 = [sys.executable, "-m", "edi837"]
    compileall.compile_dir(str(HERE.parent / "edi837"), quiet=1)

    if not a.skip_ratio:
        ratios(a, edi837)
    for mb in (int(x) for x in a.rss_mb.split(",") if x):
        f = generate(None, a.out / f"size-{mb}mb.837", size_mb=mb)
        n = count_claims(f)
        for label in a.rss_commands.split(","):
            t, rss, total, code = run([*edi837, *commands(a.out)[label], str(f)], sample=True)
            print(f"edi837 {label:<9} {mb:>5} MB {n:>9} claims  {t:8.2f} s  {n / t:10.0f} claims/s"
                  f"  peak {rss} MB (all processes, PSS {total} MB)", flush=True)


def build_of(python: str) -> str:
    """What `edi837 --version` says of the build that `python` runs ("compiled (mypyc)" or "pure Python")."""
    out = subprocess.run([python, "-m", "edi837", "--version"], capture_output=True, text=True, check=True,
                         env=SAFE_PATH).stdout.strip()
    return out.split(", ")[-1]


# The current folder is not put first on sys.path: each interpreter runs the edi837 it has installed,
# not the sources (or compiled modules) of the checkout the benchmark is started from.
SAFE_PATH = {**os.environ, "PYTHONSAFEPATH": "1"}


def ratios(a: argparse.Namespace, edi837: list[str]) -> None:
    """pyx12 and edi837 on files of the same make, in one run: claims/s and their ratio. With
    --repeat N every command runs N times, in turn, and each figure is the median of its runs (a
    shared machine's noise then moves every command alike). With --pure-python, the pure build runs
    beside the compiled one; with --layouts none,lf, everything runs on both layouts of the file."""
    a.pyx12_claims = a.pyx12_claims or a.claims
    builds = {build_of(edi837[0]): edi837}
    if a.pure_python:
        builds[build_of(a.pure_python)] = [a.pure_python, "-m", "edi837"]
    for claim_type, layout in ((c, lay) for c in a.claim_types.split(",") for lay in a.layouts.split(",")):
        ratio(a, builds, claim_type, layout)


def bench_file(claims: int, layout: str, claim_type: str, out: Path) -> Path:
    """The generated file of `claims` claims (the 837I's name is the one it always had)."""
    suffix = "" if claim_type == "837I" else "-" + claim_type.lower()
    return generate(claims, out / f"claims-{claims}-{layout}{suffix}.837", layout=layout, claim_type=claim_type)


def ratio(a: argparse.Namespace, builds: dict[str, list[str]], claim_type: str, layout: str) -> None:
    """One file's comparison (see `ratios`)."""
    small = bench_file(a.pyx12_claims, layout, claim_type, a.out)
    big = bench_file(a.claims, layout, claim_type, a.out)
    cmds = {"pyx12": [sys.executable, "-c", PYX12_SCRIPT, str(small)],
            "naive": [sys.executable, "-c", NAIVE_SCRIPT, str(big), "on"],
            "naive-gc-off": [sys.executable, "-c", NAIVE_SCRIPT, str(big), "off"]}
    labels = []
    for build, command in builds.items():
        for label, args in commands(a.out).items():
            labels.append((f"{build}|{label}", build, label))
            cmds[f"{build}|{label}"] = [*command, *args, str(big)]
    runs: dict[str, list[tuple[float, int, int]]] = {label: [] for label in cmds}
    for _ in range(a.repeat):
        for label, cmd in cmds.items():
            t, rss, _, code = run(cmd, env=SAFE_PATH)
            runs[label].append((t, rss, code))
    times = {label: statistics.median(r[0] for r in rs) for label, rs in runs.items()}
    pyx12_rate = a.pyx12_claims / times["pyx12"]
    kind = "" if claim_type == "837I" else f"claim type: {claim_type}, "
    print(f"{kind}layout: {layout} ({'segments back to back' if layout == 'none' else layout + ' after each segment'}),"
          f" medians of {a.repeat}", flush=True)
    print(f"{'pyx12 x12valid':<34} {a.pyx12_claims:>6} claims  {times['pyx12']:8.2f} s  {pyx12_rate:10.0f}"
          f" claims/s  peak {max(r[1] for r in runs['pyx12'])} MB", flush=True)
    rows = [("naive", "str.split"), ("naive-gc-off", "str.split (gc off)")]
    rows += [(key, f"edi837 {label} [{build}]") for key, build, label in labels]
    for key, name in rows:
        rate = a.claims / times[key]
        print(f"{name:<34} {a.claims:>6} claims  {times[key]:8.2f} s  {rate:10.0f} claims/s"
              f"  peak {max(r[1] for r in runs[key])} MB  {rate / pyx12_rate:6.1f}x pyx12"
              f"  (exit {runs[key][-1][2]})", flush=True)
    for build in builds:
        print(f"[{build}] ack / check time: {times[f'{build}|ack-1'] / times[f'{build}|check-1']:.2f} (one process"
              f" each), {times[f'{build}|ack'] / times[f'{build}|check']:.2f} (with workers)", flush=True)


if __name__ == "__main__":
    main()
