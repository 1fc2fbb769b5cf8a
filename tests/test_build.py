"""The build (edi837/build.py, setup.py): the hot modules are all compiled with mypyc or all pure
Python, and `--version` says which. CI runs the suite on both builds and names the one it expects in
EDI837_EXPECT_BUILD (`compiled` or `pure`), so a run cannot pass on the wrong build unnoticed."""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES

import pytest
from conftest import ROOT

from edi837.build import BUILD, is_compiled, stale


def hot_modules() -> list[str]:
    """The modules setup.py compiles, as module names."""
    tree = ast.parse((ROOT / "setup.py").read_text())
    [paths] = [ast.literal_eval(node.value) for node in tree.body
               if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "HOT"]
    return [p.removesuffix(".py").removesuffix("/__init__").replace("/", ".") for p in paths]


def test_the_hot_modules_are_all_compiled_or_all_pure() -> None:
    compiled = {name: (importlib.import_module(name).__file__ or "").endswith(tuple(EXTENSION_SUFFIXES))
                for name in hot_modules()}
    assert set(compiled.values()) == {is_compiled()}, compiled


def test_the_build_is_the_one_ci_expects() -> None:
    expected = os.environ.get("EDI837_EXPECT_BUILD")
    if not expected:
        pytest.skip("EDI837_EXPECT_BUILD not set (CI sets it)")
    assert BUILD == {"compiled": "compiled (mypyc)", "pure": "pure Python"}[expected]


def test_version_names_the_build() -> None:
    out = subprocess.run([sys.executable, "-m", "edi837", "--version"], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout
    assert out.startswith("edi837, version ") and out.rstrip().endswith(BUILD)


def test_a_source_edited_after_its_compile_is_named(tmp_path) -> None:
    package = tmp_path / "edi837"
    (package / "write").mkdir(parents=True)
    for name in ("read", "write/report"):
        (package / f"{name}.py").write_text("")
        (package / f"{name}{EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    assert stale(str(package)) == []
    later = (package / "read.py").stat().st_mtime + 10
    os.utime(package / "write" / "report.py", (later, later))
    assert stale(str(package)) == ["edi837/write/report.py"]
    assert stale() == []  # this install: tests/conftest.py stops the run otherwise
