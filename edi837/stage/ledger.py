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

The payer's side (issue 26). Each claim a forward 837 sent is a `forwarded` row, written with its
input's `answered` state in one transaction, keyed as a payer's answer names it: ISA13 (TA1), GS06 and
ST02 (999), CLM01 and the REF*D9 trace (277CA), BHT03 (a 277CA batch). Each TA1, 999 or 277CA file
dropped in INBOX is a `responses` row, and what it says of each forwarded claim an `answers` row
(an answer that names nothing forwarded has no claim: it is reported as unmatched). The schema has a
version (`PRAGMA user_version`, SCHEMA_VERSION); a ledger of an earlier release (version 0) gets the
new tables, and the stage fills `forwarded` from the forward 837s in OUTBOX (`to_backfill`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..answers.control import AnswerNumbers
from ..responses.sent import SentClaim

CLAIMED, ANSWERED, QUARANTINED = "claimed", "answered", "quarantined"
FILE_NAME = "ledger.sqlite"
SCHEMA_VERSION = 2  # 0: before issue 26 (inputs, duplicates, runs); 2: forwarded, responses, answers

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
CREATE TABLE IF NOT EXISTS forwarded (
    id INTEGER PRIMARY KEY,
    input TEXT NOT NULL,           -- sha256 of the input whose forward 837 sent it
    isa13 TEXT NOT NULL, gs06 TEXT NOT NULL, st02 TEXT NOT NULL, bht03 TEXT NOT NULL,
    claim_id TEXT NOT NULL,        -- CLM01
    trace TEXT NOT NULL,           -- REF*D9
    charge TEXT NOT NULL, claim_type TEXT NOT NULL,
    forwarded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS forwarded_input ON forwarded (input);
CREATE INDEX IF NOT EXISTS forwarded_set ON forwarded (gs06, st02);
CREATE INDEX IF NOT EXISTS forwarded_trace ON forwarded (trace);
CREATE INDEX IF NOT EXISTS forwarded_claim ON forwarded (claim_id);
CREATE TABLE IF NOT EXISTS responses (
    id INTEGER PRIMARY KEY,
    sha256 TEXT UNIQUE NOT NULL,
    name TEXT NOT NULL, stem TEXT NOT NULL,
    kinds TEXT NOT NULL,           -- what it held: "TA1 999", "277CA" ...
    payer TEXT NOT NULL,           -- ISA06 of its (first) interchange
    items INTEGER NOT NULL, unmatched INTEGER NOT NULL, again INTEGER NOT NULL, problems INTEGER NOT NULL,
    received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY,
    response INTEGER NOT NULL,     -- responses.id
    claim INTEGER,                 -- forwarded.id; NULL: it names nothing forwarded (unmatched)
    kind TEXT NOT NULL,            -- TA1, 999, 277CA
    level TEXT NOT NULL,           -- interchange, group, set, batch, claim
    names TEXT NOT NULL,           -- what it names: "ISA13 000000009", "GS06 9 ST02 0001", "CLM01 X D9 Y"
    status TEXT NOT NULL,          -- accepted, rejected, noted
    codes TEXT NOT NULL, words TEXT NOT NULL,
    payer_claim_number TEXT NOT NULL,
    again INTEGER NOT NULL         -- 1: the claim already had an answer of this kind from another file
);
CREATE INDEX IF NOT EXISTS answers_claim ON answers (claim);
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
            (self.version,) = self.db.execute("PRAGMA user_version").fetchone()
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
        (self.version,) = self.db.execute("PRAGMA user_version").fetchone()
        if self.version < SCHEMA_VERSION and not self.db.execute("SELECT 1 FROM inputs LIMIT 1").fetchone():
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")  # a new ledger: nothing to migrate
            self.version = SCHEMA_VERSION

    @property
    def migrated(self) -> bool:
        """Whether the ledger has this release's schema (the payer's tables): one of an earlier release
        is migrated by the next `run` (stage/payer.backfill)."""
        return self.version >= SCHEMA_VERSION

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

    def answered(self, sha256: str, claims: int, accepted: int, rejected_sets: int, forwarded: int,
                 sent: Iterable[SentClaim] = ()) -> None:
        """The input answered, with the claims its forward 837 `sent` (one transaction: a redo replaces them)."""
        stamp = now()
        with self.transaction():
            self.db.execute("UPDATE inputs SET state = ?, claims = ?, accepted = ?, rejected_sets = ?, forwarded = ?,"
                            " finished_at = ? WHERE sha256 = ?",
                            (ANSWERED, claims, accepted, rejected_sets, forwarded, stamp, sha256))
            self._forwarded(sha256, sent, stamp)

    def _forwarded(self, sha256: str, sent: Iterable[SentClaim], stamp: str) -> None:
        self.db.execute("DELETE FROM forwarded WHERE input = ?", (sha256,))
        self.db.executemany(
            "INSERT INTO forwarded (input, isa13, gs06, st02, bht03, claim_id, trace, charge, claim_type, forwarded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((sha256, c.isa13, c.gs06, c.st02, c.bht03, c.claim_id, c.trace, c.charge, c.claim_type, stamp)
             for c in sent))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- the payer's side ---------------------------------------------------------------------------

    def to_backfill(self) -> list[tuple[str, str, str]]:
        """For the migration of a ledger of an earlier release: (sha256, stem, finished at) of each
        answered input that forwarded claims; `backfilled` then records them and the schema version."""
        return list(self.db.execute("SELECT sha256, stem, coalesce(finished_at, claimed_at) FROM inputs"
                                    " WHERE state = ? AND forwarded > 0 ORDER BY id", (ANSWERED,)))

    def backfilled(self, sent: dict[str, tuple[str, Iterable[SentClaim]]]) -> None:
        """Record the claims each input's forward 837 sent (by input: (forwarded at, claims)), and the
        schema version, in one transaction."""
        with self.transaction():
            for sha256, (stamp, claims) in sent.items():
                self._forwarded(sha256, claims, stamp)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self.version = SCHEMA_VERSION

    def find_response(self, sha256: str) -> tuple[int, str] | None:
        """(id, stem) of a response file already recorded with this content."""
        return self.db.execute("SELECT id, stem FROM responses WHERE sha256 = ?", (sha256,)).fetchone()

    def free_response_stem(self, name: str, sha256: str) -> str:
        taken = {r[0] for r in self.db.execute("SELECT stem FROM responses")} | {
            r[0] for r in self.db.execute("SELECT stem FROM inputs")}
        return name if name not in taken else _with_tag(name, sha256[:12])

    def forwarded_claims(self, where: str, args: tuple[str, ...]) -> list[tuple[int, str]]:
        """(id, what it names) of the forwarded claims `where` selects (a fixed clause, never input text)."""
        return list(self.db.execute(f"SELECT id, 'CLM01 ' || claim_id || ' D9 ' || trace FROM forwarded WHERE {where}"
                                    " ORDER BY id", args))

    def answered_by(self, claim: int, kind: str, level: str) -> str | None:
        """The response file (stem) that already gave `claim` an answer of `kind` at `level`, if any."""
        row = self.db.execute("SELECT r.stem FROM answers a JOIN responses r ON r.id = a.response"
                              " WHERE a.claim = ? AND a.kind = ? AND a.level = ? LIMIT 1", (claim, kind, level)).fetchone()
        return row[0] if row else None

    def response_started(self, sha256: str, name: str, stem: str) -> int:
        """Open a response's transaction and its row (finished by `response_finished`, in the same one)."""
        self.db.execute("BEGIN IMMEDIATE")
        cur = self.db.execute("INSERT INTO responses (sha256, name, stem, kinds, payer, items, unmatched, again,"
                              " problems, received_at) VALUES (?, ?, ?, '', '', 0, 0, 0, 0, ?)",
                              (sha256, name, stem, now()))
        assert cur.lastrowid is not None
        return cur.lastrowid

    def answer(self, response: int, claim: int | None, kind: str, level: str, names: str, status: str, codes: str,
               words: str, payer_claim_number: str, again: bool) -> None:
        self.db.execute("INSERT INTO answers (response, claim, kind, level, names, status, codes, words,"
                        " payer_claim_number, again) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (response, claim, kind, level, names, status, codes, words, payer_claim_number, int(again)))

    def response_finished(self, response: int, kinds: str, payer: str, items: int, unmatched: int, again: int,
                          problems: int) -> None:
        self.db.execute("UPDATE responses SET kinds = ?, payer = ?, items = ?, unmatched = ?, again = ?, problems = ?"
                        " WHERE id = ?", (kinds, payer, items, unmatched, again, problems, response))
        self.db.execute("COMMIT")

    def response_abandoned(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    def forwarded_rows(self) -> Iterator[tuple]:
        """Each forwarded claim with its input's stem: (id, stem, isa13, gs06, st02, claim_id, trace, charge,
        claim_type, forwarded_at)."""
        yield from self.db.execute(
            "SELECT f.id, i.stem, f.isa13, f.gs06, f.st02, f.claim_id, f.trace, f.charge, f.claim_type, f.forwarded_at"
            " FROM forwarded f JOIN inputs i ON i.sha256 = f.input ORDER BY f.id")

    def answers_of_claims(self) -> Iterator[tuple]:
        """Every answer naming a forwarded claim, by claim, each claim's in the order received: (claim, kind,
        level, status, codes, words, payer claim number, response stem, received at, again)."""
        yield from self.db.execute(
            "SELECT a.claim, a.kind, a.level, a.status, a.codes, a.words, a.payer_claim_number, r.stem,"
            " r.received_at, a.again FROM answers a JOIN responses r ON r.id = a.response WHERE a.claim IS NOT NULL"
            " ORDER BY a.claim, a.id")

    def response_rows(self) -> list[tuple]:
        """(stem, kinds, payer, items, unmatched, again, problems, received at) per response file."""
        return list(self.db.execute("SELECT stem, kinds, payer, items, unmatched, again, problems, received_at"
                                    " FROM responses ORDER BY id"))

    def unmatched(self) -> list[tuple[str, str, str, str, str]]:
        """(response stem, kind, level, what it names, status) of each answer that names nothing forwarded."""
        return list(self.db.execute("SELECT r.stem, a.kind, a.level, a.names, a.status FROM answers a"
                                    " JOIN responses r ON r.id = a.response WHERE a.claim IS NULL AND"
                                    " (a.level NOT IN ('batch', 'provider') OR a.status = 'rejected') ORDER BY a.id"))

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
            "SELECT d.seen_at, d.name, d.archived_as, coalesce(i.stem, r.stem, '?') FROM duplicates d"
            " LEFT JOIN inputs i ON i.sha256 = d.sha256 LEFT JOIN responses r ON r.sha256 = d.sha256 ORDER BY d.id"
            if self.migrated else  # read only, before its migration: no responses table yet
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
