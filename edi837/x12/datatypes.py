"""The X12 data types read once, for every layer: R (decimal) and N (whole) numbers, D8/DT/D6 dates,
TM times, and the 5010 extended character set. The element checks (validate.py) say whether a value
has its type; the claim model reads its numbers and dates with these same patterns (claims.model)."""

from __future__ import annotations

import datetime as dt
import functools
import re

NUMBER_N = re.compile(r"-?[0-9]+\Z", re.ASCII)
NUMBER_R = re.compile(r"-?[0-9]*(\.[0-9]+)?\Z", re.ASCII)  # an R element: no exponent, no "+"
# The 5010 extended character set (pyx12's rec_ID_E5): anything else is an invalid character.
BAD_CHAR = re.compile(r"""[^A-Z0-9!"&'()*+,\-\./:;?= a-z%~@\[\]_{}\\|<>^`#$]""", re.ASCII)
DIGITS = re.compile(r"[0-9]+\Z", re.ASCII)


@functools.lru_cache(maxsize=4096)
def date8(text: str) -> dt.date | None:
    """A CCYYMMDD date (D8), or None when `text` is not one: the one date reader of the package."""
    if len(text) != 8 or not DIGITS.match(text):
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def valid_date(v: str) -> bool:
    """CCYYMMDD, YYMMDD, or CCYYMMDDHHMM (pyx12 accepts the 12-digit date-time as a DT date)."""
    if len(v) not in (6, 8, 12) or not DIGITS.match(v):
        return False
    if len(v) == 6:
        v = ("20" if int(v[:2]) < 50 else "19") + v
    day = date8(v[:8])
    return day is not None and day.year >= 1800


def valid_time(v: str) -> bool:
    if not DIGITS.match(v) or len(v) not in (4, 6, 7, 8):
        return False
    return v[:2] <= "23" and v[2:4] <= "59" and (len(v) == 4 or v[4:6] <= "59")


def valid_type(v: str, data_type: str) -> bool:
    if data_type[0] == "N":
        return bool(NUMBER_N.match(v))
    if data_type == "R":
        return bool(NUMBER_R.match(v)) and v not in ("", "-")
    if data_type in ("ID", "AN"):
        return not BAD_CHAR.search(v)
    if data_type == "RD8":
        start, sep, end = v.partition("-")
        return bool(sep) and valid_date(start) and valid_date(end) and len(start) == len(end) == 8
    if data_type in ("DT", "D8", "D6"):
        return valid_date(v) and (data_type != "D8" or len(v) == 8) and (data_type != "D6" or len(v) == 6)
    if data_type == "TM":
        return valid_time(v)
    return True
