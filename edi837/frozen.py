"""`@frozen`: a frozen, slotted dataclass, built about twice as fast as dataclasses builds one.

A frozen dataclass's generated `__init__` sets each field with `object.__setattr__(self, name,
value)`, a lookup by name per field. The `__init__` written here calls each slot's own setter
instead. A claim sets some 140 fields (claim, lines, codes, locations), so this was a quarter of the
time to build one. Everything else (equality, hash, repr, `dataclasses.replace`, the
FrozenInstanceError on assignment) is dataclasses' own.
"""

from __future__ import annotations

import dataclasses
import operator
from typing import TypeVar

T = TypeVar("T", bound=type)


def frozen(cls: T) -> T:
    special = [v for v in vars(cls).values() if isinstance(v, dataclasses.Field)]
    if hasattr(cls, "__post_init__") or special:  # init=False, default_factory ...: dataclasses' own __init__
        return dataclasses.dataclass(frozen=True, slots=True)(cls)
    cls = dataclasses.dataclass(frozen=True, slots=True, init=False)(cls)
    fields = dataclasses.fields(cls)
    env: dict[str, object] = {}
    params, body = [], []
    for i, f in enumerate(fields):
        env[f"_set{i}"] = getattr(cls, f.name).__set__  # the slot's member descriptor
        if f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            env[f"_default{i}"] = f.default
            params.append(f"{f.name}=_default{i}")
        body.append(f"    _set{i}(self, {f.name})\n")
    exec(f"def __init__(self, {', '.join(params)}):\n{''.join(body) or '    pass'}\n", env)  # noqa: S102
    init = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init
    # Pickled as a call with the field values (the compiled guide's cache, claims spooled to disk):
    # dataclasses' own __setstate__ for a frozen slotted class is several times slower.
    values = operator.attrgetter(*(f.name for f in fields))
    if len(fields) == 1:
        cls.__reduce__ = lambda self: (cls, (values(self),))
    else:
        cls.__reduce__ = lambda self: (cls, values(self))
    return cls
