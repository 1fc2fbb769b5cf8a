"""edi837: front-end checks for 837I hospital-based ambulance claims.

The library API (see edi837.api): `check(source)`, `parse(source)`, `answer(source)` (the 999,
277CA and forward 837 as bytes); `source` is a path, bytes or a binary stream.
"""

from importlib.metadata import PackageNotFoundError, version

from .api import Answers, answer, check, parse
from .read import EdiError

try:
    __version__ = version("edi837")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["Answers", "EdiError", "__version__", "answer", "check", "parse"]
