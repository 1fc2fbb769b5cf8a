"""The library API: `check`, `parse` and `answer` over a path, bytes or a binary stream.

Every surface (the CLI, a pipeline stage, a Spark job) is meant to be a thin layer over these three.
`source` is a path (str or os.PathLike), the file's bytes, or a binary stream opened for reading;
`name` says what to call it in findings and errors (default: the path, or "<bytes>"/"<stream>").

    import edi837
    result = edi837.check("fixtures/bls-emergency.837")
    for claim in result.claims:
        print(claim.claim.claim_id, claim.status, [f.rule for f in claim.all_findings])

Unreadable input does not raise: `check` returns a FileResult whose `error` is the located EdiError,
as the CLI reports it. `parse` raises the EdiError, since it has nothing else to hand back.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterator
from typing import BinaryIO

from .claims import Claim
from .read import EdiError
from .inputs import as_edi_error
from .pipeline import Checker, parse_stream
from .results import FileResult, GroupResult, InterchangeResult, TransactionResult

Source = str | os.PathLike[str] | bytes | BinaryIO


def _open(source: Source, name: str | None) -> tuple[BinaryIO, str, bool]:
    """(stream, name, whether we opened it and must close it)."""
    if isinstance(source, bytes):
        return io.BytesIO(source), name or "<bytes>", False
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            return open(path, "rb"), name or path, True
        except OSError as exc:
            raise EdiError(f"cannot open: {exc.strerror or exc}", file=name or path) from None
    return source, name or getattr(source, "name", None) or "<stream>", False


def checker(profile: str = "medicare", today: dt.date | None = None) -> Checker:
    """A Checker with a bundled profile by name (or a profile JSON file) and a fixed `today` if given."""
    from . import rules  # noqa: PLC0415 (parse needs no rules: importing them costs start-up)

    ctx = rules.Context(today=today) if today is not None else rules.Context()
    return Checker(rules.load_profile(profile), ctx)


def check(source: Source, profile: str = "medicare", today: dt.date | None = None,
          name: str | None = None) -> FileResult:
    """Check one file: its transaction sets (each with its claims, their status and findings), groups
    and interchanges, and the error that stopped the reading, if any (`FileResult.error`)."""
    try:
        stream, label, owned = _open(source, name)
    except EdiError as exc:  # a path that cannot be opened: a located error, as in the CLI
        result = FileResult(exc.file or name or "")
        result.error = exc
        return result
    result = FileResult(label)
    try:
        for item in checker(profile, today).run(stream, result.path):
            if isinstance(item, TransactionResult):
                result.transactions.append(item)
            elif isinstance(item, GroupResult):
                result.groups.append(item)
            elif isinstance(item, InterchangeResult):
                result.interchanges.append(item)
    except Exception as exc:  # noqa: BLE001 (EdiError, or a defect of ours: one located error either way)
        result.error = as_edi_error(exc, result.path)
    finally:
        if owned:
            stream.close()
    return result


def parse(source: Source, name: str | None = None) -> Iterator[Claim]:
    """The typed claims of one file, one at a time, each as soon as its loop ends. Raises EdiError
    (located) when the input cannot be read."""
    stream, label, owned = _open(source, name)
    try:
        yield from parse_stream(stream, label)
    finally:
        if owned:
            stream.close()
