"""The envelope state machine: control numbers and counts of ISA/GS/ST against IEA/GE/SE."""

from __future__ import annotations

import io

import pytest
from builders import CLAIM, ISA

from edi837.x12.envelope import Envelope, Refused
from edi837.x12.read import segments

GOOD = ISA + CLAIM


def errors(text: str) -> list[tuple[str, str, str]]:
    """(level, code, segment id) of every envelope error, in file order, the end of input included."""
    env = Envelope("inline.837")
    found = []
    last = None
    for seg in segments(io.BytesIO(text.encode()), "inline.837"):
        found += env.feed(seg)
        last = seg
    found += env.end(last)
    return [(e.level, e.code, e.segment_id) for e in found]


def edit(old: str, new: str) -> str:
    assert GOOD.count(old) == 1, old
    return GOOD.replace(old, new)


def test_a_good_envelope_has_no_errors() -> None:
    assert errors(GOOD) == []


@pytest.mark.parametrize("old,new,expected", [
    ("SE*33*0001", "SE*33*0002", ("transaction", "3", "SE")),  # SE02 is not ST02
    ("SE*33*0001", "SE*32*0001", ("transaction", "4", "SE")),  # SE01 miscounts the segments
    ("GE*1*101", "GE*1*102", ("group", "4", "GE")),  # GE02 is not GS06
    ("GE*1*101", "GE*2*101", ("group", "5", "GE")),  # GE01 miscounts the sets
    ("IEA*1*000000101", "IEA*1*000000102", ("interchange", "001", "IEA")),  # IEA02 is not ISA13
    ("IEA*1*000000101", "IEA*3*000000101", ("interchange", "021", "IEA")),  # IEA01 miscounts the groups
])
def test_a_wrong_control_number_or_count_is_one_error(old: str, new: str, expected: tuple) -> None:
    assert errors(edit(old, new)) == [expected]


def test_a_missing_trailer_is_found_at_the_next_envelope_segment() -> None:
    assert errors(edit("SE*33*0001~", "")) == [("transaction", "2", "GE")]
    assert errors(edit("GE*1*101~", "")) == [("group", "3", "IEA")]


def test_what_the_input_leaves_open_is_missing_and_marked_truncated() -> None:
    env = Envelope("cut.837")
    segs = list(segments(io.BytesIO(GOOD.split("SE*")[0].encode()), "cut.837"))
    for seg in segs:
        assert not env.feed(seg)
    left = env.end(segs[-1])
    assert [(e.level, e.code) for e in left] == [("transaction", "2"), ("group", "3"), ("interchange", "023")]
    assert all(e.truncated and "the input ends after" in e.message for e in left)


def test_an_isa_control_number_a_ta1_cannot_echo_is_said() -> None:
    isa = next(iter(segments(io.BytesIO(edit("*000000101*0*T", "*00000010X*0*T").encode()), "x")))
    assert [e.code for e in Envelope.isa_values(isa)] == ["018"]
    good = next(iter(segments(io.BytesIO(GOOD.encode()), "x")))
    assert Envelope.isa_values(good) == []


def test_another_transaction_set_is_refused_naming_its_element() -> None:
    with pytest.raises(Refused) as exc:
        errors(edit("ST*837*0001", "ST*835*0001"))
    assert exc.value.level == "transaction" and exc.value.code == "1"
