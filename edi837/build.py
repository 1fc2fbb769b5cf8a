"""Which build of edi837 runs: the hot modules compiled with mypyc, or the same sources as plain
Python (no C compiler at install time, EDI837_PURE=1, or a source tree never built). setup.py lists
the compiled modules; `edi837 --version` prints `BUILD`."""

from __future__ import annotations

import os
from importlib.machinery import EXTENSION_SUFFIXES

from .x12 import read


def is_compiled() -> bool:
    """Whether the reader (compiled with every other hot module, or none) is a C extension."""
    return (read.__file__ or "").endswith(tuple(EXTENSION_SUFFIXES))


BUILD = "compiled (mypyc)" if is_compiled() else "pure Python"


def stale(package: str = os.path.dirname(os.path.abspath(__file__))) -> list[str]:
    """Sources edited since their compile, in an editable (in-place) compiled install: Python imports
    the compiled module beside each, so the edit has no effect until `pip install -e .` runs again
    (or `EDI837_PURE=1 pip install -e .`). Empty in a pure build or a fresh install."""
    found = []
    for folder, _, names in os.walk(package):
        for name in names:
            if name.endswith(tuple(EXTENSION_SUFFIXES)):
                source = os.path.join(folder, name.split(".", 1)[0] + ".py")
                if os.path.exists(source) and os.path.getmtime(source) > os.path.getmtime(os.path.join(folder, name)):
                    found.append(os.path.relpath(source, os.path.dirname(package)))
    return sorted(found)
