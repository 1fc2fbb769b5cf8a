"""Split a file written by bench/gen.py (one interchange, one group, `~` terminators) into N files
between its transaction sets, each a whole interchange with its own GE and IEA counts.

    python bench/split.py FILE --parts 20 --out FOLDER

The parts are named part-01.837, part-02.837, ... and hold the sets in order, as evenly as they go.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def split(src: Path, out: Path, parts: int) -> list[Path]:
    text = src.read_text(encoding="latin-1")
    head_end = text.index("~ST*") + 1
    head = text[:head_end]  # ISA and GS
    body_end = text.rindex("~GE*") + 1
    sets = ["ST*" + s for s in text[head_end:body_end].split("~ST*") if s]
    sets[0] = sets[0][3:]  # the first kept its own "ST*"
    sets = [s if s.endswith("~") else s + "~" for s in sets]
    gs06 = head.split("~")[1].split("*")[6]
    isa13 = head[90:99]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    per, extra = divmod(len(sets), parts)
    start = 0
    for i in range(parts):
        n = per + (i < extra)
        chunk = sets[start:start + n]
        start += n
        path = out / f"part-{i + 1:02d}.837"
        path.write_text(head + "".join(chunk) + f"GE*{len(chunk)}*{gs06}~IEA*1*{isa13}~", encoding="latin-1")
        written.append(path)
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--parts", type=int, default=20)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    for path in split(a.file, a.out, a.parts):
        print(path)


if __name__ == "__main__":
    main()
