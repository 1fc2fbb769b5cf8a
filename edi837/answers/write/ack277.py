"""The 277CA claim acknowledgment (005010X214): per claim, accepted (A2:20, WQ) or rejected (U) and why.

One 277CA transaction set answers one 837 transaction set: receiver (the submitter) → billing
provider → patient → claim, with the status codes each finding's rule carries (three composites per
STC, more STC segments for more), and a service line (2220D) for findings about a line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TextIO

from ...claims import Claim, ServiceLine
from ...engine.results import ClaimResult, TransactionResult
from ...findings import ERROR
from ...x12.datatypes import date8
from ...x12.read import DEFAULT_DELIMITERS, Delimiters
from . import envelope
from .envelope import Header
from .trace import trace
from .values import amount as _amount
from .values import fit, ymd

VERSION = "005010X214"
ACCEPTED = "A2:20"
SERVICE_QUALIFIERS = frozenset({"AD", "ER", "HC", "HP", "IV", "NU", "WK"})  # SVC01-01 in the X214 guide


def _stc_codes(findings: list, d) -> list[str]:
    out = []
    for f in findings:
        if f.severity != ERROR:
            continue
        for code in f.stc[:1]:
            parts = code.split(":")
            out.append(d.component.join(parts))
    return list(dict.fromkeys(out))


def _stc(codes: list[str], date: str, action: str, amount: str, d: Delimiters) -> list[str]:
    """STC segments carrying `codes`, three composites each (STC01, STC10, STC11)."""
    e = d.element
    out = []
    for i in range(0, len(codes), 3):
        chunk = codes[i:i + 3]
        fields = ["STC", chunk[0], date, action, amount]
        if len(chunk) > 1:
            fields += ["", "", "", "", ""] + chunk[1:]
        out.append(e.join(fields).rstrip(e))
    return out


def _service(ln: ServiceLine, d: Delimiters) -> str | None:
    """SVC01 for a line: its HCPCS with the modifiers that are modifiers, else its revenue code (NU)."""
    code = fit(ln.procedure_code, "234")
    if ln.procedure_qualifier in SERVICE_QUALIFIERS and code:
        modifiers = [m for m in (fit(x, "1339") for x in ln.modifiers) if m][:4]
        return d.component.join([ln.procedure_qualifier, code, *modifiers])
    revenue = fit(ln.revenue_code, "234")
    return d.component.join(["NU", revenue]) if revenue else None


def _claim(c: ClaimResult, hl: int, parent: int, date: str, trace: str) -> list[str]:
    d, e = DEFAULT_DELIMITERS, DEFAULT_DELIMITERS.element
    cl = c.claim
    p = cl.patient
    segs = [f"HL{e}{hl}{e}{parent}{e}PT",
            e.join(["NM1", "QC", "1", fit(p.last, "1035") or "UNKNOWN", fit(p.first, "1036"), "", "", "", "MI",
                    fit(p.member_id, "67") or "UNKNOWN"]),
            f"TRN{e}2{e}{fit(cl.claim_id, '127') or 'UNKNOWN'}"]
    amount = _amount(cl.total_charge)
    services = [] if c.status == "accepted" else [_service(ln, d) for ln in cl.lines]  # one per line
    if c.status == "accepted":
        segs += _stc([d.component.join(ACCEPTED.split(":"))], date, "WQ", amount, d)
    else:
        named = {ln.lx for ln, service in zip(cl.lines, services) if service is not None}  # a 2220D speaks of
        claim_level = [f for f in c.all_findings if f.lx not in named]
        codes = _stc_codes(claim_level, d) or _stc_codes(c.all_findings, d) or [d.component.join(["A3", "21"])]
        segs += _stc(codes, date, "U", amount, d)
    if c.status == "accepted" and (payer_number := fit(cl.payer_claim_number, "127")):
        segs.append(f"REF{e}1K{e}{payer_number}")
    segs.append(f"REF{e}D9{e}{fit(trace, '127')}")
    if bill_type := fit(cl.type_of_bill, "127"):
        segs.append(f"REF{e}BLT{e}{bill_type}")
    segs.append(_claim_date(cl, date, e))
    if c.status != "accepted":
        for ln, service in zip(cl.lines, services):
            line_findings = [f for f in c.all_findings if f.lx == ln.lx and f.severity == ERROR]
            codes = _stc_codes(line_findings, d)
            if not codes:
                continue
            if service is None:  # the line cannot be named in a 277CA: its codes go on the claim's STC
                continue
            segs.append(e.join(["SVC", service, _amount(ln.charge), "", fit(ln.revenue_code, "234"), "", "",
                                fit(ln.units, "380")]).rstrip(e))
            segs += _stc(codes[:3], date, "U", "", d)  # 2220D has one STC: its first three codes
            if line_control := fit(ln.line_control, "127"):
                segs.append(f"REF{e}FJ{e}{line_control}")
            if cl.professional and (span := _line_span(ln)) is not None:
                segs.append(_dates(span[0], span[1], e))
            elif ln.service_date:
                segs.append(f"DTP{e}472{e}D8{e}{ymd(ln.service_date)}")
    return segs


def _claim_date(cl: Claim, today: str, e: str) -> str:
    """2200D DTP*472, the claim's service dates: an 837I's statement period (DTP*434); an 837P has
    none, so the span of its lines' dates (2400 DTP*472, from the first to the last); else the first
    line's date, else the day answered (the segment is required)."""
    if cl.statement_from and cl.statement_to:
        return f"DTP{e}472{e}RD8{e}{ymd(cl.statement_from)}-{ymd(cl.statement_to)}"
    if cl.professional:
        first: dt.date | None = None
        last: dt.date | None = None
        for ln in cl.lines:
            span = _line_span(ln)
            if span is not None:
                first = span[0] if first is None else min(first, span[0])
                last = span[1] if last is None else max(last, span[1])
        if first is not None and last is not None:
            return _dates(first, last, e)
    if cl.lines and cl.lines[0].service_date:
        return f"DTP{e}472{e}D8{e}{ymd(cl.lines[0].service_date)}"
    return f"DTP{e}472{e}D8{e}{today}"


