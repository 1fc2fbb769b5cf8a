"""What `check` prints: a summary per file and, per rejected claim, what to fix, in a clerk's words."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii as _str  # type: ignore[attr-defined]
from typing import Any

from ...claims import Claim
from ...engine.results import ClaimResult, GroupResult, InterchangeResult, Summary, TransactionResult
from ...errors import Edi837Error
from ...findings import Finding


def claims_phrase(claims: int, accepted: int) -> str:
    """A file's verdict in one phrase, the same wherever a file's counts are printed (`check`, `ack`,
    the stage): "1 claim: 0 accepted, 1 rejected". It always names the rejected, even when none are,
    so a reader never has to subtract."""
    return f"{claims} claim{'s' * (claims != 1)}: {accepted} accepted, {claims - accepted} rejected"


def where(f: Finding) -> str:
    """Where a clerk finds what `f` is about: loop, segment (its place in the transaction set, or its
    byte for an envelope segment outside any set, and its line in the file), element, service line.

    "line" alone would mean two things, so the text says which: "file line N" is the line of the file
    the segment is on, "service line N" the claim's service line (its LX01). The file line is shown
    when it is above 1: a file without line breaks has every segment on line 1, where it says nothing
    the segment number does not; in a file with them only the first segment (the ISA) is on line 1.
    JSON always carries it (`line`; the service line is `lx`)."""
    at = f"segment {f.position}" if f.position else f"byte {f.offset}"  # envelope segments sit outside any set
    if f.line > 1:
        at += f", file line {f.line}"
    parts = [p for p in (f.loop and f"loop {f.loop}", f.segment and f"{f.segment} ({at})",
                         f.element, f.lx and f"service line {f.lx}") if p]
    return ", ".join(parts)


def finding_text(f: Finding) -> str:
    value = f' value "{f.value}"' if f.value else ""
    fix = f"\n        fix: {f.fix}" if f.fix else ""
    return f"    {f.severity.upper():7} {f.rule:8} {where(f)}{value}\n        {f.message}{fix}"


def bill_kind(cl: Claim) -> str:
    """What says which bill a claim is: an 837I's type of bill (`TOB 131`), an 837P's place of service
    (`POS 41`, CLM05-1), which is where the 837I's type of bill sits."""
    return f"POS {cl.place_of_service}" if cl.claim_type == "837P" else f"TOB {cl.type_of_bill}"


def claim_text(c: ClaimResult) -> list[str]:
    cl = c.claim
    money = f"${cl.total_charge:,.2f}" if cl.total_charge is not None else cl.total_charge_text
    head = f"  {c.status.upper():8} claim {cl.claim_id}  {bill_kind(cl)}  {money}  (transaction {cl.transaction})"
    # A claim rejected with its set carries the set's error (spool.set_reason): every rejection says why.
    return [head] + [finding_text(f) for f in c.all_findings]


def finding_dict(f: Finding) -> dict[str, Any]:
    """A finding as the check report's JSON carries it (check-report.schema.json). The export's records
    carry findings in their own published shape (records.finding_record, export.schema.json)."""
    return {
        "rule": f.rule, "severity": f.severity, "message": f.message, "scope": f.scope,
        "loop": f.loop or None, "segment": f.segment or None, "position": f.position or None,
        "line": f.line or None,
        "element": f.element or None, "lx": f.lx or None, "value": f.value,
        "fix": f.fix or None, "stc": list(f.stc),
        "ik3": f.ik3 or None, "ik4": f.ik4 or None,
    }


def _professional(cl: Claim) -> str:
    """An 837P claim's keys of the check report (`claim_type`, `place_of_service`); an 837I claim's
    object has neither, so it reads byte for byte as before the 837P."""
    if cl.claim_type != "837P":
        return ""
    return f'"claim_type": "837P", "place_of_service": {_str(cl.place_of_service)}, '


def claim_json(c: ClaimResult) -> str:
    """A claim's object of the report's "claims" array: what json.dumps writes, written with an
    f-string (most claims have no findings, and json.dumps of a dict cost more than the claim's rules)."""
    cl = c.claim
    found = c.all_findings
    return (f'{{"claim_id": {_str(cl.claim_id)}, "transaction": {_str(cl.transaction)}, "status": {_str(c.status)}, '
            f'"total_charge": {_str(cl.total_charge_text) if cl.total_charge_text else "null"}, '
            f'"type_of_bill": {_str(cl.type_of_bill)}, {_professional(cl)}"position": {cl.where.position}, '
            f'"findings": {json.dumps([finding_dict(f) for f in found]) if found else "[]"}}}')


def env_findings_json(item: GroupResult | InterchangeResult) -> dict[str, Any]:
    control = item.control if isinstance(item, GroupResult) else (item.isa[13] if len(item.isa) > 13 else "")
    return {"control": control, "findings": [finding_dict(f) for f in item.findings]}


