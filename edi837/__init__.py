"""edi837: front-end checks for X12 837I ambulance claims, answered as a clearinghouse answers.

The public API is what this module exports (see docs/api.md for the stability promise):

    checker = edi837.Checker(profile="medicare")   # check_iter / check / parse / answer
    edi837.check(source), edi837.parse(source), edi837.answer(source, settings)

`source` is a path, bytes or a binary stream. Everything else in the package may change.
"""

from ._version import __version__
from .answers.control import Settings
from .answers.write.report import Summary
from .api import Answers, Checker, answer, check, parse
from .claims import Claim
from .engine.results import ClaimResult, FileResult, GroupResult, InterchangeResult, TransactionResult
from .errors import ConfigError, Edi837Error, EdiError, InputError, NumbersUsedUp, ProfileError, UsageError
from .findings import Finding

__all__ = [
    "Answers", "Checker", "Claim", "ClaimResult", "ConfigError", "Edi837Error", "EdiError", "FileResult", "Finding",
    "GroupResult", "InputError", "InterchangeResult", "NumbersUsedUp", "ProfileError", "Settings", "Summary",
    "TransactionResult", "UsageError", "__version__", "answer", "check", "parse",
]
