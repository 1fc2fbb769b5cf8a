"""What edi837 raises: one base, `Edi837Error`, and a class per cause, each located where it can be.

    Edi837Error          anything edi837 refuses (catch this one to catch them all)
    ├── InputError       a file that cannot be read as the X12 accepted (file, byte, segment, line, element)
    ├── ProfileError     a payer profile that cannot be loaded (file: the profile)
    ├── ConfigError      a configuration or control-number state that cannot be used (file: the config)
    │   └── NumbersUsedUp  no control number left for a sender/receiver pair
    └── UsageError       the library or a command used in a way it cannot honour (a value of the right
                         type but the wrong form, such as Settings(fixed_time="2026-12-01"))

A wrong argument type stays a `TypeError` that names the types accepted. The message of every error
names codes, counts and places, never a value read from a claim (a patient's name, a member id).
`str(error)` is the one line the CLI prints: "FILE, byte N, segment N (ID), file line N, ELEMENT: message".
"""

from __future__ import annotations


class Edi837Error(Exception):
    """Something edi837 refuses, with where it went wrong (each place known is set; the rest None or "")."""

    def __init__(self, message: str, *, file: str = "", offset: int | None = None,
                 segment: int | None = None, segment_id: str = "", element: str = "",
                 line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.offset = offset
        self.segment = segment
        self.segment_id = segment_id
        self.element = element
        self.line = line

    def constructor_args(self) -> dict[str, object]:
        """What the constructor takes besides the message (a subclass adds its own)."""
        return {"file": self.file, "offset": self.offset, "segment": self.segment, "segment_id": self.segment_id,
                "element": self.element, "line": self.line}

    def __reduce__(self) -> tuple:
        # Sent from a worker process (edi837.engine.parallel) with its location: pickling an exception keeps only
        # its args, plus its __dict__, which a compiled class does not have.
        return rebuild_error, (type(self), self.message, self.constructor_args())

    def __str__(self) -> str:
        where = [printable(self.file) or "<input>"]
        if self.offset is not None:
            where.append(f"byte {self.offset}")
        if self.segment is not None:
            where.append(f"segment {self.segment}" + (f" ({self.segment_id})" if self.segment_id else ""))
        if self.line is not None:
            where.append(f"file line {self.line}")
        if self.element:
            where.append(self.element)
        return f"{': '.join([', '.join(where), self.message])}"


class InputError(Edi837Error):
    """Input that cannot be read as the X12 we accept, with where it went wrong."""


class ProfileError(Edi837Error):
    """A payer profile that cannot be loaded: missing, not JSON, or naming an unknown rule or level."""


class ConfigError(Edi837Error):
    """A configuration file, or the control-number state, that cannot be used as it is."""


class UsageError(Edi837Error):
    """An argument of the right type but a form edi837 cannot use."""


class NumbersUsedUp(ConfigError):
    """No control number is left for a sender/receiver pair: a refusal, since a reused one is worse.
    Its text names the state file, the pair and what to do."""

    def __str__(self) -> str:
        return self.message


EdiError = Edi837Error  # the name of the base class before 0.2 (then one class for every cause)


def rebuild_error(cls: type[Edi837Error], message: str, fields: dict[str, object]) -> Edi837Error:
    """An Edi837Error (or subclass) as `__reduce__` took it apart."""
    return cls(message, **fields)  # type: ignore[arg-type]


def printable(name: str) -> str:
    """A file name as one line of output: characters that are not printable (a line feed, an escape,
    a byte of another encoding) written as Python escapes them, so each file stays one line."""
    if name.isprintable():
        return name
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in name)
