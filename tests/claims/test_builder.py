"""The claim builder (edi837/claims/builder.py): claim mapping, field by field, on an inline ambulance claim."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from builders import CLAIM, ISA

from edi837.answers.write.export import claim_json
from edi837.engine.pipeline import parse_stream


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


def test_many_claims_in_order() -> None:
    start = CLAIM.index("CLM*")
    one = CLAIM[start:CLAIM.index("SE*")]
    body = "".join(one.replace("CLM*OK1*", f"CLM*OK{i}*") for i in range(1, 4))
    text = ISA + CLAIM[:start] + body + CLAIM[CLAIM.index("SE*"):]
    assert [c.claim_id for c in claims(text)] == ["OK1", "OK2", "OK3"]


def test_a_claim_keeps_the_guides_999_service_lines_and_counts_the_rest() -> None:
    """Memory holds one claim, and a claim at most MAX_LINES lines (the 2400 loop's repeat): lines
    past it are counted, not kept, and the JSON and text say how many."""
    from conftest import FIXTURES

    from edi837.answers.write.export import text_line
    from edi837.claims import MAX_LINES

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


def test_every_field_lands_in_its_place() -> None:
    """Claim and ServiceLine are built positionally (a keyword call cost 4% of a parse): each field is
    read back here, so a swapped argument fails."""
    text = (ISA + CLAIM).replace("CL1*1*1*01~", "CL1*1*1*01~REF*F8*PAYERCCN~REF*D9*TRACE9~").replace(
        "HC:A0425:RH:QN*180*UN*12.5", "HC:A0425:RH:QN*180*UN*12.5**30").replace("13:A:1", "13:B:7")
    [c] = claims(text)
    assert (c.facility_type, c.facility_qualifier, c.frequency) == ("13", "B", "7")
    assert (c.payer_claim_number, c.clearinghouse_trace) == ("PAYERCCN", "TRACE9")
    assert c.period_where.segment == "DTP" and c.period_where.element == "DTP03"
    assert c.cl1_where.segment == "CL1" and c.where.segment == "CLM"
    assert c.hl_subscriber == "2" and c.hl_patient == "" and c.file == "inline.837"
    assert c.payer_name == "MEDICARE PART A" and c.total_charge_text == "1130"
    assert c.ambulance_lines == c.lines and c.lines_not_read == 0
    base, miles = c.lines
    assert (miles.charge, miles.charge_text, miles.unit_basis) == (Decimal("180"), "180", "UN")
    assert (miles.non_covered, miles.non_covered_text) == (Decimal("30"), "30")
    assert (miles.service_date_text, miles.date_where.segment) == ("20260914", "DTP")
    assert (base.procedure_qualifier, base.line_control, base.origin_destination) == ("HC", "L1", "RH")
    assert miles.line_control == "" and not miles.pronounced_dead
