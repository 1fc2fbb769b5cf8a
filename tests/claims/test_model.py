"""The claim model (edi837/claims/model.py): values read from a claim as the model keeps them."""

from __future__ import annotations

import pytest
from conftest import ROOT

from edi837.claims import zip5


@pytest.mark.parametrize("amount,expected", [("2134", "02134"), ("62704", "62704"), ("627040001", "62704"),
                                             ("1234", "01234"), ("abc", None), ("", None), ("62704.00", "62704"),
                                             ("0062704", "62704"), ("021341234", "02134"), ("627041", None),
                                             ("21341234", None), ("62704.5", None), ("-62704", None), (".5", None)])
def test_zip5(amount: str, expected: str | None) -> None:
    assert zip5(amount) == expected


def test_model_values_compare_hash_copy_and_pickle_by_their_attributes() -> None:
    """The same in both builds: in the compiled one the model's classes are native (see `Value`)."""
    import pickle  # noqa: PLC0415

    from edi837 import parse  # noqa: PLC0415
    from edi837.claims import Where  # noqa: PLC0415
    from edi837.claims.model import Value  # noqa: PLC0415

    w = Where("2400", "SV2", 12, "SV205")
    assert (w.offset, w.line) == (-1, 0)
    assert w == Where("2400", "SV2", 12, "SV205") and hash(w) == hash(Where("2400", "SV2", 12, "SV205"))
    assert w != Where("2400", "SV2", 12, "SV206") and w != ("2400", "SV2", 12, "SV205", -1, 0)
    assert w.replace(element="SV201") == Where("2400", "SV2", 12, "SV201") and w.element == "SV205"
    assert repr(w) == "Where(loop='2400', segment='SV2', position=12, element='SV205', offset=-1, line=0)"
    [claim] = parse(ROOT / "fixtures" / "bls-emergency.837")
    assert isinstance(claim, Value) and pickle.loads(pickle.dumps(claim)) == claim
    assert claim.replace(claim_id="X").claim_id == "X" and claim.replace(claim_id="X") != claim
