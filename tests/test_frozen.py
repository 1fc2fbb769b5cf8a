"""`@frozen` builds faster than dataclasses' frozen __init__, and must behave exactly like it."""

import dataclasses

import pytest

from edi837.findings import Finding
from edi837.frozen import frozen


@frozen
class Sample:
    a: str
    b: int = 3
    c: tuple[str, ...] = ()


def test_fields_defaults_and_keywords():
    assert Sample("x") == Sample(a="x", b=3, c=())
    assert Sample("x", 4, ("y",)).c == ("y",)
    assert repr(Sample("x")) == "Sample(a='x', b=3, c=())"
    with pytest.raises(TypeError):
        Sample()  # a is required
    with pytest.raises(TypeError):
        Sample("x", d=1)  # no such field


def test_immutable_hashable_and_replace():
    s = Sample("x")
    assert type(s) is Sample and isinstance(s, Sample)  # made as its unfrozen twin, handed out frozen
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.a = "y"
    with pytest.raises(dataclasses.FrozenInstanceError):
        del s.b
    assert hash(s) == hash(Sample("x"))
    assert dataclasses.replace(s, b=9) == Sample("x", 9)
    assert not hasattr(s, "__dict__")  # slotted


def test_findings_use_it():
    assert Finding(rule="AMB006", severity="error", message="m").scope == "claim"
    with pytest.raises(dataclasses.FrozenInstanceError):
        Finding(rule="AMB006", severity="error", message="m").rule = "AMB007"


@frozen
class One:
    a: str


def test_pickles_as_a_constructor_call():
    import pickle

    for obj in (Sample("x", 5, ("y",)), One("z")):
        assert pickle.loads(pickle.dumps(obj)) == obj
