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


def test_compiled_modules_never_compare_frozen_instances() -> None:
    """mypyc compiles `==` and `!=` between instances of a class it sees no `__eq__` on as identity,
    and `@frozen` adds its `__eq__` at run time: such a comparison is True in the pure build and
    False in the compiled one. (Delimiters were compared so, and every forward 837 segment answered
    in a worker was re-delimited for nothing.) Classes compared by value are named tuples instead."""
    from mypy import build  # noqa: PLC0415
    from mypy.modulefinder import BuildSource  # noqa: PLC0415
    from mypy.nodes import ComparisonExpr, Expression, RefExpr  # noqa: PLC0415
    from mypy.options import Options  # noqa: PLC0415
    from mypy.types import Instance, Type, UnionType, get_proper_type  # noqa: PLC0415

    sources = [BuildSource(str(ROOT / (name.replace(".", "/") + ".py")), name) for name in hot_modules()]
    for source in sources:
        if not os.path.exists(source.path or ""):
            source.path = str(ROOT / (source.module.replace(".", "/") + "/__init__.py"))
    options = Options()
    options.preserve_asts = options.export_types = True
    result = build.build(sources, options)

    def frozen_class(t: Type | None) -> str | None:
        t = get_proper_type(t) if t is not None else None
        for item in map(get_proper_type, t.items if isinstance(t, UnionType) else [t]):
            if isinstance(item, Instance) and any(isinstance(d, RefExpr) and d.fullname == "edi837.frozen.frozen"
                                                  for d in item.type.defn.decorators):
                return item.type.fullname
        return None

    # Walked by hand: mypy's TraverserVisitor is a compiled trait, which interpreted code cannot subclass.
    def expressions(node: object, seen: set[int]) -> list[Expression]:  # every node under `node`
        if id(node) in seen or not hasattr(node, "line"):
            return []
        seen.add(id(node))
        found = [node] if isinstance(node, ComparisonExpr) else []
        for name in dir(node):
            if name.startswith("_") or name in ("info", "node", "type", "analyzed_type"):
                continue
            value = getattr(node, name, None)
            for child in value if isinstance(value, (list, tuple)) else [value]:
                for grandchild in child if isinstance(child, (list, tuple)) else [child]:
                    found += expressions(grandchild, seen)
        return found

    compared = []
    for state in result.graph.values():
        if state.id in {s.module for s in sources} and state.tree is not None:
            for e in expressions(state.tree, set()):
                assert isinstance(e, ComparisonExpr)
                for op, left, right in zip(e.operators, e.operands, e.operands[1:]):
                    classes = {frozen_class(result.types.get(left)), frozen_class(result.types.get(right))} - {None}
                    if op in ("==", "!=") and classes:
                        compared.append(f"{state.path}:{e.line}: {op} between {', '.join(sorted(map(str, classes)))}")
    assert compared == []