def transaction_text(t: TransactionResult, every: bool = False) -> Iterator[str]:
    """A set's report lines: its own findings, then each claim rejected or with findings (`every`:
    each claim, accepted ones too, as `check --verbose` lists them)."""
    if t.findings:
        yield f"  transaction {t.control}: {'REJECTED' if t.ack == 'R' else t.ack}"
        yield from (finding_text(f) for f in t.findings)
    for c in t.claims:
        if every or c.status == "rejected" or c.all_findings:
            yield from claim_text(c)


@dataclass
class RenderedSet:
    """A transaction set's share of the report, rendered as soon as the set is decided (in a worker
    process when the file is split: see edi837.engine.parallel)."""

    lines: Iterable[str]  # text: report lines; json: one JSON object per claim (made as they are
    # written when the set's claims were spooled to disk; listed when it is sent between processes)
    transaction: dict[str, Any]  # json: the entry of "transactions"
    claims: int
    accepted: int
    rejected_set: bool

    def __reduce__(self) -> tuple:
        return RenderedSet, (list(self.lines), self.transaction, self.claims, self.accepted, self.rejected_set)

    def counts(self) -> tuple[int, int, bool]:
        return self.claims, self.accepted, self.rejected_set


def render(t: TransactionResult, fmt: str, every: bool = False) -> RenderedSet:
    if fmt == "json":
        lines: Iterator[str] = (claim_json(c) for c in t.claims)
        entry = {"control_number": t.control, "ack": t.ack, "findings": [finding_dict(f) for f in t.findings]}
    else:
        lines, entry = transaction_text(t, every), {}
    return RenderedSet(t.claims.made(lines), entry, len(t.claims), t.accepted, t.ack == "R")


Item = GroupResult | InterchangeResult | RenderedSet | Edi837Error  # what pipeline.results gives with `render`


def write_text(path: str, items: Iterable[Item], summary: Summary, echo: Callable[[str], object]) -> None:
    """One file's report, written as each transaction set closes: its path, what to fix, its counts."""
    echo(path)
    claims = accepted = 0
    error = None
    for item in items:
        if isinstance(item, RenderedSet):
            summary.fold(item)
            claims += item.claims
            accepted += item.accepted
            for line in item.lines:
                echo(line)
            del item  # written: let it go before the next set is read
        elif isinstance(item, (GroupResult, InterchangeResult)):
            summary.fold(item)
            for f in item.findings:
                echo(finding_text(f))
        else:
            error = item
    summary.file(unreadable=error is not None)
    if error is not None:
        echo(f"  UNREADABLE{' after that' if claims else ''}: {error}")
    echo(f"  {claims_phrase(claims, accepted)}")


DEFERRED_LIMIT = 1000  # entries of a Deferred array kept in memory (a module constant: a compiled class's
# own attributes are fixed when it is compiled, where the module's globals are looked up as it runs)


class Deferred:
    """A JSON array written after the one being streamed (a file's sets, groups and interchanges come
    after its claims): kept in memory while short, then in a spool, so a file of a million one-claim
    sets does not hold a million entries."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = DEFERRED_LIMIT if limit is None else limit  # entries kept in memory
        self.entries: list[str] = []
        self.spool: Any = None

    def append(self, entry: dict[str, Any]) -> None:
        text = json.dumps(entry)
        if self.spool is not None:
            self.spool.write(", " + text)
            return
        self.entries.append(text)
        if len(self.entries) >= self.limit:
            from . import envelope  # noqa: PLC0415 (tempfile, only for files of many sets)

            self.spool = envelope.spool()
            self.spool.write(", ".join(self.entries))
            self.entries = []

    def write(self, echo: Callable[[str], object]) -> None:
        """Echo the array (`[...]`, entries separated as json.dumps separates them) and free it."""
        echo("[" + ", ".join(self.entries))
        if self.spool is not None:
            self.spool.seek(0)
            while chunk := self.spool.read(1 << 16):
                echo(chunk)
            self.spool.close()
        echo("]")


def write_json(path: str, items: Iterable[Item], summary: Summary, echo: Callable[[str], object],
               first: bool) -> None:
    """One file's entry of `{"files": [...]}`, claims written as each set closes (one per line)."""
    echo(("" if first else ",\n") + f'{{"path": {json.dumps(path)}, "claims": [')
    transactions, groups, interchanges = Deferred(), Deferred(), Deferred()
    error = None
    n = 0
    for item in items:
        if isinstance(item, RenderedSet):
            summary.fold(item)
            transactions.append(item.transaction)
            for line in item.lines:
                echo(("\n" if not n else ",\n") + line)
                n += 1
            del item  # written: let it go before the next set is read
        elif isinstance(item, (GroupResult, InterchangeResult)):
            summary.fold(item)
            (groups if isinstance(item, GroupResult) else interchanges).append(env_findings_json(item))
        else:
            error = item
    summary.file(unreadable=error is not None)
    echo("]")  # the claims
    for key, entries in (("transactions", transactions), ("groups", groups), ("interchanges", interchanges)):
        echo(f', "{key}": ')
        entries.write(echo)
    echo(f', "error": {json.dumps(str(error) if error else None)}}}')
