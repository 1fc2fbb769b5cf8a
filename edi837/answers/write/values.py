"""Values copied from a claim into an answer, made to fit the answer's own element.

An answer must be valid even when the claim it answers is not (a rejected claim is usually rejected
for a value that is too long or malformed). Each copied value is fitted to its data element as
pyx12's dataele.xml defines it: our delimiters and characters outside the X12 extended set are
replaced, text is cut to the maximum length, and a number that is not one is left out.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

from ...x12 import guide
from ...x12.datatypes import BAD_CHAR, valid_type
from ...x12.read import DEFAULT_DELIMITERS, Delimiters

CENTS = Decimal("0.01")


@functools.cache
def _limits(data_ele: str) -> tuple[str, bool, int, int]:
    """Data element `data_ele`'s type, whether it is a number, and its least and greatest length."""
    spec = guide.data_elements()[data_ele]
    return spec.data_type, spec.data_type == "R" or spec.data_type[0] == "N", spec.min_len, spec.max_len


def fit(value: str, data_ele: str, d: Delimiters = DEFAULT_DELIMITERS) -> str:
    """`value` as data element `data_ele` can carry it, or "" when it cannot carry it at all."""
    data_type, number, min_len, max_len = _limits(data_ele)
    if not (value.isascii() and value.isalnum()):  # letters and digits are neither delimiters nor bad characters
        for ch in d:
            if ch:
                value = value.replace(ch, " ")
        value = (value if number else BAD_CHAR.sub("?", value)).strip()
    if number:
        digits = len(value.replace("-", "").replace(".", ""))
        return value if valid_type(value, data_type) and min_len <= digits <= max_len else ""
    value = value[:max_len].rstrip()
    return value if len(value) >= min_len else ""


@functools.lru_cache(maxsize=4096)  # the dates of a file's claims repeat
def ymd(day: dt.date) -> str:
    """A date as data element 1251 carries it with format D8 (CCYYMMDD)."""
    return day.strftime("%Y%m%d")


def amount(value: Decimal | None) -> str:
    """A monetary amount (data element 782) with cents; 0 when the claim's own amount cannot be carried."""
    text = format((value or Decimal(0)).quantize(CENTS), "f") if value is not None and value.is_finite() else ""
    return fit(text, "782") or "0.00"
