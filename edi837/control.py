"""Control numbers for the clearinghouse's answers: who we are (Settings, from a JSON config and
the command line), and unique, increasing ISA13/GS06 numbers kept in a small JSON state file, locked
and replaced atomically so that runs in parallel never hand out the same number. `--fixed-time`
makes a run reproducible byte for byte: a fixed clock, and numbers from the configured base with no
state file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .read import EdiError

MAX_CONTROL = 999_999_999  # ISA13 and GS06 of the answers have nine digits


@dataclass
class Settings:
    sender_id: str = "EDI837"  # the clearinghouse, as ISA06/GS02 of its answers
    receiver_id: str = ""  # the submitter; default: the input's ISA06
    name: str = "EDI837 CLEARINGHOUSE"
    usage: str = ""  # ISA15 of the answers: P production, T test, "" the inbound interchange's (see acknowledge)
    base: int = 1  # first control number
    state_file: Path | None = None
    fixed_time: dt.datetime | None = None

    @property
    def now(self) -> dt.datetime:
        return self.fixed_time or dt.datetime.now()


def load_settings(config: str | None, sender_id: str | None, receiver_id: str | None, fixed_time: dt.datetime | None,
                  out_dir: Path) -> Settings:
    s = Settings()
    state_dir = out_dir
    if config:
        try:
            data = json.loads(Path(config).read_text())
        except (OSError, ValueError) as exc:
            raise EdiError(f"cannot read the config: {exc}", file=config) from None
        if not isinstance(data, dict):
            raise EdiError("the config is a JSON object", file=config)
        s.sender_id = str(data.get("sender_id", s.sender_id))
        s.receiver_id = str(data.get("receiver_id", s.receiver_id))
        s.name = str(data.get("name", s.name))
        s.usage = str(data.get("usage", s.usage))  # absent: answers mirror the inbound ISA15
        base = data.get("first_control_number", s.base)
        if isinstance(base, bool) or not isinstance(base, int) or not 1 <= base <= MAX_CONTROL - 2:
            raise EdiError(f"first_control_number must be a whole number from 1 to {MAX_CONTROL - 2},"
                           f" not {base!r}", file=config)
        s.base = base
        if "usage" in data and s.usage not in ("P", "T"):
            raise EdiError(f"usage must be P (production) or T (test), not {s.usage!r}", file=config)
        state_dir = Path(config).resolve().parent
    s.sender_id = sender_id or s.sender_id
    s.receiver_id = receiver_id or s.receiver_id
    for what, value in (("sender id", s.sender_id), ("receiver id", s.receiver_id)):
        if len(value) > 15:
            raise EdiError(f"the {what} {value!r} is longer than 15 characters (ISA06/ISA08)")
    s.fixed_time = fixed_time
    s.state_file = None if fixed_time else state_dir / ".edi837-control-numbers.json"
    return s


class ControlNumbers:
    """Unique, increasing control numbers, persisted across runs in the state file. ISA13 has nine
    digits: after 999,999,999 numbering starts again from the base, as X12 allows."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.value = settings.base - 1
        if settings.state_file is not None:
            self._last(settings.state_file)  # an unreadable state stops the run before anything is answered

    def take(self, count: int = 1) -> int:
        """Reserve `count` numbers; returns the first."""
        path = self.settings.state_file
        if path is None:
            first = self._after(self.value, count)
            self.value = first + count - 1
            return first
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._locked(path):
            first = self._after(self._last(path), count)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            with os.fdopen(fd, "w") as fh:
                json.dump({"last": first + count - 1}, fh)
            os.replace(tmp, path)
        return first

    def remove_temporaries(self) -> int:
        """Delete the new states a killed process left half-written beside the state file (under the
        lock: a run in progress is never touched); how many."""
        path = self.settings.state_file
        if path is None or not path.parent.is_dir():
            return 0
        removed = 0
        with self._locked(path):
            for tmp in path.parent.glob(f".{path.name}.*.tmp"):
                tmp.unlink(missing_ok=True)
                removed += 1
        return removed

    @staticmethod
    @contextlib.contextmanager
    def _locked(path: Path) -> Iterator[None]:
        with open(os.open(str(path) + ".lock", os.O_WRONLY | os.O_CREAT, 0o600), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _after(self, last: int, count: int) -> int:
        first = max(last + 1, self.settings.base)
        return first if first + count - 1 <= MAX_CONTROL else self.settings.base

    def _last(self, path: Path) -> int:
        """The last number the state file says was used (none yet: the one before the base). A state
        that cannot be read is an error: starting again from the base would reuse numbers."""
        try:
            text = path.read_text()
        except FileNotFoundError:
            return self.settings.base - 1
        try:
            last = json.loads(text)["last"]
            if isinstance(last, int) and not isinstance(last, bool) and 0 <= last <= MAX_CONTROL:
                return last
        except (ValueError, KeyError, TypeError):
            pass
        raise EdiError(f'the control-number state is not {{"last": N}} ({text[:40]!r}): restore it, or remove'
                       " it to number from the base again (answers may then repeat earlier numbers)", file=str(path))
