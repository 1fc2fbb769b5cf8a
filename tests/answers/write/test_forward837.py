"""The forward 837: the accepted claims read back as they were sent, each with its own trace number
(the one its 277CA reports)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import FIXTURES

from edi837.claims import Where, is_ambulance_line
from edi837.engine.pipeline import parse_stream


def claims_of(path: Path) -> list:
    return list(parse_stream(io.BytesIO(path.read_bytes()), "x"))


NOWHERE = Where("", "", 0)  # where a claim or line sits differs between the two files: not compared


def comparable(c) -> object:
    lines = tuple(ln.replace(where=NOWHERE, date_where=None) for ln in c.lines)
    bp = c.billing_provider.replace(where=None, street_where=None, tax_id_where=None, taxonomy_where=None)
    att = c.attending.replace(where=None) if c.attending else None
    codes = {k: tuple(x.replace(where=None) for x in getattr(c, k))
             for k in ("condition_codes", "value_codes", "occurrence_codes", "diagnosis_codes")}
    return c.replace(where=NOWHERE, period_where=None, cl1_where=None, lines=lines, billing_provider=bp, attending=att, file="", **codes,
                               subscriber=c.subscriber.replace(where=None), patient=c.patient.replace(where=None),
                               transaction="", hl_subscriber="", hl_patient="", clearinghouse_trace="",
                               ambulance_lines=tuple(ln for ln in lines if is_ambulance_line(ln)))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_round_trip_forward_837(answered: Path, path: Path) -> None:
    original = claims_of(path)
    forwarded = claims_of(answered / f"{path.name}.accepted.837")
    assert [comparable(c) for c in forwarded] == [comparable(c) for c in original]
    traces = [c.clearinghouse_trace for c in forwarded]
    assert all(traces) and len(set(traces)) == len(traces)
    text277 = (answered / f"{path.name}.277ca").read_text()
    for t in traces:
        assert f"REF*D9*{t}~" in text277
