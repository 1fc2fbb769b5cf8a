"""Values copied into an answer fit the answer's element, whatever the claim held."""

from __future__ import annotations

from decimal import Decimal

import pytest

from edi837.answers.write import values
from edi837.answers.write.values import amount, fit
from edi837.x12 import guide
from edi837.x12.read import Delimiters


@pytest.mark.parametrize("value,data_ele,want", [
    ("756048Q", "127", "756048Q"),  # a claim id as TRN02
    ("X" * 67, "127", "X" * 50),  # cut to TRN02's 50
    ("A*B:C~D^E", "127", "A B C D E"),  # our delimiters never pass through
    ("caf\xe9\x01", "1035", "caf??"),  # outside the X12 extended set
    ("Z", "1339", ""),  # a modifier is two characters
    ("RH", "1339", "RH"),
    ("12.5", "380", "12.5"), ("UN", "380", ""), ("1" * 16, "380", ""),  # quantities are numbers of 1-15 digits
    ("  ", "127", ""),
])
def test_fit(value: str, data_ele: str, want: str) -> None:
    assert fit(value, data_ele) == want


def test_fit_uses_the_given_delimiters() -> None:
    assert fit("A|B", "127", Delimiters("|", ">", "^", "~")) == "A B"


def test_amount() -> None:
    assert amount(Decimal("1130")) == "1130.00"
    assert amount(None) == "0.00"
    assert amount(Decimal("9" * 20)) == "0.00"  # 23 characters: more than an amount can carry


def test_values_reads_data_elements_through_the_public_accessor() -> None:
    zip_code = guide.data_elements()["116"]
    assert (zip_code.name, zip_code.data_type, zip_code.min_len, zip_code.max_len) == ("Postal Code", "ID", 3, 15)
    assert values.fit("12345678901234567890", "116") == "123456789012345"
