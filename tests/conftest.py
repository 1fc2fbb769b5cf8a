"""Shared paths: the bundled fixtures, and the outside samples when ../shared is beside the repo."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "fixtures").glob("*.837"))
SHARED = ROOT.parent / "shared"
SAMPLES_837I = sorted((SHARED / "samples" / "837i").glob("*")) if (SHARED / "samples").is_dir() else []

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/oracle.py
