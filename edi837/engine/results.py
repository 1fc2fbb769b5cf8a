"""The verdict: what was found in a file, and every decision of accepted or rejected made from it.

Theory of operation
-------------------
The checker files each finding under the claim, the person loop (subscriber/patient), the
transaction set, the group or the interchange it is about (`scope_of`). When a set closes it is
decided (`SetClaims.decide`): an error of the set rejects all its claims; otherwise a claim is
rejected by an error of its own or of its person loop, and accepted with warnings only. The 999
answers a set with IK5 A, E or R (`TransactionResult.ack`) and a group with AK9 A, E, P or R
(`GroupResult.ak9`); a broken interchange trailer gets a TA1 (`InterchangeResult.ta1_code`). The
277CA says accepted or rejected per claim, as `ClaimResult.status` does.

Rule 1: everything that decides a verdict lives in this file. Writers read these results and never
decide; the checker only files findings.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final, Literal, Protocol, TypeVar

from ..claims import Claim
from ..errors import Edi837Error
from ..findings import CLAIM, PERSON, TRANSACTION, WITH_SET, Finding, Scope
from ..x12 import guide
from ..x12.read import Delimiters
from .spool import Spill

T = TypeVar("T")

# -- scopes: what an error rejects ------------------------------------------------------------------

Status = Literal["accepted", "rejected"]  # a claim's verdict, as its 277CA says it
ACCEPTED: Final = "accepted"
REJECTED: Final = "rejected"


def scope_of(loop: str) -> Scope:
    """What a guide error in `loop` rejects: its claim (2300 and below), the claims of its subscriber or
    patient (2000B/2000C and their name loops), or the whole set (see guide.loop_sets)."""
    loops = guide.loop_sets()
    if loop in loops.claim:
        return CLAIM
    if loop in loops.person:
        return PERSON
    return TRANSACTION


# -- claims -----------------------------------------------------------------------------------------

class ClaimResult:
    """One claim's verdict: its findings (its own, and those of its subscriber/patient loops) and, once
    its set is decided, its status. (A plain class: compiled, its constructor is native, where a
    dataclass's is the interpreted one `dataclasses` writes.)"""

    def __init__(self, claim: Claim, findings: list[Finding], inherited: list[Finding], status: Status = ACCEPTED,
                 segments: list[str] | None = None, blocks: tuple[list[str], ...] = (), number: int = 0) -> None:
        self.claim = claim
        self.findings = findings
        self.inherited = inherited  # errors of its subscriber/patient loops, shared with their other claims
        self.status = status
        # For the forward 837 (kept only when asked): the claim's own segments and its context blocks,
        # each segment as read (its text, without terminator).
        self.segments = segments
        self.blocks = blocks
        self.number = number  # its place in the transaction set (1 = the first): numbers its trace

    def __reduce__(self) -> tuple:  # spooled to disk with pickle (see SetClaims)
        return ClaimResult, (self.claim, self.findings, self.inherited, self.status, self.segments, self.blocks,
                             self.number)

    @property
    def all_findings(self) -> list[Finding]:
        return self.inherited + self.findings


def has_own_error(c: ClaimResult) -> bool:
    return any(f.is_error for f in c.all_findings)


def claim_status(c: ClaimResult, set_error: bool) -> Status:
    """What a claim's answer says: a set-level error or an error of its own rejects it."""
    return REJECTED if set_error or has_own_error(c) else ACCEPTED


def set_reason(errors: list[Finding]) -> Finding | None:
    """What a claim rejected with its transaction set is told: the set's first error, repeated with
    scope "transaction" (its segment, line and fix are the set's), or None when the set has no error."""
    if not errors:
        return None
    first = errors[0]
    more = len(errors) - 1
    tail = f" (and {more} more error{'s' * (more != 1)} of the set, listed with it)" if more else ""
    # Without its 999 codes: the 999 answers the set's error once, with the set, not once per claim.
    return dataclasses.replace(first, scope=TRANSACTION, stc=WITH_SET, ik3="", ik4="", ik4_position="",
                               data_element="", message=(
        f"rejected with its transaction set {first.transaction}, whose error rejects every claim in it:"
        f" {first.message}{tail}"))


SPOOL_CLAIMS = 5000  # the guide's recommended most claims per set: such sets never touch the disk


class SetClaims:
    """A transaction set's claim results in file order, and their verdicts once the set is decided.

    The first `limit` stay in memory, the rest wait on disk (`spool.Spill`), so a set of any size is
    checked in bounded memory; iterating (as often as needed) gives each claim with its status."""

    def __init__(self, limit: int | None = None) -> None:
        self._claims: Spill[ClaimResult] = Spill(SPOOL_CLAIMS if limit is None else limit)
        self._with_errors = 0  # claims with an error of their own
        self.set_error = False
        self.reason: Finding | None = None  # what a claim rejected with the set is told (see set_reason)

    def append(self, c: ClaimResult) -> None:
        self._claims.append(c)
        self._with_errors += has_own_error(c)

    def decide(self, set_errors: list[Finding]) -> None:
        """The set is decided: an error of the set rejects every claim, and a claim with no error of
        its own is told the set's first error (see set_reason), so that every rejection says why."""
        self.set_error = bool(set_errors)
        self.reason = set_reason(set_errors)
        for c in self._claims.memory:
            self._decided(c)
        self._claims.flush()

    def _decided(self, c: ClaimResult) -> ClaimResult:
        c.status = claim_status(c, self.set_error)
        if self.reason is not None and not any(f.is_error and f.scope == CLAIM for f in c.all_findings):
            c.findings.insert(0, dataclasses.replace(self.reason, claim_id=c.claim.claim_id))
        return c

    @property
    def accepted(self) -> int:
        return 0 if self.set_error else len(self._claims) - self._with_errors

    @property
    def spills(self) -> bool:
        return self._claims.spills

    def made(self, items: Iterator[T]) -> Iterable[T]:
        return self._claims.made(items)

    def __len__(self) -> int:
        return len(self._claims)

    def __iter__(self) -> Iterator[ClaimResult]:
        yield from self._claims.memory  # decided in place by `decide`
        for c in self._claims.on_disk():
            yield self._decided(c)


# -- transaction sets, groups, interchanges -----------------------------------------------------------

@dataclass
class TransactionResult:
    file: str
    control: str  # ST02
    version: str  # ST03
    findings: list[Finding] = field(default_factory=list)  # transaction-level (reject the whole set)
    claims: SetClaims = field(default_factory=SetClaims)
    submitter: tuple[str, str] = ("", "")  # 1000A name, id
    receiver: tuple[str, str] = ("", "")  # 1000B name, id
    reference: str = ""  # BHT03
    header: list[str] = field(default_factory=list)  # ST..1000B segments as read (forward 837)
    delims: Delimiters | None = None
    ik5: list[str] = field(default_factory=list)  # IK5 reason codes of envelope errors (4 = SE count ...)
    number: int = 0  # the set's place in the file (1 = the first): numbers its answers
    usage: str = ""  # ISA15 of the interchange holding it (T test, P production): our answers mirror it

    def decide(self) -> None:
        """Decide the set's claims (see SetClaims.decide) from the set's own errors."""
        self.claims.decide([f for f in self.findings if f.is_error])

    @property
    def accepted(self) -> int:
        return self.claims.accepted

    def counts(self) -> tuple[int, int, bool]:
        """What a Summary counts of the set: its claims, those accepted, and whether the set was rejected."""
        return len(self.claims), self.claims.accepted, self.ack == "R"

    @property
    def ack(self) -> str:
        """What the 999 says (IK501): A clean, E claim-level errors only, R rejected."""
        if any(f.is_error for f in self.findings):
            return "R"
        if self.claims.accepted < len(self.claims):
            return "E"
        return "A"

    def ik5_reasons(self, segment_errors: bool) -> list[str]:
        """IK502-IK506: the envelope's reasons, then 5 (one or more segments in error) when the 999
        names any segment."""
        return list(dict.fromkeys(self.ik5 + (["5"] if segment_errors else [])))[:5]


@dataclass
class GroupResult:
    """A functional group's envelope (the transaction sets were handed out as they closed)."""

    file: str
    control: str  # GS06
    gs: list[str]
    sets: int = 0  # transaction sets received in the group
    findings: list[Finding] = field(default_factory=list)
    ak905: list[str] = field(default_factory=list)  # the codes of its envelope errors (GS/GE), as filed

    def ak9(self, verdicts: Counter[str]) -> tuple[str, int, list[str]]:
        """AK901 (A, E, P or R), the sets accepted (AK904) and the group's error codes (AK905-AK909),
        from the IK501 of its sets: P when some were accepted and some not; E when all were accepted
        but some with errors, or the group's trailer is in error."""
        received = self.sets
        accepted = verdicts["A"] + verdicts["E"]
        if not received:
            status = "R"
        elif accepted == received:
            status = "A" if verdicts["A"] == received else "E"
        else:
            status = "R" if accepted == 0 else "P"
        codes = list(dict.fromkeys(self.ak905))
        if codes and status == "A":
            status = "E"
        return status, accepted, codes[:5]


TA105_CODES = ("001", "014", "015", "018", "021", "023", "024", "025")  # the envelope errors we find


@dataclass
class InterchangeResult:
    file: str
    isa: list[str]
    delims: Delimiters
    findings: list[Finding] = field(default_factory=list)
    ta105: list[str] = field(default_factory=list)  # the codes of its envelope errors (ISA/IEA), as filed

    def ta1_code(self) -> str | None:
        """TA105 of the TA1 this interchange gets (its first envelope error), or None: no TA1."""
        if not self.ta105:
            return None
        return self.ta105[0] if self.ta105[0] in TA105_CODES else "000"


@dataclass
class FileResult:
    path: str
    error: Edi837Error | None = None  # what stopped the reading, located
    transactions: list[TransactionResult] = field(default_factory=list)
    groups: list[GroupResult] = field(default_factory=list)
    interchanges: list[InterchangeResult] = field(default_factory=list)

    @property
    def claims(self) -> list[ClaimResult]:
        return [c for t in self.transactions for c in t.claims]

    def add(self, item: TransactionResult | GroupResult | InterchangeResult | Edi837Error) -> None:
        """Keep what the check of the file handed out: a result, or the error that stopped it."""
        if isinstance(item, TransactionResult):
            self.transactions.append(item)
        elif isinstance(item, GroupResult):
            self.groups.append(item)
        elif isinstance(item, InterchangeResult):
            self.interchanges.append(item)
        else:
            self.error = item


Result = TransactionResult | GroupResult | InterchangeResult


# -- a run's counts, and the exit code every surface gives ------------------------------------------

EXIT_OK: Final = 0  # every claim accepted
EXIT_REJECTED: Final = 1  # a claim, a set or an envelope rejected (answered: not a failure of the run)
EXIT_UNREADABLE: Final = 2  # a file (or a folder, a config, a profile) could not be read: something is unanswered
EXIT_INTERRUPTED: Final = 130  # 128 + SIGINT, as shells report a program stopped by Ctrl-C


class SetCounts(Protocol):
    """A transaction set however it was handed on (its result, its rendered report, its answers)."""

    def counts(self) -> tuple[int, int, bool]: ...


@dataclass
class Summary:
    """What a run found, file by file: `fold` counts each thing a file's check hands out, `file` each
    file once its reading ends. Every surface (check, ack, report, annotate, export, the stage, Spark)
    counts with these two and exits with `exit_code`."""

    files: int = 0
    claims: int = 0
    accepted: int = 0
    rejected: int = 0
    rejected_sets: int = 0
    envelope_errors: int = 0  # GS/GE and ISA/IEA errors: noted in the AK9/TA1, the claims were already answered
    unreadable: int = 0
    skipped: int = 0  # files found in a folder PATH and left alone, not named by --include: not an error
    # called with (claims, rejected) as each transaction set is counted: the CLI's progress bar
    on_counts: Callable[[int, int], None] | None = field(default=None, repr=False, compare=False)

    def fold(self, item: SetCounts | GroupResult | InterchangeResult) -> None:
        """Count a transaction set's claims and verdicts, or a group's or interchange's envelope errors."""
        if isinstance(item, (GroupResult, InterchangeResult)):
            self.envelope_errors += sum(f.is_error for f in item.findings)
            return
        claims, accepted, rejected_set = item.counts()
        self.add_counts(claims, accepted, rejected_set)

    def add_counts(self, claims: int, accepted: int, rejected_set: bool) -> None:
        self.claims += claims
        self.accepted += accepted
        self.rejected += claims - accepted
        self.rejected_sets += rejected_set
        if self.on_counts is not None:
            self.on_counts(claims, claims - accepted)

    def file(self, unreadable: bool) -> None:
        """A file whose reading has ended: read to its end, or stopped by an error (unreadable)."""
        self.files += 1
        self.unreadable += unreadable

    @property
    def exit_code(self) -> int:
        return exit_code(self)

    def as_dict(self) -> dict[str, int]:
        return {"files": self.files, "claims": self.claims, "accepted": self.accepted, "rejected": self.rejected,
                "envelope_errors": self.envelope_errors, "unreadable_files": self.unreadable,
                "skipped_files": self.skipped}

    def text(self) -> str:
        return (f"{self.files} file{'s' * (self.files != 1)}, {self.claims} claim{'s' * (self.claims != 1)}:"
                f" {self.accepted} accepted, {self.rejected} rejected"
                + (f", {self.envelope_errors} envelope error{'s' * (self.envelope_errors != 1)}"
                   if self.envelope_errors else "")
                + (f", {self.unreadable} unreadable" if self.unreadable else "")
                + (f", {self.skipped} file{'s' * (self.skipped != 1)} skipped (not --include)" if self.skipped else ""))


def exit_code(summary: Summary, interrupted: bool = False) -> int:
    """The exit code of every command and surface: 130 when interrupted, 2 when something could not be
    read (so something is unanswered), 1 when a claim, a set or an envelope was rejected, else 0."""
    if interrupted:
        return EXIT_INTERRUPTED
    if summary.unreadable:
        return EXIT_UNREADABLE
    return EXIT_REJECTED if summary.rejected or summary.rejected_sets or summary.envelope_errors else EXIT_OK
