"""The install recipe docs/spark.md gives for a cluster works: a wheel built from the checkout
(`EDI837_PURE=1 pip wheel --no-deps`), installed into a fresh venv, runs `edi837 --version` and
`edi837 check` there, with the checkout nowhere on sys.path.

edi837 is not on the package index, so this wheel is how it reaches a machine that has no checkout
(the venv-pack archive of docs/spark.md). The pure wheel is built here (the compiled one is the
same build plus mypyc, which takes minutes); it is built from a copy of the sources so the shared
checkout gets no build/ folder. Dependencies are not downloaded: the wheel goes in with --no-deps,
and a .pth file lets the fresh venv see this venv's site-packages (pyx12, lxml, click, rich, jinja2),
after its own, so the edi837 it imports is the wheel's.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

SOURCES = ("edi837", "setup.py", "setup.cfg", "pyproject.toml", "README.md", "LICENSE")
NOT_SOURCES = shutil.ignore_patterns("__pycache__", "*.so", "*.pyc")


def build_pure_wheel(work: Path) -> Path:
    src = work / "src"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=NOT_SOURCES, symlinks=True)
        else:
            shutil.copy2(ROOT / name, src / name)
    # Offline when this venv has the build tools (setuptools, wheel); else pip fetches them, as docs/spark.md says.
    isolation = ["--no-build-isolation"] if importlib.util.find_spec("wheel") else []
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-q", "-w",
                           str(work / "dist"), str(src)], capture_output=True, text=True, check=False,
                          env={**os.environ, "EDI837_PURE": "1"}, cwd=work)
    assert done.returncode == 0, done.stderr[-3000:]
    [wheel] = (work / "dist").glob("edi837-*.whl")
    return wheel


def fresh_venv(work: Path, wheel: Path) -> Path:
    """A new venv with the wheel installed (no dependencies) and this venv's site-packages after its own."""
    env_dir = work / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    python = env_dir / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                           str(wheel)], capture_output=True, text=True, check=False, cwd=work)
    assert done.returncode == 0, done.stderr[-3000:]
    (Path(site) / "outer-site-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env_dir


@pytest.mark.slow  # 34 s on the shared 2-core machine (a pip build, a venv, three processes): past the 20 s budget
def test_a_pure_wheel_installs_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    wheel = build_pure_wheel(tmp_path)
    assert wheel.name == "edi837-0.1.0-py3-none-any.whl"  # pure: one wheel for every platform
    env_dir = fresh_venv(tmp_path, wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    fixture = next(p for p in FIXTURES if p.name == "bls-emergency.837")
    shutil.copy2(fixture, elsewhere / fixture.name)
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    environ["EDI837_CACHE"] = str(tmp_path / "cache")  # the guide compiled afresh from the installed pyx12

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), capture_output=True, text=True, check=False, cwd=elsewhere, env=environ)

    where = run(str(env_dir / "bin" / "python"), "-c", "import sys, edi837; print(edi837.__file__); print(sys.path)")
    assert where.returncode == 0, where.stderr
    imported, path = where.stdout.splitlines()
    assert imported.startswith(str(env_dir)), imported  # the wheel's edi837, not the checkout's
    assert str(ROOT) not in path.replace(str(ROOT / ".venv"), "")  # the checkout is not on sys.path
    version = run(str(env_dir / "bin" / "edi837"), "--version")
    assert version.returncode == 0 and version.stdout == "edi837, version 0.1.0, pure Python\n", version
    checked = run(str(env_dir / "bin" / "edi837"), "check", fixture.name)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout == f"{fixture.name}\n  1 claim: 1 accepted, 0 rejected\n1 file, 1 claim: 1 accepted, 0 rejected\n"
