"""Code lists as data: small CSV files with their source in a header line, read once and cached.

Each file: a `# source: ...` line, a header row (`code,...`), then rows. A code of the form
`A0021-A0424` is a range; `codes()` expands it, and `table()` gives each expanded code the range's
row unless the code has a row of its own.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from pathlib import Path

HERE = Path(__file__).parent  # the CSV files are package data beside this module
RANGE = re.compile(r"([A-Z]?)(\d+)-([A-Z]?)(\d+)\Z")


@functools.cache
def _read(name: str) -> tuple[str, tuple[dict[str, str], ...]]:
    text = (HERE / f"{name}.csv").read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    if not first.startswith("# source:"):
        raise ValueError(f"code list {name} has no '# source:' header line")
    rows = tuple(dict(r) for r in csv.DictReader(io.StringIO(rest)))
    return first[len("# source:"):].strip(), rows


def _expand(code: str) -> list[str]:
    m = RANGE.match(code)
    if not m:
        return [code]
    prefix, lo, _, hi = m.groups()
    return [f"{prefix}{n:0{len(lo)}d}" for n in range(int(lo), int(hi) + 1)]


@functools.cache
def table(name: str) -> dict[str, dict[str, str]]:
    """code -> row; explicit rows win over range rows."""
    out: dict[str, dict[str, str]] = {}
    rows = _read(name)[1]
    for row in rows:
        if RANGE.match(row["code"]):
            for code in _expand(row["code"]):
                out.setdefault(code, row)
    for row in rows:
        if not RANGE.match(row["code"]):
            out[row["code"]] = row
    return out


@functools.cache
def codes(name: str) -> frozenset[str]:
    return frozenset(table(name))


def source(name: str) -> str:
    return _read(name)[0]
