"""Control numbers for the clearinghouse's answers: who we are (Settings, from a JSON config and
the command line), and unique, increasing ISA13/GS06 numbers: the one allocator `ack`, `run` and the
Spark job share.

Theory of operation. A number is reused only if two answers to the same receiver from the same
sender carry it; so the numbers are counted per sender/receiver pair (the configured ids) in a small
JSON state file, and each `take`, under an exclusive lock on `STATE.lock`, reads the last number of
its pair, writes the new last one durably (a temporary, fsynced, renamed, its folder fsynced: see
edi837.durable) and only then returns the block: whatever crashes after (the process, the machine),
the state is never behind a number in use. ISA13 has nine digits: past 999,999,999 the allocator
refuses (NumbersUsedUp), because starting again would hand a receiver numbers it has seen. A caller
that knows of numbers used elsewhere (the pipeline stage's ledger) passes the highest as `floor`.
`--fixed-time` makes a run reproducible byte for byte: a fixed clock, and numbers from the
configured base with no state file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol

from .. import durable
from ..errors import ConfigError, NumbersUsedUp, UsageError

MAX_CONTROL = 999_999_999  # ISA13 and GS06 of the answers have nine digits
SMALL_FILE = 1 << 20  # a config, a profile, the state: more is not one of ours (/dev/zero, a log)


@dataclass
class Settings:
    sender_id: str = "EDI837"  # the clearinghouse, as ISA06/GS02 of its answers
    receiver_id: str = ""  # the submitter; default: the input's ISA06
    name: str = "EDI837 CLEARINGHOUSE"
    usage: str = ""  # ISA15 of the answers: P production, T test, "" the inbound interchange's (see acknowledge)
    base: int = 1  # first control number
    state_file: Path | None = None
    fixed_time: dt.datetime | None = None

    def __post_init__(self) -> None:
        """Values checked when the settings are made, so a wrong one is a clear error here rather than
        an AttributeError deep in a writer: a wrong type is a TypeError, a wrong form a UsageError."""
        for what, value in (("sender_id", self.sender_id), ("receiver_id", self.receiver_id), ("name", self.name),
                            ("usage", self.usage)):
            if not isinstance(value, str):
                raise TypeError(f"Settings.{what} is a str, not {type(value).__name__}")
        if self.usage not in ("", "P", "T"):
            raise UsageError(f"Settings.usage must be P (production), T (test) or \"\" (as the input), not {self.usage!r}")
        if isinstance(self.base, bool) or not isinstance(self.base, int):
            raise TypeError(f"Settings.base is an int, not {type(self.base).__name__}")
        if not 1 <= self.base <= MAX_CONTROL - 2:
            raise UsageError(f"Settings.base must be from 1 to {MAX_CONTROL - 2}, not {self.base}")
        if isinstance(self.state_file, str):
            self.state_file = Path(self.state_file)
        elif self.state_file is not None and not isinstance(self.state_file, Path):
            raise TypeError(f"Settings.state_file is a path (str or pathlib.Path), not {type(self.state_file).__name__}")
        self.fixed_time = fixed_time(self.fixed_time)

    @property
    def now(self) -> dt.datetime:
        return self.fixed_time or dt.datetime.now()


FIXED_TIME_FORMS = "a datetime, or a str such as 202612010930 (YYYYMMDDHHMM, as --fixed-time takes it) or 2026-12-01T09:30"


def fixed_time(value: object) -> dt.datetime | None:
    """Settings.fixed_time as a datetime: None, a datetime, or a str in one of FIXED_TIME_FORMS."""
    if value is None or isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise TypeError(f"Settings.fixed_time is {FIXED_TIME_FORMS}, not {type(value).__name__}")
    for parse in (lambda v: dt.datetime.strptime(v, "%Y%m%d%H%M"), dt.datetime.fromisoformat):
        try:
            return parse(value)
        except ValueError:
            continue
    raise UsageError(f"Settings.fixed_time {value!r} is not a time: give {FIXED_TIME_FORMS}")


def load_settings(config: str | None, sender_id: str | None, receiver_id: str | None, fixed_time: dt.datetime | None,
                  out_dir: Path) -> Settings:
    s = Settings()
    state_dir = out_dir
    if config:
        data = read_json(config, "the config")
        if not isinstance(data, dict):
            raise ConfigError("the config is a JSON object", file=config)
        s.sender_id = str(data.get("sender_id", s.sender_id))
        s.receiver_id = str(data.get("receiver_id", s.receiver_id))
        s.name = str(data.get("name", s.name))
        s.usage = str(data.get("usage", s.usage))  # absent: answers mirror the inbound ISA15
        base = data.get("first_control_number", s.base)
        if isinstance(base, bool) or not isinstance(base, int) or not 1 <= base <= MAX_CONTROL - 2:
            raise ConfigError(f"first_control_number must be a whole number from 1 to {MAX_CONTROL - 2},"
                           f" not {base!r}", file=config)
        s.base = base
        if "usage" in data and s.usage not in ("P", "T"):
            raise ConfigError(f"usage must be P (production) or T (test), not {s.usage!r}", file=config)
        state_dir = Path(config).resolve().parent
    s.sender_id = sender_id or s.sender_id
    s.receiver_id = receiver_id or s.receiver_id
    for what, value in (("sender id", s.sender_id), ("receiver id", s.receiver_id)):
        if len(value) > 15:
            raise ConfigError(f"the {what} {value!r} is longer than 15 characters (ISA06/ISA08)")
    s.fixed_time = fixed_time
    s.state_file = None if fixed_time else state_dir / ".edi837-control-numbers.json"
    return s


def read_json(path: str | Path, what: str) -> object:
    """A small JSON file of ours (a config, a profile, the state), read whole: a regular file only
    (a link is followed to one), at most SMALL_FILE bytes, so /dev/zero or a FIFO is refused at once
    instead of filling memory or waiting for ever. An Edi837Error naming the file otherwise."""
    try:
        data = durable.read_limited(os.path.realpath(path), SMALL_FILE)
    except durable.NotRegular as exc:
        raise ConfigError(f"cannot read {what}: {exc.strerror}", file=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {what}: {exc.strerror or exc}", file=str(path)) from None
    except ValueError as exc:
        raise ConfigError(f"cannot read {what}: {exc}", file=str(path)) from None
    try:
        return json.loads(data)
    except ValueError as exc:
        raise ConfigError(f"cannot read {what}: {exc}", file=str(path)) from None


Pair = tuple[str, str]  # (sender_id, receiver_id): what the numbers are counted for


@dataclass
class State:
    """The state file's content: the last number used per sender/receiver pair, and `shared`, the
    last number of a state written before numbers were counted per pair (`{"last": N}`, whose
    numbers every pair used): no pair goes back below it."""

    last: dict[Pair, int]
    shared: int = 0

    def last_of(self, pair: Pair) -> int:
        return max(self.shared, self.last.get(pair, 0))

    def to_json(self) -> str:
        return json.dumps({"version": 2, "shared": self.shared, "numbers": [
            {"sender_id": s, "receiver_id": r, "last": n} for (s, r), n in sorted(self.last.items())]})

    @classmethod
    def parse(cls, data: object) -> State:
        """The state in `data` (a version 2 state, or the old `{"last": N}`); ValueError if it is neither."""
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if set(data) == {"last"}:  # before numbers were counted per pair
            return cls({}, _number(data["last"]))
        if data.get("version") != 2 or not isinstance(data.get("numbers"), list):
            raise ValueError('neither {"version": 2, ...} nor {"last": N}')
        last: dict[Pair, int] = {}
        for entry in data["numbers"]:
            if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("sender_id", "receiver_id")):
                raise ValueError("an entry without sender_id and receiver_id")
            last[entry["sender_id"], entry["receiver_id"]] = _number(entry.get("last"))
        return cls(last, _number(data.get("shared", 0)))


def _number(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_CONTROL:
        return value
    raise ValueError(f"{value!r} is not a control number")


class ControlNumbers:
    """Unique, increasing control numbers for the settings' sender/receiver pair, persisted across
    runs in the state file (none with --fixed-time: from the base, in memory), each always above
    `floor`. `take` raises NumbersUsedUp rather than go past 999,999,999 (see the module docstring)."""

    def __init__(self, settings: Settings, floor: int = 0) -> None:
        self.settings = settings
        self.floor = floor
        self.pair: Pair = (settings.sender_id, settings.receiver_id)
        self.value = max(settings.base - 1, floor)  # the last number handed out, with no state file
        if settings.state_file is not None:
            self._read(settings.state_file)  # an unreadable state stops the run before anything is answered

    def take(self, count: int = 1) -> int:
        """Reserve `count` numbers; returns the first. With a state file, they are on disk (fsynced)
        before this returns."""
        path = self.settings.state_file
        if path is None:
            first = self._after(self.value, count)
            self.value = first + count - 1
            return first
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._locked(path):
            state = self._read(path)
            first = self._after(state.last_of(self.pair), count)
            state.last[self.pair] = first + count - 1
            with durable.replacing(path, encoding="utf-8") as fh:
                fh.write(state.to_json())
        return first

    def remove_temporaries(self) -> int:
        """Delete the new states a killed process left half-written beside the state file (under the
        lock: a run in progress is never touched); how many."""
        path = self.settings.state_file
        if path is None or not path.parent.is_dir():
            return 0
        removed = 0
        with self._locked(path):  # this version's temporary, and the mkstemp names of earlier ones
            for tmp in (durable.temporary(path), *path.parent.glob(f".{path.name}.*.tmp")):
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
                    removed += 1
        return removed

    @staticmethod
    @contextlib.contextmanager
    def _locked(path: Path) -> Iterator[None]:
        flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        with open(os.open(str(path) + ".lock", flags, durable.PRIVATE_FILE), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _after(self, last: int, count: int) -> int:
        """The first of `count` numbers after `last` (and the base, and the floor); NumbersUsedUp past
        nine digits."""
        if count < 1:
            raise ValueError(f"count must be at least 1, not {count}")
        first = max(last + 1, self.settings.base, self.floor + 1)
        if first + count - 1 > MAX_CONTROL:
            raise NumbersUsedUp(self._used_up(first - 1, count))
        return first

    def _used_up(self, last: int, count: int) -> str:
        sender, receiver = self.pair
        to = f"receiver {receiver!r}" if receiver else "every receiver (no receiver_id configured)"
        state = self.settings.state_file or "control numbers (no state file: from first_control_number)"
        return (f"{state}: no control numbers left for sender {sender!r} and {to}: {count} asked for, the last used"
                f" is {last:,} and ISA13 stops at {MAX_CONTROL:,}. Refused rather than reuse a number: answer under"
                " another sender_id or receiver_id (the config, --sender-id, --receiver-id), or, once the receivers"
                " no longer hold the old numbers, remove the pair from the state file to number from"
                " first_control_number again")

    def _read(self, path: Path) -> State:
        """The state file's content (none yet: empty). A state that cannot be read is an error:
        starting again from the base would reuse numbers."""
        if not os.path.lexists(path):
            return State({})
        try:
            data = durable.read_limited(path, SMALL_FILE)
            return State.parse(json.loads(data))
        except (OSError, ValueError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise ConfigError(f"the control-number state cannot be read ({why}): restore it, or remove it to number"
                           " from the base again (answers may then repeat earlier numbers)", file=str(path)) from None


class Reserved:
    """A block of numbers reserved beforehand (by `ack`'s record of what it answered, by the stage's
    ledger, by the Spark driver), handed out as a ControlNumbers would: an answer made again with it
    is byte for byte the first one."""

    def __init__(self, first: int, count: int) -> None:
        self.first, self.left = first, count

    def take(self, count: int = 1) -> int:
        if count > self.left:
            raise ValueError(f"{count} numbers asked of a block with {self.left} left")
        self.left -= count
        first, self.first = self.first, self.first + count
        return first


class Numbering(Protocol):
    """Where an input's control numbers come from: ControlNumbers, or a block Reserved beforehand."""

    def take(self, count: int = 1) -> int: ...


class AnswerNumbers:
    """The control numbers answering one input, the one place their order is written: its 999 takes
    the first, its 277CA the next, its forward 837 the last (ISA13, GS06 and ST02 of each)."""

    COUNT: Final = 3

    def __init__(self, first: int) -> None:
        self.first = first

    @classmethod
    def take(cls, numbers: Numbering) -> AnswerNumbers:
        """The next input's numbers, reserved from `numbers` (fsynced first when it has a state file)."""
        return cls(numbers.take(cls.COUNT))

    @property
    def ack999(self) -> int:
        return self.first

    @property
    def ack277(self) -> int:
        return self.first + 1

    @property
    def forward837(self) -> int:
        return self.first + 2

    @property
    def last(self) -> int:
        return self.first + self.COUNT - 1

    def span(self) -> str:
        """As the stage's status shows them: "000000001-000000003"."""
        return f"{self.first:09d}-{self.last:09d}"

    def as_dict(self) -> dict[str, int]:
        """As results/*.json records them."""
        return {"999": self.ack999, "277CA": self.ack277, "837": self.forward837}
