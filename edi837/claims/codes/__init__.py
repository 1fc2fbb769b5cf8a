"""Code lists as data: small CSV files with their source in a header line, read once and cached.

Each file: a `# source: ...` line, a header row (`code,...`), then rows. A code of the form
`A0021-A0424` is a range; `codes()` expands it, and `table()` gives each expanded code the range's
row unless the code has a row of its own.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import re
from pathlib import Path

from ... import durable

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


@functools.cache
def _us_zips() -> frozenset[str]:
    """Every 5-digit US ZIP code (the states, DC, the territories and military post offices), from the
    `zipcodes` package's bundled list. Turning that list into a set costs a second and 145 MB (42,000
    dicts), and the package's own look-up holds 55 MB: so the ZIPs alone are kept in the cache folder
    (210 kB, keyed by the package's version) the first time, and read from there (a few ms) after."""
    import zipcodes  # noqa: PLC0415  (here: only a claim with a pick-up ZIP pays for the list)

    cache = durable.cache_folder() / f"us-zips-{zipcodes.__version__}.txt"
    with contextlib.suppress(OSError):
        zips = frozenset(cache.read_text(encoding="ascii").split())
        if len(zips) > 40_000:  # a cut-short cache is ignored
            return zips
    zips = frozenset(row["zip_code"] for row in zipcodes.list_all())
    durable.write_cache(cache, "\n".join(sorted(zips)).encode("ascii"))
    return zips


def zip_exists(zip5: str) -> bool:
    """`zip5` (five digits: the caller checks the form) is a real US ZIP code: 62704 is; 99999, 00001
    and 00000 are not."""
    return zip5 in _us_zips()
