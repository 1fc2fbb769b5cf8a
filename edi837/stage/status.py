"""What the stage says about its work: the counts of a run (Tally), its summary (OUTBOX/runs/*.json
and the line printed last), and `run --status`, the ledger printed.

Each line names files, counts and control numbers only, never what a claim holds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..answers.control import AnswerNumbers
from ..answers.write.report import claims_phrase
from ..engine.results import Summary
from ..errors import printable
from . import payer
from .inbox import Unusable
from .ledger import ANSWERED, CLAIMED, QUARANTINED, Ledger, Row


@dataclass
class Tally:
    answered: int = 0
    quarantined: int = 0
    duplicates: int = 0
    redone: int = 0  # reserved by a killed run, answered again with its numbers
    moved: int = 0  # answered by a killed run before its move: moved now
    left_alone: int = 0
    failed: int = 0  # could not be answered or moved (a full disk): left claimed for the next run
    worker_deaths: int = 0
    claims: int = 0
    accepted: int = 0
    rejected_sets: int = 0
    responses: int = 0  # payer's answers (TA1, 999, 277CA) recorded

    @property
    def rejected(self) -> int:
        return self.claims - self.accepted

    def summary(self, stopped: bool) -> Summary:
        """The run as the one exit code reads it: a file left unanswered (or a run stopped for cause) is
        work not done, as an unreadable file is to `check`; a quarantined file was answered, with its
        reason, so it counts as a rejection, as a rejected transaction set does."""
        return Summary(files=self.answered + self.quarantined + self.failed + self.responses, claims=self.claims,
                       accepted=self.accepted, rejected=self.rejected,
                       rejected_sets=self.rejected_sets + self.quarantined, unreadable=self.failed + stopped)


def run_summary(t: Tally, *, started_at: dt.datetime, elapsed: float, code: int, interrupted: bool,
                stopped_by: str, workers: int, watch: bool) -> dict[str, object]:
    """The run's summary, as OUTBOX/runs/*.json and the ledger's `runs` table keep it."""
    return {"started_at": started_at.isoformat(timespec="seconds"),
            "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "seconds": round(elapsed, 3), "workers": workers, "watch": watch,
            "interrupted": interrupted, "exit_code": code,
            "files": {"answered": t.answered, "quarantined": t.quarantined, "duplicates": t.duplicates,
                      "redone_after_a_crash": t.redone, "moved_after_a_crash": t.moved,
                      "left_alone": t.left_alone, "not_answered": t.failed, "payer_answers": t.responses},
            "worker_deaths": t.worker_deaths, "stopped_by": stopped_by or None,
            "claims": t.claims, "accepted": t.accepted, "rejected": t.rejected, "rejected_sets": t.rejected_sets}


def summary_line(t: Tally, interrupted: bool) -> str:
    """The line printed when the run is over (`interrupted`: its exit code says so)."""
    files = t.answered + t.quarantined
    what = [] if t.responses and not (files or t.duplicates or t.failed) else [
        f"{count(files, 'file')}: {t.answered} answered, {t.quarantined} quarantined,"
        f" {count(t.duplicates, 'duplicate')}; {count(t.claims, 'claim')}: {t.accepted} accepted, {t.rejected} rejected"]
    if t.responses:
        what.append(f"{count(t.responses, 'payer answer file')} recorded")
    return ("; ".join(what)
            + (f"; {t.failed} not answered (see the errors above)" if t.failed else "")
            + (f"; {count(t.worker_deaths, 'worker death')}" if t.worker_deaths else "")
            + (" (interrupted: what was not finished stays for the next run)" if interrupted else ""))


def count(n: int, what: str) -> str:
    return f"{n} {what}{'s' * (n != 1)}"


def numbers(control: int) -> str:
    """An input's control numbers, as the log and `--status` show them (from its first)."""
    return AnswerNumbers(control).span()


# -- the ledger, printed --------------------------------------------------------------------------

def open_ledger(outbox: Path) -> Ledger:
    """The ledger of `outbox`, read only (Unusable: no ledger there, or one that cannot be read)."""
    path = outbox / "ledger.sqlite"
    if not path.is_file():
        raise Unusable(f"{printable(str(outbox))}: no ledger here (ledger.sqlite): not an OUTBOX of `edi837 run`")
    try:
        return Ledger(path, readonly=True)
    except sqlite3.Error as exc:
        raise Unusable(f"{printable(str(path))}: cannot read the ledger: {exc}") from None


def status_lines(outbox: Path, overdue: dict[str, float] | None = None, now: dt.datetime | None = None) -> Iterable[str]:
    """What the ledger of `outbox` says: one line per input, per duplicate, then the counts; then the
    payer's side: per forwarded file its claims' states and one line per claim, the payer's answer
    files, and the answers that matched nothing. Reads only: OUTBOX need not be writable."""
    ledger = open_ledger(outbox)
    try:
        rows, duplicates = list(ledger.rows()), ledger.duplicates()
        yield from _input_lines(rows, duplicates)
        yield from _payer_lines(ledger, overdue or payer.OVERDUE_DAYS, now or dt.datetime.now(dt.UTC))
    except sqlite3.Error as exc:
        raise Unusable(f"{printable(str(outbox))}: cannot read the ledger: {exc}") from None
    finally:
        ledger.close()


