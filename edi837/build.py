"""Which build of edi837 runs: the hot modules compiled with mypyc, or the same sources as plain
Python (no C compiler at install time, EDI837_PURE=1, or a source tree never built). setup.py lists
the compiled modules; `edi837 --version` prints `BUILD`."""

from __future__ import annotations

from importlib.machinery import EXTENSION_SUFFIXES

from . import read


def is_compiled() -> bool:
    """Whether the reader (compiled with every other hot module, or none) is a C extension."""
    return (read.__file__ or "").endswith(tuple(EXTENSION_SUFFIXES))


BUILD = "compiled (mypyc)" if is_compiled() else "pure Python"
