"""Claims as plain data: the JSON written with f-strings is exactly what json.dumps writes."""

from __future__ import annotations

import io
import json

from builders import CLAIM, ELEMENT_TEXT, ISA
from hypothesis import given, settings
from hypothesis import strategies as st

from edi837.answers.write.export import claim_json
from edi837.engine.pipeline import parse_stream


@settings(max_examples=60, deadline=None)
@given(last=ELEMENT_TEXT, claim_id=ELEMENT_TEXT, units=ELEMENT_TEXT, count=st.sampled_from(["", "2", "1.5"]))
def test_claim_json_is_what_json_dumps_writes(last: str, claim_id: str, units: str, count: str) -> None:
    """The f-string JSON writer escapes and spaces exactly as json.dumps does, and round-trips."""
    text = (ISA + CLAIM).replace("*DOE*", f"*{last}*").replace("CLM*OK1*", f"CLM*{claim_id}*")
    text = text.replace("*UN*12.5~", f"*UN*{units}~").replace("BE:32:::2", f"BE:32:::{count}")
    [c] = list(parse_stream(io.BytesIO(text.encode("latin-1")), "inline.837"))
    out = claim_json(c)
    data = json.loads(out)
    assert out == json.dumps(data)
    assert (data["claim_id"], data["subscriber"]["last"], data["lines"][1]["units"]) == (claim_id, last, units)
    assert data["value_codes"] == [{"code": "A0", "amount": "2134"}, {"code": "32", "amount": count or None}]
    assert data["patient_count"] == count and data["pickup_zip"] == "02134"  # present but empty is ""
    assert data["lines"][0]["line_control"] == "L1" and data["lines"][1]["line_control"] is None
    assert data["lines"][0]["pronounced_dead"] is False and data["attending_npi"] == "1234567893"