def _input_lines(rows: list[Row], duplicates: list[tuple[str, str, str, str]]) -> Iterable[str]:
    counts = {ANSWERED: 0, QUARANTINED: 0, CLAIMED: 0}
    for row in rows:
        counts[row.state] += 1
        controls = numbers(row.control) if row.control is not None else "-"
        when = row.finished_at or row.claimed_at
        what = (claims_phrase(row.claims or 0, row.accepted or 0) if row.state == ANSWERED
                else "in flight: answered again by the next run" if row.state == CLAIMED
                else f"reason: {(row.reason or '').splitlines()[0] if row.reason else ''}")
        yield f"{row.state:<11} {when}  {printable(row.stem)}  control {controls}  {what}"
    for seen, name, archived, stem in duplicates:
        yield f"{'duplicate':<11} {seen}  {printable(name)}  of {printable(stem)}  archived as {printable(archived)}"
    yield (f"{counts[ANSWERED]} answered, {counts[QUARANTINED]} quarantined, {counts[CLAIMED]} in flight,"
           f" {count(len(duplicates), 'duplicate')}")


def _payer_lines(ledger: Ledger, overdue: dict[str, float], now: dt.datetime) -> Iterable[str]:
    if not ledger.migrated:
        yield ("the payer's side: this ledger was made by an earlier release; the next `edi837 run` on this"
               " OUTBOX migrates it (forwarded claims are read from forward/)")
        return
    states = {payer.FORWARDED: 0, payer.PAYER_ACCEPTED: 0, payer.PAYER_REJECTED: 0, payer.OVERDUE: 0}
    current = None
    for v in payer.claim_views(ledger, now, overdue):
        if (v.input, v.isa13) != current:
            current = (v.input, v.isa13)
            yield (f"forwarded   {v.forwarded_at}  {printable(v.input)}  forward ISA13 {v.isa13}:"
                   " the payer's answers, claim by claim")
        states[v.state] += 1
        yield (f"  {v.state:<15} CLM01 {printable(v.claim_id)}  D9 {printable(v.trace)}  GS06 {v.gs06} ST02 {v.st02}"
               f"  {printable(v.detail)}")
    for stem, kinds, sender, items, unmatched, again, problems, received in ledger.response_rows():
        yield (f"{'response':<11} {received}  {printable(stem)}  {kinds or 'no answer'}"
               f"{' from ' + printable(sender) if sender else ''}: {count(items, 'answer')}, {unmatched} unmatched,"
               f" {again} answered again, {count(problems, 'problem')} in the file")
    for stem, kind, level, names, status in ledger.unmatched():
        yield f"{'unmatched':<11} {printable(stem)}  {kind} {level} answer for {printable(names)} ({status}): names nothing forwarded"
    yield ", ".join(f"{n} {state}" for state, n in states.items()) + " (forwarded claims)"


def status_json(outbox: Path, overdue: dict[str, float] | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    """`run --status --format json`: the same as `status_lines`, for machines."""
    ledger = open_ledger(outbox)
    try:
        inputs = [{"stem": r.stem, "name": r.name, "state": r.state, "control_numbers": numbers(r.control)
                   if r.control is not None else None, "claims": r.claims, "accepted": r.accepted,
                   "forwarded": r.forwarded, "reason": r.reason, "claimed_at": r.claimed_at,
                   "finished_at": r.finished_at} for r in ledger.rows()]
        duplicates = [{"seen_at": seen, "name": name, "archived_as": archived, "of": stem}
                      for seen, name, archived, stem in ledger.duplicates()]
        out: dict[str, Any] = {"schema_version": ledger.version, "inputs": inputs, "duplicates": duplicates}
        if ledger.migrated:
            views = payer.claim_views(ledger, now or dt.datetime.now(dt.UTC), overdue or payer.OVERDUE_DAYS)
            out["forwarded"] = [dataclasses.asdict(v) for v in views]
            out["responses"] = [dict(zip(("stem", "kinds", "payer", "answers", "unmatched", "answered_again",
                                          "problems", "received_at"), r)) for r in ledger.response_rows()]
            out["unmatched"] = [dict(zip(("response", "kind", "level", "names", "status"), r))
                                for r in ledger.unmatched()]
            states = [v["state"] for v in out["forwarded"]]
            out["counts"] = {s: states.count(s) for s in (payer.FORWARDED, payer.PAYER_ACCEPTED,
                                                          payer.PAYER_REJECTED, payer.OVERDUE)}
        return out
    except sqlite3.Error as exc:
        raise Unusable(f"{printable(str(outbox))}: cannot read the ledger: {exc}") from None
    finally:
        ledger.close()
