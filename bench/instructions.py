"""Instructions per claim (callgrind), the figure speed changes are judged by on a shared machine.

    python bench/instructions.py [--claims 2000] [--commands parse,check,ack] [--layouts none,lf] [--out bench/out]
                                 [--claim-types 837I,837P]

Each command runs in one process (`--jobs 1`) under `valgrind --tool=callgrind` on a generated
N-claim file, once per layout (`none`: segments back to back, `lf`: a line feed after each
terminator, `crlf`), and once on a one-claim fixture; instructions per claim are the difference
divided by the difference in claims, so start-up (imports, the guide cache) is left out. The
instruction counts repeat to the digit, where wall time on this machine moves by ±30%. Which build
runs (compiled with mypyc, or pure Python) is what `python -m edi837 --version` says, and is printed.
With `--claim-types 837I,837P` the 837P file (bench/gen.py --claim-type 837P) and a one-claim 837P
fixture are measured after the 837I ones, their lines marked [837P].
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ONE_CLAIM = ROOT / "fixtures" / "bls-emergency.837"
ONE_CLAIM_BY_TYPE = {"837I": ONE_CLAIM, "837P": ROOT / "fixtures" / "837p-bls-emergency.837"}
LAYOUTS = {"none": [], "lf": ["--line-feeds"], "crlf": ["--crlf"]}
EXTRA = {"parse": ["--format", "json"]}  # per command, beside --jobs 1


def instructions(args: list[str]) -> int:
    """Instructions callgrind counts for one `python -m edi837 ARGS` run."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                               sys.executable, "-m", "edi837", *args], capture_output=True, text=True, check=False,
                              env={**os.environ, "PYTHONHASHSEED": "0"})  # set and dict probes the same every run
        found = re.search(r"Collected : (\d+)", done.stderr)
        if found is None or done.returncode not in (0, 1):
            raise SystemExit(f"callgrind run failed ({done.returncode}): {done.stderr[-2000:]}")
        return int(found.group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=2000)
    ap.add_argument("--commands", default="parse,check")
    ap.add_argument("--layouts", default="none,lf")
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--claim-types", default="837I", help="837I, 837P or 837I,837P")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    build = subprocess.run([sys.executable, "-m", "edi837", "--version"], capture_output=True, text=True,
                           check=True).stdout.strip()
    print(build, flush=True)
    answers = tempfile.TemporaryDirectory(prefix="edi837-instructions-")
    instructions(["parse", str(ONE_CLAIM)])  # warm-up: the guide cache is made, if it is not there yet
    for claim_type in a.claim_types.split(","):
        suffix, mark = ("", "") if claim_type == "837I" else ("-" + claim_type.lower(), f" [{claim_type}]")
        for command in a.commands.split(","):
            args = [command, "--jobs", "1"] + EXTRA.get(command, [])
            if command == "ack":  # answers go to a throw-away folder, with a fixed clock: each run the same
                args += ["--out", answers.name, "--fixed-time", "202611220000"]
            base = instructions([*args, str(ONE_CLAIM_BY_TYPE[claim_type])])
            for layout in a.layouts.split(","):
                f = a.out / f"claims-{a.claims}-{layout}{suffix}.837"
                if not f.exists():
                    subprocess.run([sys.executable, str(HERE / "gen.py"), "--claims", str(a.claims), "--out", str(f),
                                    "--seed", "1", "--claim-type", claim_type, *LAYOUTS[layout]],
                                   check=True, capture_output=True)
                total = instructions([*args, str(f)])
                print(f"{command:<6} {layout:<5} {total:>15,} instructions, {(total - base) / (a.claims - 1):>10,.0f}"
                      f" per claim (start-up and one claim: {base:,}){mark}", flush=True)
    answers.cleanup()


if __name__ == "__main__":
    main()
