"""Build: the hot modules compiled with mypyc when a C compiler is at hand, else (or with
EDI837_PURE=1) the same sources as plain Python. Everything else about the package is in setup.cfg.

The compiled modules are the ones every claim goes through (reader, walker, element checks, claim
builder, rules, findings, verdicts, writers). A build that fails to compile them installs the pure
package instead, with a message saying why: the install never fails for want of a compiler.
`edi837 --version` says which build runs.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig

from setuptools import setup

HOT = [
    "edi837/x12/read.py", "edi837/x12/walk.py", "edi837/x12/validate.py", "edi837/x12/datatypes.py", "edi837/x12/memo.py",
    "edi837/x12/envelope.py", "edi837/errors.py", "edi837/findings.py",
    "edi837/engine/sink.py", "edi837/engine/results.py", "edi837/engine/pipeline.py",
    "edi837/claims/model.py", "edi837/claims/builder.py", "edi837/claims/professional.py", "edi837/claims/raw.py",
    "edi837/claims/hcpcs.py", "edi837/claims/amounts.py",
    "edi837/rules/registry.py", "edi837/rules/ambulance.py", "edi837/rules/billing.py",
    "edi837/rules/coverage.py", "edi837/rules/codesets.py", "edi837/rules/trips.py", "edi837/rules/transport.py",
    "edi837/rules/locations.py", "edi837/rules/conditions.py", "edi837/rules/modifiers.py", "edi837/rules/units.py",
    "edi837/answers/write/values.py", "edi837/answers/write/envelope.py", "edi837/answers/write/ack999.py",
    "edi837/answers/write/ack277.py", "edi837/answers/write/forward837.py", "edi837/answers/write/export.py",
    "edi837/answers/write/report.py",
]


def say(message: str) -> None:
    print(f"edi837 build: {message}", file=sys.stderr, flush=True)


def remove_stale_modules() -> None:
    """Compiled modules an earlier editable build left beside their sources: Python would import them
    before the .py files, so a pure build in the same checkout removes them (and says so)."""
    here = os.path.dirname(os.path.abspath(__file__))
    stale = [os.path.join(here, name) for name in os.listdir(here) if name.endswith("__mypyc" + suffix())]
    stale += [os.path.join(here, path.removesuffix(".py") + suffix()) for path in HOT]
    for path in (p for p in stale if os.path.exists(p)):
        say(f"removing {os.path.relpath(path, here)}, compiled by an earlier build")
        os.remove(path)


def suffix() -> str:
    return str(sysconfig.get_config_var("EXT_SUFFIX"))


def compiled_extensions() -> list:
    command = sys.argv[1] if len(sys.argv) > 1 else ""  # what setuptools' build backend runs: bdist_wheel ...
    if command in ("egg_info", "dist_info", "sdist"):  # pip asking for metadata: nothing is built
        return []
    if os.environ.get("EDI837_PURE"):
        say("EDI837_PURE is set: pure Python")
        if command in ("editable_wheel", "develop"):  # this checkout is what gets imported
            remove_stale_modules()
        return []
    try:
        from mypyc.build import mypycify  # noqa: PLC0415  (here: a missing mypy means a pure build)
        from setuptools._distutils.ccompiler import new_compiler  # noqa: PLC0415
        from setuptools._distutils.sysconfig import customize_compiler  # noqa: PLC0415

        compiler = new_compiler()
        customize_compiler(compiler)
        cc = compiler.compiler[0]  # type: ignore[attr-defined]
        if shutil.which(cc) is None:
            say(f"no C compiler ({cc}): pure Python")
            return []
        say(f"compiling {len(HOT)} modules with mypyc (a minute or two)")
        return mypycify(HOT, opt_level="3")
    except (Exception, SystemExit) as exc:  # noqa: BLE001  (mypy/mypyc missing or refusing the code: the pure package works)
        say(f"mypyc could not compile ({type(exc).__name__}: {exc}): pure Python")
        return []


extensions = compiled_extensions()
try:
    setup(ext_modules=extensions)
except (SystemExit, Exception) as exc:  # a C compile error: build the same sources as plain Python
    if not extensions or isinstance(exc, SystemExit) and exc.code in (0, None):
        raise
    say(f"the C build failed ({exc}): pure Python")
    setup(ext_modules=[])
