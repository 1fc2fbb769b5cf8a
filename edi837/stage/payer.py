"""The payer's answers in the stage: a TA1, 999 or 277CA dropped in INBOX is read, matched to the
claims the stage forwarded, and recorded in the ledger (stage/ledger.py: `forwarded`, `responses`,
`answers`); then it moves to archive/ as an answered input does.

Matching (what each answer names, and the forwarded claims that carry it):

    TA1         TA101 = the forward 837's ISA13                   every claim of that interchange
    999 AK9     AK102 = its GS06                                  every claim of that group
    999 AK2/IK5 AK102 = GS06 and AK202 = ST02                     every claim of that set
    277CA claim REF*D9 = the trace the forward 837 gave it,       that claim
                and TRN02 = its CLM01
                (no REF*D9: TRN02 = CLM01)                        the claims sent with that CLM01
    277CA batch 2200B TRN02 = the set's BHT03                     every claim of those sets

An answer that names nothing forwarded is recorded without a claim and reported (unmatched); one
that names a claim already answered at its level by another file is recorded and reported too
(answered again). Reading and recording one file is one ledger transaction: a run killed half way
records nothing of it, and the next run reads it again.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..responses import REJECTED, BatchStatus, ClaimStatus, GroupAck, Problem, Response, SetAck, Ta1
from ..responses import read as read_responses
from ..responses.model import shown
from ..responses.sent import SentClaim, sent_claims
from ..x12.envelope import CONTROL
from . import worker
from .ledger import Ledger
from .outbox import Outbox

# Which forwarded claims an answer names: (kind, level, the ledger's clause, its arguments, its words).
Target = tuple[str, str, str, tuple[str, ...], str]


def target(r: Response) -> Target | None:
    """What `r` names among forwarded claims (None: a Problem, or a provider-level 277CA status)."""
    if isinstance(r, Ta1):
        return "TA1", "interchange", "isa13 = ?", (r.control,), f"ISA13 {shown(r.control, CONTROL)}"
    if isinstance(r, GroupAck):
        return "999", "group", "gs06 = ?", (r.group_control,), f"GS06 {shown(r.group_control, CONTROL)}"
    if isinstance(r, SetAck):
        return ("999", "set", "gs06 = ? AND st02 = ?", (r.group_control, r.set_control),
                f"GS06 {shown(r.group_control, CONTROL)} ST02 {shown(r.set_control, CONTROL)}")
    if isinstance(r, ClaimStatus):
        if r.trace:  # and TRN02, the CLM01 it was sent with: a trace from another sender's numbers must not match
            return "277CA", "claim", "trace = ? AND claim_id = ?", (r.trace, r.claim_id), f"CLM01 {r.claim_id} D9 {r.trace}"
        return "277CA", "claim", "claim_id = ?", (r.claim_id,), f"CLM01 {r.claim_id}"
    if isinstance(r, BatchStatus):  # BHT03 is the submitter's and may repeat: only a rejection is spread
        if r.level == "batch" and r.status == REJECTED:
            return ("277CA", "batch", "bht03 = ? AND id NOT IN (SELECT claim FROM answers WHERE kind = '277CA' AND"
                    " level = 'claim' AND claim IS NOT NULL)", (r.trace,), f"BHT03 {r.trace}")
        return "277CA", r.level, "", (), f"{r.level} trace {r.trace}"  # noted with the file, not with a claim
    return None


def codes(r: Response) -> str:
    """The answer's codes as the ledger keeps them (each quoted only when it has a code's form)."""
    return "" if isinstance(r, Problem) else r.codes


@dataclass
class Recorded:
    kinds: list[str] = field(default_factory=list)  # the answers it held, in the order first read: TA1, 999, 277CA
    payer: str = ""
    items: int = 0
    unmatched: int = 0
    again: int = 0
    problems: int = 0
    unreadable: str = ""  # why the file could not be read on (a located line), when it could not


def record(ledger: Ledger, stream_path: Path, name: str, sha256: str, stem: str, log: Callable[[str], None],
           hashed: tuple[int, int] | None = None) -> Recorded:
    """Read the answer file at `stream_path` and record what it says against the forwarded claims,
    in one transaction. A file that cannot be read and holds no answer is not recorded (`unreadable`
    says why: the stage quarantines it). A file whose size or mtime is no longer `hashed` once read (a
    sender still writing to it) raises worker.Changed and records nothing: what was read is not the
    content hashed. Lines logged name control numbers and claim ids, never a patient's data."""
    done = Recorded()
    response = ledger.response_started(sha256, name, stem)
    try:
        with open(stream_path, "rb") as fh:
            for r in read_responses(fh, name):
                if isinstance(r, Problem):
                    done.problems += 1
                    if r.code == "unreadable":
                        done.unreadable = f"{name}: line {r.line}: {r.message}"
                    continue
                done.payer = done.payer or r.interchange.sender
                _record(ledger, response, r, done, log, name)
            now = os.fstat(fh.fileno())
            if hashed is not None and (now.st_size, now.st_mtime_ns) != hashed:
                raise worker.Changed(str(stream_path))
    except BaseException:
        ledger.response_abandoned()
        raise
    if done.unreadable and not done.items:
        ledger.response_abandoned()
        return done
    ledger.response_finished(response, " ".join(done.kinds), done.payer, done.items, done.unmatched, done.again, done.problems)
    return done


