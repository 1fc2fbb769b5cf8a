"""The clearinghouse trace number of a forwarded claim (edi837/write/trace.py)."""

from __future__ import annotations

from builders import a_claim

from edi837.answers.write.trace import trace, trace_number
from edi837.engine.results import ClaimResult


def test_a_trace_number_is_fixed_width_and_found_from_the_claims_place() -> None:
    assert trace_number(42, 3, 7) == "000000042" "00003" "000007"
    numbers = {trace_number(42, s, c) for s in (1, 2, 99_999) for c in (1, 2, 999_999)}
    assert len(numbers) == 9 and {len(n) for n in numbers} == {20}


def test_a_place_too_far_for_the_fixed_width_gets_a_form_that_cannot_equal_it() -> None:
    wide = trace_number(42, 100_000, 1)
    assert wide == "42-100000-1" and len(trace_number(42, 1, 1_000_000).split("-")) == 3


def test_a_claims_own_ref_d9_is_its_trace() -> None:
    def claim(own: str) -> ClaimResult:
        return ClaimResult(claim=a_claim(clearinghouse_trace=own), findings=[], inherited=[], number=5)

    assert trace(claim("THEIRS123"), 42, 2) == "THEIRS123"
    assert trace(claim(""), 42, 2) == trace_number(42, 2, 5)
