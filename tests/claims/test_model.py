"""The claim model (edi837/claims/model.py): values read from a claim as the model keeps them."""

from __future__ import annotations

import pytest

from edi837.claims import zip5


@pytest.mark.parametrize("amount,expected", [("2134", "02134"), ("62704", "62704"), ("627040001", "62704"),
                                             ("1234", "01234"), ("abc", None), ("", None)])
def test_zip5(amount: str, expected: str | None) -> None:
    assert zip5(amount) == expected
