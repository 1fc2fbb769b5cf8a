"""The pipeline stage's ledger: one SQLite database in OUTBOX (the standard library's sqlite3, WAL
mode) with a row per input, keyed by the SHA-256 of its content.

Theory of operation. A row goes through these states, each written (and committed) before the step
it announces, so that a run killed at any moment can tell what it was doing:

    claimed ──► answered     the answers are written; the input then moves to archive/
            └─► quarantined  the input is not a readable 837; it then moves to quarantine/

`claimed` is the intent: it holds the control numbers and the clock of the answers, reserved before
a byte is written. A run that finds a `claimed` row for an input in INBOX answers it again with the
same numbers and clock, so the answers come out byte for byte as the first attempt would have
written them, replacing what it left: a control number is never handed out twice, and an input never
gets two sets of answers. A row `answered` or `quarantined` whose input is still in INBOX was
killed before the move: the move is finished. Content already answered that arrives again is a
duplicate: it is archived as one and listed in `duplicates`, never answered again.

Only the stage's parent process writes the ledger; its workers write answers.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..answers.control import AnswerNumbers

CLAIMED, ANSWERED, QUARANTINED = "claimed", "answered", "quarantined"
FILE_NAME = "ledger.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS inputs (
    id INTEGER PRIMARY KEY,
    sha256 TEXT UNIQUE,            -- of the content; NULL for an entry that could not be read at all
    name TEXT NOT NULL,            -- as found in INBOX
    stem TEXT NOT NULL UNIQUE,     -- what its answers and its archived copy are named after
    size INTEGER,
    state TEXT NOT NULL,           -- claimed, answered, quarantined
    control INTEGER,               -- the first of its AnswerNumbers (999; 277CA and forward 837 follow)
    answer_time TEXT,              -- the clock of its answers (ISO), kept so a redo writes the same bytes
    claims INTEGER, accepted INTEGER, rejected_sets INTEGER, forwarded INTEGER,
    reason TEXT,                   -- why it was quarantined (no claim contents)
    claimed_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE TABLE IF NOT EXISTS duplicates (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER,
    archived_as TEXT NOT NULL,
    seen_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    summary TEXT                   -- the run summary (JSON), as written to OUTBOX/runs/
);
"""


@dataclass(frozen=True)
class Row:
    sha256: str | None
    name: str
    stem: str
    size: int | None
    state: str
    control: int | None
    answer_time: dt.datetime | None
    claims: int | None
    accepted: int | None
    rejected_sets: int | None
    forwarded: int | None
    reason: str | None
    claimed_at: str
    finished_at: str | None


COLUMNS = ("sha256, name, stem, size, state, control, answer_time, claims, accepted, rejected_sets, forwarded,"
           " reason, claimed_at, finished_at")


