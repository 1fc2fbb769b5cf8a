"""The forward 837: the accepted claims read back as they were sent, each with its own trace number
(the one its 277CA reports)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from builders import comparable
from conftest import FIXTURES

from edi837.engine.pipeline import parse_stream


def claims_of(path: Path) -> list:
    return list(parse_stream(io.BytesIO(path.read_bytes()), "x"))


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
