"""edi837: front-end checks for X12 837I ambulance claims, answered as a clearinghouse answers.

The public API is what this module exports (see docs/api.md for the stability promise):

    checker = edi837.Checker(profile="medicare")   # check_iter / check / parse / answer
    edi837.check(source), edi837.parse(source), edi837.answer(source, settings)
    edi837.read_responses(source)                  # a payer's TA1, 999 or 277CA, as typed records

`source` is a path, bytes or a binary stream. Everything else in the package may change.
"""

from ._version import __version__
from .answers.control import Settings
from .answers.write.report import Summary
from .api import Answers, Checker, answer, check, parse, read_responses
from .claims import Claim
from .engine.results import ClaimResult, FileResult, GroupResult, InterchangeResult, TransactionResult
from .errors import ConfigError, Edi837Error, EdiError, InputError, NumbersUsedUp, ProfileError, UsageError
from .findings import Finding
from .responses import BatchStatus, ClaimStatus, GroupAck, Problem, SetAck, Ta1

__all__ = [
    "Answers", "BatchStatus", "Checker", "Claim", "ClaimResult", "ClaimStatus", "ConfigError", "Edi837Error", "EdiError",
    "FileResult", "Finding", "GroupAck", "GroupResult", "InputError", "InterchangeResult", "NumbersUsedUp", "Problem",
    "ProfileError", "SetAck", "Settings", "Summary", "Ta1", "TransactionResult", "UsageError", "__version__", "answer",
    "check", "parse", "read_responses",
]