def _line_span(ln: ServiceLine) -> tuple[dt.date, dt.date] | None:
    """A line's service dates (first, last) as its DTP*472 gives them: D8 one day, RD8 a range (a range
    whose end cannot be read, or comes before its start, is its first day)."""
    first = ln.service_date
    if first is None:
        return None
    _, dash, end = ln.service_date_text.partition("-")
    last = date8(end) if dash else None
    return first, last if last is not None and last >= first else first


def _dates(first: dt.date, last: dt.date, e: str) -> str:
    """DTP*472 of one day (D8) or of a range of days (RD8)."""
    if first == last:
        return f"DTP{e}472{e}D8{e}{ymd(first)}"
    return f"DTP{e}472{e}RD8{e}{ymd(first)}-{ymd(last)}"


def render(tx: TransactionResult, number: int, control: int, when: dt.datetime, name: str, sender_id: str,
           trace_control: int) -> Iterable[str]:
    """The 277CA transaction set answering `tx` (ST02 `number`), one segment with its terminator at a
    time, or nothing when it has no claims: the guide's 277CA needs a claim to speak of (2000D is
    required), and the 999 answers such a set. Claim traces are those of the forward 837
    `trace_control`. Made as it is written when the set's claims were spooled to disk, else listed."""
    if not len(tx.claims):
        return []
    return tx.claims.made(_segments(tx, number, control, when, name, sender_id, trace_control))


class _Tally:
    """Claims counted by verdict, with their total charges."""

    __slots__ = ("ok", "bad", "ok_total", "bad_total")

    def __init__(self) -> None:
        self.ok = self.bad = 0
        self.ok_total = self.bad_total = Decimal(0)

    def add(self, c: ClaimResult) -> None:
        charge = c.claim.total_charge or Decimal(0)
        if c.status == "accepted":
            self.ok += 1
            self.ok_total += charge
        else:
            self.bad += 1
            self.bad_total += charge

    def segments(self, e: str, quantities: tuple[str, str]) -> list[str]:
        """QTY (accepted, rejected) and AMT YU/YY, each when it is not zero."""
        return ([f"QTY{e}{quantities[0]}{e}{self.ok}"] if self.ok else []) + (
            [f"QTY{e}{quantities[1]}{e}{self.bad}"] if self.bad else []) + (
            [f"AMT{e}YU{e}{_amount(self.ok_total)}"] if self.ok else []) + (
            [f"AMT{e}YY{e}{_amount(self.bad_total)}"] if self.bad else [])

    @property
    def total(self) -> Decimal:
        return self.ok_total + self.bad_total


