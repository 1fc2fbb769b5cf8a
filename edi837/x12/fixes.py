"""How to fix an element error, in words: the formats of dates and times, what a number looks like,
how long an element must be, which codes it takes. The element checks (validate.py) only say which
error; this is what the clerk reads after it. Never a value from the file."""

from __future__ import annotations

from typing import Final

from .guide import ElementSpec

# What each date or time format looks like, for the messages and fixes.
FORMATS = {
    "D8": "a date, CCYYMMDD (e.g. 20240131)", "DT": "a date, CCYYMMDD (e.g. 20240131)",
    "D6": "a date, YYMMDD (e.g. 240131)", "RD8": "a date range, CCYYMMDD-CCYYMMDD (e.g. 20240101-20240131)",
    "TM": "a time, HHMM on a 24-hour clock (e.g. 1430)", "DTM": "a date and time, CCYYMMDDHHMM",
}
SHAPES = {"D8": "CCYYMMDD", "DT": "CCYYMMDD", "D6": "YYMMDD", "RD8": "CCYYMMDD-CCYYMMDD", "TM": "HHMM",
          "DTM": "CCYYMMDDHHMM"}
NUMBER_FIX = {
    "R": "write a decimal number such as 125.50: digits, one optional point, no $ or commas",
    "N0": "write a whole number: digits only",
    "N2": "write the amount as digits only, with two implied decimals (12550 for 125.50)",
    "N": "write a whole number: digits only",
}
MAX_CODES_LISTED: Final = 12


def units(spec: ElementSpec, n: int = 2) -> str:
    unit = "digit" if spec.data_type == "R" or spec.data_type[0] == "N" else "character"
    return unit if n == 1 else unit + "s"


def length_fix(spec: ElementSpec) -> str:
    if spec.min_len == spec.max_len:
        return f"write {spec.ref} with exactly {spec.max_len} {units(spec, spec.max_len)}"
    return f"write {spec.ref} with {spec.min_len} to {spec.max_len} {units(spec)}"


def code_fix(spec: ElementSpec) -> str:
    if spec.codes and len(spec.codes) <= MAX_CODES_LISTED and not spec.external:
        return f"use one of the codes the guide allows in {spec.ref}: {', '.join(sorted(spec.codes))}"
    if spec.external:
        return f"use a valid code from the {spec.external} code list in {spec.ref}"
    return f"use one of the codes the {spec.guide} guide lists for {spec.ref}"


def date_fix(spec: ElementSpec, types: tuple[str, ...] = ()) -> str:
    kinds = [FORMATS[t] for t in (types or (spec.data_type,)) if t in FORMATS]
    return f"write {spec.ref} as {' or '.join(dict.fromkeys(kinds)) or FORMATS['D8']}"
