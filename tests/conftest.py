"""Shared paths (the bundled fixtures, and the outside samples when ../shared is beside the repo) and
fixtures; shared builders are in builders.py. No test module imports another.

The tests mirror the package: a folder per layer (tests/x12/, tests/claims/, tests/rules/,
tests/engine/, tests/answers/ with answers/write/, tests/cli/, tests/stage/) and tests/test_<module>.py
for the modules at the top (api, findings, frozen, lifeline, spark ...). Test module names are unique
across the folders: pytest imports them by base name, with no __init__.py; this folder is on sys.path
for conftest and the helper modules (builders, oracle, fuzzing, arrow_rows).

Three groups stay whole because they test the engine from the outside, against pyx12 or with
generated input, not one module: test_fixtures_pyx12.py (the bundled fixtures and bench/gen.py are
valid per pyx12), test_crashes.py (the fuzz reproducers in ../shared/crashes are verdicts now) and
test_fuzz.py (seeded mutants meet no internal error; the on-demand run is `pytest -m fuzz`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "fixtures").glob("*.837"))
SHARED = ROOT.parent / "shared"
SAMPLES_837I = sorted((SHARED / "samples" / "837i").glob("*")) if (SHARED / "samples").is_dir() else []

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/oracle.py, builders.py, fuzzing.py


def pytest_sessionstart(session: pytest.Session) -> None:
    """A compiled editable install whose sources were edited since would test the old code: stop."""
    from edi837.build import stale  # noqa: PLC0415

    if edited := stale():
        pytest.exit(f"compiled modules are older than their sources ({', '.join(edited)}): reinstall"
                    " (pip install -e '.[test]') or test them as plain Python (EDI837_PURE=1 pip install -e .)",
                    returncode=4)


@pytest.fixture(scope="session")
def answered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The answers (999, 277CA, forward 837) to every fixture and outside 837I sample, at a fixed time."""
    from builders import run_ack  # noqa: PLC0415 (builders imports this module)

    out = tmp_path_factory.mktemp("ack")
    run_ack(FIXTURES + SAMPLES_837I, out)
    return out
