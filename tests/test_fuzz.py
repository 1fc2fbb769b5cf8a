"""Mutated fixtures and arbitrary bytes: only the reader's own error, never a defect of ours."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edi837 import rules
from edi837.pipeline import Checker, check_file, parse_stream
from edi837.read import EdiError

pytestmark = pytest.mark.skipif(not FIXTURES, reason="no fixtures")
DATA = [p.read_bytes() for p in FIXTURES]


def mutate(data: bytes, ops: list[tuple[int, int, bytes]]) -> bytes:
    """Apply (kind, where, junk) edits: replace, drop, duplicate or insert a byte run or a segment."""
    for kind, where, junk in ops:
        where %= max(len(data), 1)
        if kind == 0:
            data = data[:where] + junk + data[where + len(junk):]
        elif kind == 1:
            data = data[:where] + data[where + len(junk) + 1:]
        elif kind == 2:  # duplicate the segment around `where`
            start = data.rfind(b"~", 0, where) + 1
            end = data.find(b"~", where) + 1 or len(data)
            data = data[:end] + data[start:end] + data[end:]
        else:
            data = data[:where] + junk + data[where:]
    return data


mutations = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 1 << 20),
                               st.binary(min_size=1, max_size=4) | st.sampled_from([b"*", b":", b"~", b"^", b"*X"])),
                     min_size=1, max_size=4)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(DATA) - 1 if DATA else 0), mutations)
def test_parse_raises_only_edierror(i: int, ops) -> None:
    data = mutate(DATA[i], ops)
    try:
        for _ in parse_stream(io.BytesIO(data), "mutant.837"):
            pass
    except EdiError:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(DATA) - 1 if DATA else 0), mutations)
def test_check_never_fails_inside(tmp_path_factory, i: int, ops) -> None:
    path = tmp_path_factory.mktemp("m") / "mutant.837"
    path.write_bytes(mutate(DATA[i], ops))
    checker = Checker(rules.load_profile(), rules.Context(today=dt.date(2026, 11, 22)))
    result = check_file(str(path), checker)
    assert result.error is None or "internal error" not in str(result.error), result.error
    for t in result.transactions:  # every finding is located
        for f in t.findings + [x for c in t.claims for x in c.all_findings]:
            assert f.segment or f.position or f.scope != "claim", f
