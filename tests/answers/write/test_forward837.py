"""The forward 837: the accepted claims read back as they were sent, each with its own trace number
(the one its 277CA reports)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import FIXTURES

from edi837.claims import Where
from edi837.claims.model import Value
from edi837.engine.pipeline import parse_stream


def claims_of(path: Path) -> list:
    return list(parse_stream(io.BytesIO(path.read_bytes()), "x"))


NOWHERE = Where("", "", 0)  # a Where still (the compiled model refuses None where one is required)
PLACE = ("file", "transaction", "hl_subscriber", "hl_patient", "clearinghouse_trace")  # where it was sent


def nowhere(value: object) -> object:
    """`value` with every Where in it (of the claim, its lines, providers, people, codes, CR1, CRC,
    pick-up and drop-off ...) blanked: where a claim sits differs between the two files."""
    if isinstance(value, Where):
        return NOWHERE
    if isinstance(value, tuple):
        return tuple(nowhere(x) for x in value)
    if isinstance(value, Value):
        return value.replace(**{k: nowhere(v) for k, v in value._state().items()})
    return value


def comparable(c) -> object:
    return nowhere(c.replace(**{k: "" for k in PLACE}))


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
