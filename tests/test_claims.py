"""Claim mapping, field by field, on an inline ambulance claim."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from edi837.claims import zip5
from edi837.pipeline import parse_stream
from edi837.write.export import claim_json

from builders import CLAIM, ISA



def claims(text: str):
    return list(parse_stream(io.BytesIO(text.encode()), "inline.837"))


def test_claim_fields() -> None:
    [c] = claims(ISA + CLAIM)
    assert c.claim_id == "OK1" and c.total_charge == Decimal("1130")
    assert c.type_of_bill == "131" and c.facility_type == "13" and c.frequency == "1"
    assert c.statement_from == dt.date(2026, 9, 14) and c.statement_to == dt.date(2026, 9, 15)
    assert (c.admission_type, c.admission_source, c.patient_status) == ("1", "1", "01")
    assert c.principal_diagnosis == "S72001A" and c.other_diagnoses == ("R0789",)
    assert [x.code for x in c.condition_codes] == ["AM"]
    assert [(v.code, v.amount) for v in c.value_codes] == [("A0", "2134"), ("32", "2")]
    assert c.pickup_zip == "02134" and c.patient_count == "2"
    assert c.billing_provider.npi == "1234567893" and c.billing_provider.zip == "627040001"
    assert c.subscriber.member_id == "1EG4TE5MK73" and c.subscriber.birth_date == dt.date(1945, 3, 12)
    assert c.patient == c.subscriber and c.payer_id == "00120"
    assert c.attending_npi == "1234567893"
    assert c.transaction == "0001" and c.where.segment == "CLM" and c.where.position == 18


def test_lines_and_ambulance_view() -> None:
    [c] = claims(ISA + CLAIM)
    base, miles = c.lines
    assert (base.lx, base.revenue_code, base.procedure_code, base.modifiers) == ("1", "0540", "A0427", ("RH", "QN"))
    assert base.charge == Decimal("950") and base.units == "1" and base.line_control == "L1"
    assert base.kind == "base" and (base.origin, base.destination) == ("R", "H") and base.arrangement == "QN"
    assert miles.kind == "mileage" and miles.units == "12.5" and c.loaded_miles == "12.5"
    assert miles.service_date == dt.date(2026, 9, 14) and miles.where.position == 31
    assert not base.pronounced_dead


def test_pronounced_dead_and_arrangement() -> None:
    text = ISA + CLAIM.replace("HC:A0427:RH:QN", "HC:A0427:QL:QM")
    base = claims(text)[0].lines[0]
    assert base.pronounced_dead and base.origin == "" and base.arrangement == "QM"


@pytest.mark.parametrize("amount,expected", [("2134", "02134"), ("62704", "62704"), ("627040001", "62704"),
                                             ("1234", "01234"), ("abc", None), ("", None)])
def test_zip5(amount: str, expected: str | None) -> None:
    assert zip5(amount) == expected


def test_many_claims_in_order() -> None:
    start = CLAIM.index("CLM*")
    one = CLAIM[start:CLAIM.index("SE*")]
    body = "".join(one.replace("CLM*OK1*", f"CLM*OK{i}*") for i in range(1, 4))
    text = ISA + CLAIM[:start] + body + CLAIM[CLAIM.index("SE*"):]
    assert [c.claim_id for c in claims(text)] == ["OK1", "OK2", "OK3"]


# Text an X12 element may hold here: anything but the delimiters, quotes, backslashes and Latin-1
# letters included (the reader decodes Latin-1), which JSON must escape.
ELEMENT_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="*:^~"),
                       min_size=1, max_size=12).filter(lambda s: s.strip() == s)


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


@settings(max_examples=40, deadline=None)
@given(claim_id=ELEMENT_TEXT, total=st.sampled_from(["1130", "1130.00", "99", ""]))
def test_check_report_claim_json_is_what_json_dumps_writes(claim_id: str, total: str) -> None:
    """check's per-claim JSON (an f-string) is what json.dumps writes, findings included: a total
    that does not balance, or none, and claim ids of odd characters give the claim findings with
    quotes and escapes of their own."""
    from edi837.pipeline import Checker
    from edi837.results import TransactionResult
    from edi837.rules import Context, load_profile
    from edi837.write import report

    text = (ISA + CLAIM).replace("CLM*OK1*1130*", f"CLM*{claim_id}*{total}*")
    checker = Checker(load_profile(), Context(today=dt.date(2026, 11, 23)))
    sets = [r for r in checker.run(io.BytesIO(text.encode("latin-1")), "inline.837") if isinstance(r, TransactionResult)]
    [c] = list(sets[0].claims)
    out = report.claim_json(c)
    data = json.loads(out)
    assert out == json.dumps(data)
    assert data["claim_id"] == claim_id and data["total_charge"] == (total or None)
    assert data["status"] == c.status and (data["findings"] or total not in ("99", ""))  # unbalanced: a finding


def test_a_claim_keeps_the_guides_999_service_lines_and_counts_the_rest() -> None:
    """Memory holds one claim, and a claim at most MAX_LINES lines (the 2400 loop's repeat): lines
    past it are counted, not kept, and the JSON and text say how many."""
    from conftest import FIXTURES

    from edi837.claims import MAX_LINES
    from edi837.write.export import text_line

    text = FIXTURES[0].read_text()
    i, j = text.index("~LX*1~"), text.index("~LX*2~")
    one = text[i:j]
    lines = "".join(one.replace("~LX*1~", f"~LX*{k}~") for k in range(1, MAX_LINES + 8))
    end = text.index("~SE*")
    big = text[:i] + lines + text[end:]
    [claim] = list(parse_stream(io.BytesIO(big.encode()), "big.837"))
    assert len(claim.lines) == MAX_LINES and claim.lines[-1].lx == str(MAX_LINES)
    assert claim.lines_not_read == 7
    assert '"lines_not_read": 7, "position": ' in claim_json(claim)
    assert text_line(claim).endswith("(7 service lines past the guide's 999 not read)")
    [normal] = list(parse_stream(io.BytesIO(text.encode()), "normal.837"))
    assert normal.lines_not_read == 0 and "lines_not_read" not in claim_json(normal)
