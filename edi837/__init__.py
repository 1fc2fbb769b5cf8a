"""edi837: front-end checks for 837I hospital-based ambulance claims.

The library API (see edi837.api): `check(source)`, `parse(source)`, `answer(source)` (the 999,
277CA and forward 837 as bytes); `source` is a path, bytes or a binary stream.
"""

from .api import Answers, answer, check, parse
from .x12.read import EdiError

# The one place the version is written: setup.cfg reads it from here (`attr:`), so no start-up pays
# for importlib.metadata (about 40 ms) to find it.
__version__ = "0.1.0"

__all__ = ["Answers", "EdiError", "__version__", "answer", "check", "parse"]
