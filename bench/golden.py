"""Record what the commands write, then compare a later build against the record, byte for byte.

    python bench/golden.py record DIR     # before a change
    python bench/golden.py compare DIR    # after it: lists every output that differs, exit 1 if any

Inputs: the bundled fixtures, the outside 837I samples (../shared/samples/837i, when present), and
2,000- and 20,000-claim bench files made with bench/gen.py (seeded, so the same every time). Outputs:
`parse --format json`, `check` (text and JSON) and `ack --fixed-time` (the 999, 277CA and forward
837) of each, with a fixed `--today`. A refactoring that is meant to change nothing must leave
every one of them identical.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT.parent / "shared" / "samples" / "837i"
TODAY = "2026-11-22"
FIXED = "202611221200"


def inputs(work: Path) -> list[Path]:
    files = sorted((ROOT / "fixtures").glob("*.837"))
    if SAMPLES.is_dir():
        files += sorted(p for p in SAMPLES.iterdir() if p.is_file())
    for claims in (2_000, 20_000):
        out = work / f"bench-{claims}.837"
        subprocess.run([sys.executable, str(ROOT / "bench" / "gen.py"), "--claims", str(claims), "--out", str(out)],
                       check=True)
        files.append(out)
    return files


def run(args: list[str]) -> bytes:
    """What a command prints (stdout, then stderr, then its exit code)."""
    done = subprocess.run([sys.executable, "-m", "edi837", *args], capture_output=True, check=False, cwd=ROOT)
    return done.stdout + b"\n--stderr--\n" + done.stderr + f"\n--exit {done.returncode}--\n".encode()


def outputs(work: Path) -> dict[str, bytes]:
    """Every output, by a name that says which input and which command."""
    found: dict[str, bytes] = {}
    for found_at in inputs(work):
        name = found_at.name
        path = Path(os.path.relpath(found_at, ROOT))  # outputs name inputs as given: the same from any checkout
        found[f"{name}.parse.json"] = run(["parse", "--format", "json", str(path)])
        found[f"{name}.check.txt"] = run(["check", "--today", TODAY, str(path)])
        found[f"{name}.check.json"] = run(["check", "--format", "json", "--today", TODAY, str(path)])
        answers = work / "answers" / name  # absolute: named as <work> below
        found[f"{name}.ack.log"] = run(["ack", "--today", TODAY, "--fixed-time", FIXED, "--out", str(answers), str(path)])
        for answer in sorted(answers.glob("*")) if answers.is_dir() else []:
            found[f"{name}.ack.{answer.name}"] = answer.read_bytes()
    return {k: v.replace(str(work).encode(), b"<work>") for k, v in found.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=["record", "compare"])
    ap.add_argument("dir", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        got = outputs(Path(tmp))
    if args.action == "record":
        shutil.rmtree(args.dir, ignore_errors=True)
        args.dir.mkdir(parents=True)
        for name, data in got.items():
            (args.dir / name).write_bytes(data)
        print(f"recorded {len(got)} outputs in {args.dir}")
        return 0
    want = {p.name: p.read_bytes() for p in args.dir.iterdir()}
    differ = sorted(n for n in want.keys() | got.keys() if want.get(n) != got.get(n))
    for n in differ:
        sha = {k: hashlib.sha256(v).hexdigest()[:12] if v is not None else "missing"
               for k, v in (("recorded", want.get(n)), ("now", got.get(n)))}
        print(f"differs: {n} ({sha['recorded']} -> {sha['now']})")
    print(f"{len(got)} outputs, {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