def _row(values: tuple) -> Row:
    fields = list(values)
    fields[6] = dt.datetime.fromisoformat(fields[6]) if fields[6] else None
    return Row(*fields)


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Ledger:
    """The ledger of one OUTBOX. Each method is one committed transaction. Names are stored as they
    are shown (edi837.x12.read.printable: a name that is not UTF-8 has its bytes escaped), so every row is
    valid text; the stage keeps the name as the OS gave it."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        if readonly:  # `run --status`: needs no write access to OUTBOX
            self.db = _read_only(path)
            return
        # The file is created 0600 before SQLite opens it (SQLite makes its -wal and -shm files with
        # the database's mode); a link there is not followed.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600))
        path.chmod(0o600)
        self.db = sqlite3.connect(path, isolation_level=None)  # autocommit; transactions are explicit
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")  # a committed step survives a power cut, not only a kill
        self.db.execute("PRAGMA busy_timeout=10000")
        self.db.executescript(SCHEMA)

    def highest_control(self) -> int:
        """The last control number the ledger says was used (0 when none): numbering never goes below it,
        whatever the state file says (a config added to an OUTBOX later starts a new state file)."""
        (first,) = self.db.execute("SELECT max(control) FROM inputs").fetchone()
        return 0 if first is None else AnswerNumbers(int(first)).last

    def close(self) -> None:
        self.db.close()

    def find(self, sha256: str) -> Row | None:
        found = self.db.execute(f"SELECT {COLUMNS} FROM inputs WHERE sha256 = ?", (sha256,)).fetchone()
        return _row(found) if found else None

    def free_stem(self, name: str, sha256: str | None) -> str:
        """What a new input called `name` is archived and answered as: its name, or, when an earlier
        input had that name, the name with a short content hash (a counter for unreadable ones)."""
        tagged = [_with_tag(name, sha256[:12])] if sha256 else []
        for stem in itertools.chain([name], tagged, (_with_tag(name, str(n)) for n in itertools.count(2))):
            if not self.db.execute("SELECT 1 FROM inputs WHERE stem = ?", (stem,)).fetchone():
                return stem
        raise AssertionError("unreachable: the counter goes on")

    def claim(self, sha256: str, name: str, stem: str, size: int, control: int, when: dt.datetime) -> None:
        """Record the intent to answer a new input with the control numbers from `control`, at `when`."""
        self.db.execute("INSERT INTO inputs (sha256, name, stem, size, state, control, answer_time, claimed_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (sha256, name, stem, size, CLAIMED, control, when.isoformat(), now()))

    def answered(self, sha256: str, claims: int, accepted: int, rejected_sets: int, forwarded: int) -> None:
        self.db.execute("UPDATE inputs SET state = ?, claims = ?, accepted = ?, rejected_sets = ?, forwarded = ?,"
                        " finished_at = ? WHERE sha256 = ?",
                        (ANSWERED, claims, accepted, rejected_sets, forwarded, now(), sha256))

    def quarantined(self, sha256: str | None, name: str, stem: str, size: int | None, reason: str,
                    counts: tuple[int, int, int, int] = (0, 0, 0, 0)) -> None:
        """Record an input as quarantined: a claimed row moves on, an unreadable entry (no hash) gets one."""
        if sha256 is not None and self.find(sha256) is not None:
            self.db.execute("UPDATE inputs SET state = ?, reason = ?, claims = ?, accepted = ?, rejected_sets = ?,"
                            " forwarded = ?, finished_at = ? WHERE sha256 = ?",
                            (QUARANTINED, reason, *counts, now(), sha256))
            return
        stamp = now()
        self.db.execute("INSERT INTO inputs (sha256, name, stem, size, state, reason, claimed_at, finished_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (sha256, name, stem, size, QUARANTINED, reason, stamp, stamp))

    def release(self, sha256: str) -> None:
        """Forget a reservation whose answers were withdrawn (the file changed while it was answered)."""
        self.db.execute("DELETE FROM inputs WHERE sha256 = ? AND state = ?", (sha256, CLAIMED))

    def duplicate(self, sha256: str, name: str, size: int, archived_as: str) -> None:
        self.db.execute("INSERT INTO duplicates (sha256, name, size, archived_as, seen_at) VALUES (?, ?, ?, ?, ?)",
                        (sha256, name, size, archived_as, now()))

    def in_flight(self) -> list[Row]:
        """Inputs claimed by a run that did not finish them."""
        return [_row(r) for r in self.db.execute(f"SELECT {COLUMNS} FROM inputs WHERE state = ? ORDER BY id",
                                                 (CLAIMED,))]

    def rows(self) -> Iterator[Row]:
        for r in self.db.execute(f"SELECT {COLUMNS} FROM inputs ORDER BY id"):
            yield _row(r)

    def duplicates(self) -> list[tuple[str, str, str, str]]:
        """(seen at, name, archived as, stem of the input it repeats)."""
        return list(self.db.execute(
            "SELECT d.seen_at, d.name, d.archived_as, coalesce(i.stem, '?') FROM duplicates d"
            " LEFT JOIN inputs i ON i.sha256 = d.sha256 ORDER BY d.id"))

    def run_started(self) -> int:
        cur = self.db.execute("INSERT INTO runs (started_at) VALUES (?)", (now(),))
        assert cur.lastrowid is not None
        return cur.lastrowid

    def run_finished(self, run: int, summary: str) -> None:
        self.db.execute("UPDATE runs SET finished_at = ?, summary = ? WHERE id = ?", (now(), summary, run))


def _read_only(path: Path) -> sqlite3.Connection:
    """The ledger opened for reading only. SQLite reads a WAL database through its -shm file, which it
    cannot make in a folder it may not write: then the database is read as it is on disk (immutable),
    which misses only what a running stage has not checkpointed yet."""
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        db.execute("SELECT count(*) FROM inputs").fetchone()
        return db
    except sqlite3.Error:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)


def _with_tag(name: str, tag: str) -> str:
    """claims.837 with tag ab12 -> claims.ab12.837 (the suffix kept, so the file still reads as what it is)."""
    path = Path(name)
    return f"{path.stem}.{tag}{path.suffix}" if path.suffix else f"{name}.{tag}"
