"""X12 amounts as the claim model reads them: an R (decimal) element as a Decimal (`money`), and value
code A0's amount as a 5-digit ZIP (`zip5`). Both are cached: charges, units and ZIPs repeat across claims.
"""

from __future__ import annotations

import functools
from decimal import Decimal

from ..x12.datatypes import NUMBER_R

MONEY_DIGITS = 18  # the most digits an R element carries (monetary amounts, data element 782)


@functools.lru_cache(maxsize=4096)  # charges and dates repeat across claims; Decimal and date are immutable
def money(text: str) -> Decimal | None:
    """An R (decimal) element as a Decimal, or None when it is not one (the guide check reports it where
    it is): "1E40" or 19 digits would overflow sums and the answers' amounts. The one decimal reader:
    amounts, units, value code amounts."""
    if not NUMBER_R.match(text) or not 1 <= sum(ch.isdigit() for ch in text) <= MONEY_DIGITS:
        return None
    return Decimal(text)


@functools.lru_cache(maxsize=4096)
def zip5(amount: str) -> str | None:
    """Value code A0's amount as a 5-digit ZIP code, or None when it is not one (whether that ZIP
    exists is the rule's to say: AMB008). The amount is an X12 decimal, so leading zeros may be
    dropped and zero decimals added: a whole number of at most 5 digits is a ZIP, left-padded
    (2134 is 02134, 62704.00 is 62704); exactly 9 digits are a ZIP+4, whose first five price the
    trip. 6, 7 or 8 digits (627041 is not 62704), a fraction, a sign or an exponent are not a ZIP."""
    whole, dot, fraction = amount.partition(".")
    if not whole.isascii() or not whole.isdigit() or fraction.strip("0"):
        return None
    if len(whole) == 9:
        return whole[:5]
    value = whole.lstrip("0")
    return value.zfill(5) if len(value) <= 5 else None