def _record(ledger: Ledger, response: int, r: Response, done: Recorded, log: Callable[[str], None],
            name: str) -> None:
    aim = target(r)
    if aim is None:
        return
    kind, level, where, args, names = aim
    if kind not in done.kinds:
        done.kinds.append(kind)
    done.items += 1
    status, words = getattr(r, "status", ""), getattr(r, "words", "")
    payer_number = r.payer_claim_number if isinstance(r, ClaimStatus) else ""
    if not where:
        ledger.answer(response, None, kind, level, names, status, codes(r), words, payer_number, False)
        return
    claims = ledger.forwarded_claims(where, args)
    if not claims:
        done.unmatched += 1
        ledger.answer(response, None, kind, level, names, status, codes(r), words, payer_number, False)
        log(f"{name}: {kind} {level} answer for {names} names nothing forwarded (unmatched)")
        return
    again_in = ""
    for claim, _ in claims:
        before = ledger.answered_by(claim, kind, level)
        again_in = again_in or (before or "")
        ledger.answer(response, claim, kind, level, names, status, codes(r), words, payer_number, before is not None)
        worker.failpoint("response-answer")  # a test's kill in the middle of a response's transaction
    if again_in:
        done.again += 1
        log(f"{name}: {kind} {level} answer for {names} answers what {again_in} already answered (answered again)")


def sent(outbox: Outbox, stem: str) -> Iterator[SentClaim]:
    """The claims the forward 837 of input `stem` sent (none when it has none)."""
    path = outbox.answers(stem).forward837
    if path.is_file():
        with open(path, "rb") as fh:
            yield from sent_claims(fh, os.fspath(path.name))


def backfill(ledger: Ledger, outbox: Outbox, log: Callable[[str], None]) -> None:
    """A ledger of an earlier release: its forwarded claims read from the forward 837s in OUTBOX."""
    if ledger.migrated:
        return
    todo = ledger.to_backfill()
    ledger.backfilled({sha: (stamp, sent(outbox, stem)) for sha, stem, stamp in todo})  # streamed, file by file
    claims = sum(1 for _ in ledger.forwarded_rows())
    log(f"ledger: migrated to schema version 2 ({len(todo)} forward 837s read, {claims} forwarded claims recorded)")


# -- what the payer said of each forwarded claim (`run --status`) ---------------------------------

FORWARDED, PAYER_ACCEPTED, PAYER_REJECTED, OVERDUE = "forwarded", "payer-accepted", "payer-rejected", "overdue"
OVERDUE_DAYS = {"999": 2.0, "277CA": 7.0}  # days a forwarded claim may wait for each answer (--overdue)


@dataclass
class Answer:
    kind: str
    level: str
    status: str
    codes: str
    words: str
    payer_claim_number: str
    response: str  # the response file's stem
    received_at: str
    again: bool


@dataclass
class ClaimView:
    """One forwarded claim and what the payer said of it."""

    input: str  # the stem of the input whose forward 837 sent it
    isa13: str
    gs06: str
    st02: str
    claim_id: str
    trace: str
    charge: str
    claim_type: str
    forwarded_at: str
    answers: list[Answer]
    state: str = FORWARDED
    detail: str = ""


def verdict(view: ClaimView, now: dt.datetime, overdue: dict[str, float]) -> None:
    """The claim's state from its answers: the payer's 277CA decides when there is one; else a TA1,
    999 or batch-level 277CA that rejects it; else it waits for the 999 (overdue after
    overdue["999"] days), then for the 277CA (overdue["277CA"] days)."""
    a = view.answers
    c277 = next((x for x in reversed(a) if x.kind == "277CA" and x.level == "claim" and x.status != "noted"), None)
    rejected = next((x for x in a if x.status == "rejected"), None)
    accepted_999 = next((x for x in a if x.kind == "999" and x.level == "set" and x.status == "accepted"), None)
    days = (now - dt.datetime.fromisoformat(view.forwarded_at)).total_seconds() / 86400
    if c277 is not None:
        view.state = PAYER_ACCEPTED if c277.status == "accepted" else PAYER_REJECTED
        number = f"; payer claim number {c277.payer_claim_number}" if c277.payer_claim_number else ""
        view.detail = f"277CA {c277.codes}: {c277.words}{number}"
    elif rejected is not None:
        view.state, view.detail = PAYER_REJECTED, f"{rejected.kind} {rejected.codes}: {rejected.words}"
    elif accepted_999 is not None:
        late = days > overdue["277CA"]
        view.state = OVERDUE if late else FORWARDED
        view.detail = (f"999 accepted ({accepted_999.codes}); " +
                       (f"no 277CA after {days:.1f} days" if late else "awaiting the 277CA"))
    else:
        late = days > overdue["999"]
        view.state = OVERDUE if late else FORWARDED
        view.detail = f"no 999 after {days:.1f} days" if late else "awaiting the 999"
    if any(x.again for x in a):
        view.detail += " (answered more than once: see the responses)"


def claim_views(ledger: Ledger, now: dt.datetime, overdue: dict[str, float]) -> Iterator[ClaimView]:
    """Every forwarded claim with its answers and state, in the order forwarded: two cursors walked side
    by side (both ordered by claim), so a ledger of any size is streamed."""
    answers = ledger.answers_of_claims()
    pending = next(answers, None)
    for fid, stem, isa13, gs06, st02, claim_id, trace, charge, claim_type, at in ledger.forwarded_rows():
        mine: list[Answer] = []
        while pending is not None and pending[0] <= fid:
            claim, kind, level, status, codes_, words, number, response, received, again = pending
            if claim == fid:
                mine.append(Answer(kind, level, status, codes_, words, number, response, received, bool(again)))
            pending = next(answers, None)
        view = ClaimView(stem, isa13, gs06, st02, claim_id, trace, charge, claim_type, at, mine)
        verdict(view, now, overdue)
        yield view