def _segments(tx: TransactionResult, n: int, control: int, when: dt.datetime, name: str, sender_id: str,
              trace_control: int) -> Iterator[str]:
    d, e, end = DEFAULT_DELIMITERS, DEFAULT_DELIMITERS.element, DEFAULT_DELIMITERS.segment
    date = when.strftime("%Y%m%d")
    # First pass: the set's totals, and its claims as runs by billing provider (an 837 nests its claims
    # under their billing provider, so a run is one provider's 2000A loop): a 2000C loop each.
    whole = _Tally()
    runs: list[tuple[tuple[str, str], _Tally]] = []
    for c in tx.claims:
        whole.add(c)
        key = (c.claim.billing_provider.npi, c.claim.billing_provider.name)
        if not runs or runs[-1][0] != key:
            runs.append((key, _Tally()))
        runs[-1][1].add(c)
    head = [f"ST{e}277{e}{n:04d}{e}{VERSION}",
            e.join(["BHT", "0085", "08", f"{control}{n:04d}", date, when.strftime("%H%M"), "TH"]),
            f"HL{e}1{e}{e}20{e}1",
            e.join(["NM1", "AY", "2", name, "", "", "", "", "46", sender_id]),
            f"TRN{e}1{e}{control}{n:04d}", f"DTP{e}050{e}D8{e}{date}", f"DTP{e}009{e}D8{e}{date}",
            f"HL{e}2{e}1{e}21{e}1",
            e.join(["NM1", "41", "2", fit(tx.submitter[0], "1035") or "SUBMITTER", "", "", "", "", "46",
                    fit(tx.submitter[1], "67") or "UNKNOWN"]),
            f"TRN{e}2{e}{fit(tx.reference or tx.control, '127') or 'UNKNOWN'}",
            e.join(["STC", d.component.join(["A1", "19", "PR"]), date, "WQ", _amount(whole.total)]),
            *whole.segments(e, ("90", "AA"))]
    yield from (s + end for s in head)
    count = len(head)
    hl = 2
    claims = iter(tx.claims)  # second pass
    for (npi, pname), tally in runs:
        hl += 1
        parent = hl
        segs = [f"HL{e}{hl}{e}2{e}19{e}1",
                e.join(["NM1", "85", "2", fit(pname, "1035") or "BILLING PROVIDER", "", "", "", "", "XX",
                        fit(npi, "67") or "0000000000"]),
                f"TRN{e}1{e}{control}{n:04d}{hl}",
                e.join(["STC", d.component.join(["A1", "19", "PR"]), "", "WQ", _amount(tally.total)]),
                *tally.segments(e, ("QA", "QC"))]
        yield from (s + end for s in segs)
        count += len(segs)
        for c in itertools.islice(claims, tally.ok + tally.bad):  # one claim at a time: a run may be the whole set
            hl += 1
            segs = _claim(c, hl, parent, date, trace(c, trace_control, tx.number))
            yield from (s + end for s in segs)
            count += len(segs)
    yield f"SE{e}{count + 1}{e}{n:04d}{end}\n"


class Writer:
    """The 277CA interchange: the sets `render` made, in order, spooled until the header is written
    (`header`, to the first set's submitter unless it names a receiver)."""

    def __init__(self, header: Header) -> None:
        self.header = dataclasses.replace(header, functional_id="HN", version=VERSION)
        self.sets = 0
        self.body = envelope.spool()

    def add(self, segments: Iterable[str], submitter_id: str) -> None:
        """Add a set `render` made (none when it made nothing); the first set's submitter receives the 277CA."""
        if not segments:
            return
        if not self.header.receiver:
            self.header = dataclasses.replace(self.header, receiver=submitter_id[:15])
        self.sets += 1
        envelope.write_all(self.body, segments)

    def close(self, out: TextIO) -> None:
        """Write the whole 277CA interchange to `out`."""
        header = dataclasses.replace(self.header, receiver=self.header.receiver or "UNKNOWN")
        envelope.write(out, header, self.sets, self.body)
