"""`@frozen`: a frozen, slotted dataclass whose instances are made about three times faster than
dataclasses makes them, and which is itself made in a third of the time.

A frozen dataclass's generated `__init__` sets each field with `object.__setattr__(self, name,
value)`, because the class's own `__setattr__` refuses. Here the instance is made as a twin class
with the same slots and no such guard, which sets each slot as fast as any attribute store, and then
becomes the frozen class (`__class__` assignment: the layouts are identical). That happens in
`__new__`, which takes the fields as `__init__` would. (The claim model, whose some 140 fields
made this matter most, is now plain classes that mypyc compiles: see `claims.model.Value`.)

Equality, hash and repr compare, hash and show the fields in order, as dataclasses' own do, but are
closures over one attrgetter instead of code compiled per class: compiling them was most of the
1.6 ms dataclasses takes to make a class, and the CLI makes some twenty at every start (so the
class's `__dataclass_params__` say eq and repr False: they are not dataclasses'). The frozen
`__setattr__`/`__delattr__`, `fields()`, `replace()` and `asdict()` are dataclasses' own. A subclass
must be `@frozen` itself: its instances need a twin of their own layout.
"""

from __future__ import annotations

import dataclasses
import operator
from typing import Any, TypeVar, cast, dataclass_transform

T = TypeVar("T", bound=type)


@dataclass_transform(frozen_default=True)
def frozen(cls: T) -> T:
    special = [v for v in vars(cls).values() if isinstance(v, dataclasses.Field)]
    if hasattr(cls, "__post_init__") or special:  # init=False, default_factory ...: dataclasses' own __init__
        return cast(T, dataclasses.dataclass(frozen=True, slots=True)(cls))
    if not cls.__doc__:  # else dataclasses works out the class's signature (with inspect) to write one
        cls.__doc__ = f"{cls.__name__}({', '.join(cls.__dict__.get('__annotations__', ()))})"
    cls = cast(T, dataclasses.dataclass(frozen=True, slots=True, init=False, repr=False, eq=False)(cls))
    fields = dataclasses.fields(cls)
    names = tuple(f.name for f in fields)
    cls.__new__ = _new(cls, fields)  # type: ignore[method-assign]  # a plain function: type() passes the class
    values = operator.attrgetter(*names) if len(names) > 1 else (lambda self: (getattr(self, names[0]),))

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(values(self))

    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{n}={v!r}" for n, v in zip(names, values(self)))
        return f"{self.__class__.__qualname__}({shown})"

    # Pickled as a call with the field values (the compiled guide's cache, claims spooled to disk):
    # dataclasses' own __setstate__ for a frozen slotted class is several times slower.
    def __reduce__(self: Any) -> tuple:
        return cls, values(self)

    for method in (__eq__, __hash__, __repr__, __reduce__):
        method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
        setattr(cls, method.__name__, method)
    return cls


def _new(cls: type, fields: tuple[dataclasses.Field, ...]) -> Any:
    twin = type(f"_{cls.__name__}Unfrozen", (), {"__slots__": cls.__slots__})  # type: ignore[attr-defined]
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
    new.__qualname__ = f"{cls.__qualname__}.__new__"  # type: ignore[attr-defined]
    return new
