"""`@frozen`: a frozen, slotted dataclass, built several times faster than dataclasses builds one.

A frozen dataclass's generated `__init__` sets each field with `object.__setattr__(self, name,
value)`, because the class's own `__setattr__` refuses. Here the instance is made as a twin class
with the same slots and no such guard, which sets each slot as fast as any attribute store, and then
becomes the frozen class (`__class__` assignment: the layouts are identical). That happens in
`__new__`, which takes the fields as `__init__` would. A claim sets some 140 fields (claim, lines,
codes, locations), and the slot-by-slot way was a tenth of the time to parse a file. Everything else
(equality, hash, repr, `dataclasses.replace`, the FrozenInstanceError on assignment) is dataclasses'
own.
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
    twin = type(f"_{cls.__name__}Unfrozen", (), {"__slots__": cls.__slots__})
    env: dict[str, object] = {"_new": object.__new__, "_twin": twin}
    params, body = [], []
    for i, f in enumerate(fields):
        if f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            env[f"_default{i}"] = f.default
            params.append(f"{f.name}=_default{i}")
        body.append(f"    self.{f.name} = {f.name}\n")
    exec(f"def __new__(cls, {', '.join(params)}):\n    self = _new(_twin)\n{''.join(body)}"  # noqa: S102
         "    self.__class__ = cls\n    return self\n", env)
    new = env["__new__"]
    new.__qualname__ = f"{cls.__qualname__}.__new__"
    cls.__new__ = new  # a plain function: type() calls it with the class, as for any __new__
    # Pickled as a call with the field values (the compiled guide's cache, claims spooled to disk):
    # dataclasses' own __setstate__ for a frozen slotted class is several times slower.
    values = operator.attrgetter(*(f.name for f in fields))
    if len(fields) == 1:
        cls.__reduce__ = lambda self: (cls, (values(self),))
    else:
        cls.__reduce__ = lambda self: (cls, values(self))
    return cls
