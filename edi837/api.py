"""The library API: a reusable `Checker`, and `check`, `parse` and `answer` over a path, bytes or a stream.

Every surface (the CLI, a pipeline stage, a Spark job) is meant to be a thin layer over these.
`source` is a path (str or os.PathLike), the file's bytes (bytes, bytearray or memoryview), or a
binary stream opened for reading ('rb'); `name` says what to call it in findings and errors
(default: the path, or "<bytes>"/"<stream>").

Anything else is a TypeError naming the types accepted, raised when the function is called, and
never quoting the input: a claim passed as text would put a patient's name in an error line. So a
`str` that is the 837 itself (it starts with ISA and a delimiter) is refused rather than taken for a
file name, a text stream (open(path) without "b", StringIO) is refused rather than read wrong, and a
path that cannot be opened is named in its error only when it looks like one (short, printable, no
X12 delimiters); otherwise the error says "the path given".

    import edi837
    checker = edi837.Checker(profile="medicare")       # the profile is read once, here
    for result in checker.check_iter("fixtures/bls-emergency.837"):
        for claim in getattr(result, "claims", ()):       # a TransactionResult's claims
            print(claim.claim.claim_id, claim.status)

Errors are the same for `check`, `check_iter` and `parse`: input that cannot be read raises
`InputError`, located (file, byte, segment, file line, element); results handed out before the break
stay valid. A profile that cannot be loaded raises `ProfileError` when the Checker is made. `answer`
alone does not raise for bad input: the 999 that rejects it is the answer (see Answers).
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from . import responses
from .claims import Claim
from .engine.inputs import as_edi_error
from .engine.pipeline import Checker as Engine
from .engine.pipeline import for_profile, parse_stream
from .engine.results import FileResult, Result, TransactionResult
from .errors import InputError
from .responses import Response

if TYPE_CHECKING:
    from .answers.control import Settings
    from .rules import Profile

Source = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO

ACCEPTED = ("a path (str or os.PathLike), the file's bytes (bytes, bytearray or memoryview) or a binary stream"
            " opened for reading ('rb')")
X12_DELIMITERS = frozenset("*~|^:\n\r")  # in a str given as a path: the 837's text, not a file name
SHOWN_PATH_MAX = 255  # a longer "path" is not named in an error (it is more likely text than a name)


class NotBinaryStream(TypeError):
    """A stream whose `read` gives text, not bytes: a usage error, raised as is (not a located Edi837Error)."""


def checked_source(source: object, what: str = "837") -> Source:
    """`source` if it is one of the types the API reads; else a TypeError that names its type and the
    types accepted, never its content (which may be a claim, with a patient's name). `what` the file
    is, in the error ("837", "answer file")."""
    if isinstance(source, str):
        if looks_like_x12(source):
            raise TypeError(f"the {what} was given as text (a str that starts with ISA): pass its bytes"
                            " (text.encode('latin-1')) or the path of its file")
        return source
    if isinstance(source, (bytes, bytearray, memoryview, os.PathLike)):
        return source  # type: ignore[return-value]  # os.PathLike[bytes] is read as well
    if isinstance(source, io.TextIOBase) or "b" not in str(getattr(source, "mode", "b")):
        raise TypeError(f"the stream given is a text stream ({type(source).__name__}): edi837 reads bytes;"
                        f" open the file with 'rb', or pass {ACCEPTED}")
    if not callable(getattr(source, "read", None)):
        raise TypeError(f"edi837 cannot read a {type(source).__name__}: pass {ACCEPTED}")
    return source  # type: ignore[return-value]


def looks_like_x12(text: str) -> bool:
    """Whether a str is an interchange's text rather than a path: ISA followed by its element separator
    (never a letter, digit or space), as the 106-byte ISA header starts."""
    head = text.lstrip()[:4]
    return len(head) == 4 and head[:3] == "ISA" and not head[3].isalnum() and head[3] not in " ._-/"


def shown_path(path: str) -> str:
    """`path` as an error may name it: itself when it looks like a file name, else "the path given"."""
    if len(path) <= SHOWN_PATH_MAX and path.isprintable() and not X12_DELIMITERS.intersection(path):
        return path
    return "the path given"


class _BinaryReader:
    """A stream of another kind than io's binary ones, whose `read` is checked to give bytes: one that
    gives text stops the reading with NotBinaryStream, not with an "internal error" line."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.name = getattr(stream, "name", None)

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise NotBinaryStream(f"the stream given reads {type(data).__name__}, not bytes: open the file with"
                                  f" 'rb', or pass {ACCEPTED}")
        return bytes(data) if not isinstance(data, bytes) else data


def _open(source: Source, name: str | None) -> tuple[BinaryIO, str, bool]:
    """(stream, name, whether we opened it and must close it)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(source), name or "<bytes>", False
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        label = name or shown_path(os.fsdecode(path))
        try:
            return open(path, "rb"), label, True
        except OSError as exc:
            raise InputError(f"cannot open: {exc.strerror or type(exc).__name__}", file=label) from None
        except ValueError:  # a NUL in it: no file has that name
            raise InputError("cannot open: not a valid path (it holds a NUL character)", file=label) from None
    label = name or getattr(source, "name", None) or "<stream>"
    if not isinstance(label, str):  # open(fd, "rb") is named by its number
        label = "<stream>"
    if not isinstance(source, (io.BufferedIOBase, io.RawIOBase)):
        return _BinaryReader(source), label, False  # type: ignore[return-value]
    return source, label, False


def _checked_options(profile: object, today: object) -> None:
    if not isinstance(profile, (str, os.PathLike)):
        raise TypeError(f"profile is a bundled profile's name or a profile file's path (str or os.PathLike),"
                        f" not {type(profile).__name__}")
    if today is not None and (not isinstance(today, dt.date) or isinstance(today, dt.datetime)):
        raise TypeError(f"today is a datetime.date, not {type(today).__name__}")


# Of a transaction set's claims, those a Checker keeps in memory (the rest wait in a spool on disk): a
# loop over check_iter holds the set it is on while the next is read, so two sets are alive at once;
# 1,000 keeps 100,000 claims under 100 MB (63 MB compiled, where 5,000, the CLI's, peaks at 97 MB).
ITER_MEMORY_CLAIMS = 1000


class Checker:
    """Checks files against one payer profile and one `today`, both fixed when it is made: the profile
    is read once (a ProfileError here if it cannot be), then any number of files are checked.

    `check_iter` hands out each transaction set's result (its claims, their verdicts and findings) as
    the set closes, then each group's and interchange's, in bounded memory however large the file;
    `check` gathers them into one FileResult (every claim of the file in memory: for a large file,
    prefer `check_iter`); `parse` gives the typed claims alone; `answer` the 999, 277CA and forward 837."""

    def __init__(self, profile: str | os.PathLike[str] = "medicare", today: dt.date | None = None) -> None:
        _checked_options(profile, today)
        self.profile = os.fspath(profile)
        self.today = today
        self._engine = for_profile(self.profile, today, memory_claims=ITER_MEMORY_CLAIMS)

    def check_iter(self, source: Source, name: str | None = None) -> Iterator[Result]:
        """Each TransactionResult, GroupResult and InterchangeResult of one file, as it closes. Raises
        InputError (located) where the file cannot be read on, after what was read before it."""
        return self._results(checked_source(source), name, self._engine)

    def check(self, source: Source, name: str | None = None) -> FileResult:
        """Every result of one file, gathered (see check_iter). Raises InputError as check_iter does."""
        source = checked_source(source)
        result = FileResult("")
        for item in self._results(source, name, self._engine, result):
            result.add(item)
        return result

    def parse(self, source: Source, name: str | None = None) -> Iterator[Claim]:
        """The typed claims of one file, one at a time, each as soon as its loop ends (no rule runs).
        Raises InputError as check_iter does."""
        return _parsed(checked_source(source), name)

    def answer(self, source: Source, settings: Settings | None = None, name: str | None = None) -> Answers:
        """The 999, 277CA and forward 837 answering one file (see `answer`), with this checker's profile."""
        return _answer(checked_source(source), settings, self._engine.profile, self.today, name)  # loaded once

    @staticmethod
    def _results(source: Source, name: str | None, engine: Engine, into: FileResult | None = None) -> Iterator[Result]:
        stream, label, owned = _open(source, name)
        if into is not None:
            into.path = label
        try:
            yield from engine.run(stream, label)
        except (NotBinaryStream, InputError):
            raise
        except Exception as exc:  # noqa: BLE001 (a defect of ours, or the system's: one located error either way)
            raise as_edi_error(exc, label) from None
        finally:
            if owned:
                stream.close()


def check(source: Source, profile: str = "medicare", today: dt.date | None = None,
          name: str | None = None) -> FileResult:
    """Check one file: its transaction sets (each with its claims, their status and findings), groups
    and interchanges. Raises InputError (located) when the file cannot be read, ProfileError when
    the profile cannot be loaded. Checking many files: make one Checker and call its `check`."""
    source = checked_source(source)
    return Checker(profile, today).check(source, name)


def parse(source: Source, name: str | None = None) -> Iterator[Claim]:
    """The typed claims of one file, one at a time, each as soon as its loop ends. Raises InputError
    (located) when the input cannot be read, and TypeError at once for a source of another type."""
    return _parsed(checked_source(source), name)


def _parsed(source: Source, name: str | None) -> Iterator[Claim]:
    stream, label, owned = _open(source, name)
    try:
        yield from parse_stream(stream, label)
    finally:
        if owned:
            stream.close()


def read_responses(source: Source, name: str | None = None) -> Iterator[Response]:
    """The payer's answers in one file (TA1, 999 005010X231A1, 277CA 005010X214), one typed record at a
    time as it is read: Ta1, GroupAck, SetAck, ClaimStatus, BatchStatus, and a Problem for what the
    guide finds wrong with the file (input that cannot be read on ends it with a Problem "unreadable",
    never an exception). TypeError at once for a source of another type; InputError for a path that
    cannot be opened."""
    checked = checked_source(source, "answer file")
    stream, label, owned = _open(checked, name)
    return _responses(stream, label, owned)


def _responses(stream: BinaryIO, label: str, owned: bool) -> Iterator[Response]:
    try:
        yield from responses.read(stream, label)
    finally:
        if owned:
            stream.close()


@dataclass
class Answers:
    """The clearinghouse's answers to one file, as the `ack` command writes them."""

    ack999: bytes  # b"" when no interchange could be read (there is no ISA to answer; ack writes no file)
    ack277: bytes  # as ack999
    forward837: bytes | None  # the accepted claims; None when no claim was accepted
    result: FileResult  # what `check` finds, and the error that stopped the reading, if any


def answer(source: Source, settings: Settings | None = None, profile: str = "medicare",
           today: dt.date | None = None, name: str | None = None) -> Answers:
    """The 999, 277CA and forward 837 answering one file, byte for byte what `edi837 ack` writes for
    it with the same settings. Default settings: the clearinghouse EDI837, control numbers from the
    base (1) with no state file, and the current time; pass `Settings(fixed_time=...)` for
    reproducible answers, or one with a `state_file` to number as `ack` does. `today` (the rules'
    date) defaults to the settings' fixed time, if any.

    Unreadable input does not raise: it is answered up to where it breaks (a 999 rejecting it), and
    `Answers.result.error` is the located InputError. Raises ConfigError when the state file cannot
    be read, NumbersUsedUp (a ConfigError) when no control number is left."""
    _checked_options(profile, today)
    return _answer(checked_source(source), settings, profile, today, name)


def _answer(source: Source, settings: Settings | None, profile: str | Profile, today: dt.date | None,
            name: str | None) -> Answers:
    from .answers.acknowledge import Streams, write_answers  # noqa: PLC0415 (only answering needs the writers)
    from .answers.control import ControlNumbers  # noqa: PLC0415
    from .answers.control import Settings as _Settings  # noqa: PLC0415
    from .answers.write.report import Summary  # noqa: PLC0415

    if settings is not None and not isinstance(settings, _Settings):
        raise TypeError(f"settings is an edi837.Settings, not {type(settings).__name__}")
    settings = settings or _Settings()
    numbers = ControlNumbers(settings)
    if today is None and settings.fixed_time is not None:
        today = settings.fixed_time.date()
    check = for_profile(profile, today, keep_segments=True)
    result = FileResult(name or "")
    ack999, ack277, forward = io.StringIO(newline=""), io.StringIO(newline=""), io.StringIO(newline="")
    written = write_answers(lambda render: _answered(source, name, check, render, result), settings, numbers,
                            Summary(), Streams(ack999, ack277, forward))
    result.error = written.error
    return Answers(ack999.getvalue().encode("latin-1"), ack277.getvalue().encode("latin-1"),
                   forward.getvalue().encode("latin-1") if written.forwarded else None, result)


def _answered(source: Source, name: str | None, check: Engine, render: Callable[[TransactionResult], object],
              result: FileResult) -> Iterator[object]:
    """The file's items as `write_answers` reads them (each set as `render` answers it), kept in `result`
    as they pass; an unreadable file ends with its located InputError."""
    try:
        stream, result.path, owned = _open(source, name)
    except InputError as exc:  # a path that cannot be opened: nothing read, nothing to answer
        result.path = exc.file or name or ""
        yield exc
        return
    try:
        for item in check.run(stream, result.path):
            result.add(item)
            yield render(item) if isinstance(item, TransactionResult) else item
    except NotBinaryStream:
        raise
    except Exception as exc:  # noqa: BLE001 (InputError, or a defect of ours: one located error either way)
        yield as_edi_error(exc, result.path)
    finally:
        if owned:
            stream.close()
