"""The clearinghouse trace number of a forwarded claim (its REF*D9), which the 277CA reports too."""

from __future__ import annotations

from ...engine.results import ClaimResult


def trace_number(control: int, set_number: int, claim: int) -> str:
    """The clearinghouse trace of the `claim`-th claim of the input's `set_number`-th set, forwarded
    under `control`: unique, and found from the claim's place alone."""
    if set_number < 100_000 and claim < 1_000_000:
        return f"{control:09d}{set_number:05d}{claim:06d}"
    return f"{control}-{set_number}-{claim}"  # cannot equal the fixed-width form


def trace(c: ClaimResult, control: int, set_number: int) -> str:
    """The claim's trace: its own REF*D9 if it has one, else the number it is given here."""
    return c.claim.clearinghouse_trace or trace_number(control, set_number, c.number)
