"""The 999 implementation acknowledgment (005010X231A1): one 999 per functional group received.

Only guide and envelope errors go here (IK3/IK4 with loop ids and the claim's CTX); business-rule
findings about claims are the 277CA's. A broken interchange trailer gets a TA1.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from typing import TextIO

from ...engine.results import GroupResult, InterchangeResult, TransactionResult
from ...findings import ERROR, Finding
from ...x12.datatypes import valid_date, valid_time
from ...x12.read import DEFAULT_DELIMITERS, Delimiters
from . import envelope
from .envelope import Header
from .values import fit

VERSION = "005010X231A1"


def transaction_segments(tx: TransactionResult, d: Delimiters) -> list[str]:
    e, c = d.element, d.component
    out = [e.join(["AK2", "837", fit(tx.control, "329", d) or "0000", fit(tx.version, "1705", d)]).rstrip(e)]
    # A subscriber or patient loop's findings are every claim's under it: the 999 names each error once.
    guide = dict.fromkeys(f for f in tx.findings + [x for cl in tx.claims for x in cl.all_findings]
                          if f.ik3 and f.severity == ERROR)
    by_segment: dict[tuple[int, str, str], list[Finding]] = {}
    for f in sorted(guide, key=lambda f: (f.position, f.segment, f.ik3 != "8")):
        by_segment.setdefault((f.position, f.segment, f.loop), []).append(f)
    for (pos, seg, loop), found in by_segment.items():
        codes = [f.ik3 for f in found if f.ik3 != "8"]
        has_elements = any(f.ik4 for f in found)
        for code in dict.fromkeys(codes + (["8"] if has_elements else [])):
            # IK303 is the standard's loop id (AN 1-4): 2010AA is loop 2010 of the 837 diagram.
            out.append(e.join(["IK3", seg, str(max(pos, 1)), loop[:4] if loop[:1].isdigit() else "", code]))
            claim = fit(next((f.claim_id for f in found if f.claim_id), ""), "9998", d)
            if claim:
                out.append(f"CTX{e}CLM01{c}{claim}")
            if code == "8":
                for f in found:
                    if f.ik4:
                        ref = f.data_element if f.data_element.isdigit() else ""  # composites (C022) have no number
                        ik4 = [f.ik4_position.replace(":", c), ref, f.ik4]
                        if f.value:
                            ik4.append(fit(f.value, "724", d))
                        out.append(e.join(["IK4", *ik4]).rstrip(e))
    ack = tx.ack
    out.append(e.join(["IK5", ack, *tx.ik5_reasons(len(out) > 1)]) if ack != "A" else f"IK5{e}A")
    return out


AK101_CODES = frozenset({"BE", "HB", "HC", "HI", "HN", "HP", "HR", "HS", "RA"})  # the 999 guide's AK101 codes
AK201_CODES = frozenset({"270", "271", "276", "277", "278", "820", "834", "835", "837"})  # the 999 guide's AK201 codes


def ta1_control(isa: list[str]) -> str:
    """TA101: the ISA13 answered, or 000000000 when it is not nine digits (reported as TA105 018)."""
    control = isa[13] if len(isa) > 13 else ""
    return control if len(control) == 9 and control.isascii() and control.isdigit() else "000000000"


def ta1_date(isa: list[str], when: dt.datetime) -> str:
    """TA102: ISA09 when it is a date, else the date the TA1 is written (reported as TA105 014)."""
    date = isa[9] if len(isa) > 9 else ""
    return date if len(date) == 6 and valid_date(date) else when.strftime("%y%m%d")


def ta1_time(isa: list[str], when: dt.datetime) -> str:
    """TA103: ISA10 when it is a time, else the time the TA1 is written (reported as TA105 015)."""
    time = isa[10] if len(isa) > 10 else ""
    return time if len(time) == 4 and valid_time(time) else when.strftime("%H%M")


class Writer:
    """The 999 interchange: one 999 set per group received, and a TA1 per broken interchange, spooled
    until the header (`header`, to the input's first sender unless it names a receiver) is written."""

    def __init__(self, header: Header) -> None:
        self.header = dataclasses.replace(header, functional_id="FA", version=VERSION)
        self.when = header.when
        self.d = DEFAULT_DELIMITERS
        self.sets = 0  # 999 transaction sets written (one per group received)
        self.body = envelope.spool()  # the finished 999 sets
        self.current = envelope.spool()  # AK2 ... IK5 of the group being answered
        self.current_segments = 0
        self.verdicts: Counter[str] = Counter()  # IK501 of the group's sets
        self.ta1 = envelope.spool()  # TA1s of broken interchanges (a file may hold any number of them)
        self.receiver = header.receiver
        self.gs_receiver = header.receiver

    def transaction(self, segs: list[str], ack: str) -> None:
        """Add a set's AK2 .. IK5 (`transaction_segments`) and its verdict (IK501)."""
        self.current.write(envelope.lines(segs, self.d))
        self.current_segments += len(segs)
        self.verdicts[ack] += 1

    def group(self, g: GroupResult) -> None:
        e = self.d.element
        if len(g.gs) > 3 and not self.gs_receiver:
            self.gs_receiver = g.gs[2]
        status, accepted, codes = g.ak9(self.verdicts)
        ak9 = e.join(["AK9", status, str(g.sets), str(g.sets), str(accepted), *codes])
        self._write_group(self._ak1("HC", g.control, g.gs[8] if len(g.gs) > 8 else ""), ak9)

    def _ak1(self, kind: str, control: str, version: str) -> str:
        """AK1 naming a group (GS01, GS06, GS08), or "" when AK101 cannot name its kind."""
        if kind not in AK101_CODES:
            return ""
        e = self.d.element
        return e.join(["AK1", kind, fit(control, "28", self.d) or "0", fit(version, "480", self.d)]).rstrip(e)

    def _write_group(self, ak1: str, ak9: str) -> None:
        """One 999 transaction set: AK1, the AK2 .. IK5 gathered for its group, AK9."""
        e = self.d.element
        self.sets += 1
        st = f"{self.sets:04d}"
        self.body.write(envelope.lines([f"ST{e}999{e}{st}{e}{VERSION}", ak1], self.d))
        envelope.copy(self.current, self.body)
        self.body.write(envelope.lines([ak9, f"SE{e}{self.current_segments + 4}{e}{st}"], self.d))
        self.current = envelope.spool()
        self.current_segments = 0
        self.verdicts.clear()

    def refused(self, gs: list[str], code: str) -> None:
        """Answer a functional group refused as a whole (AK905 `code`: 1 not supported, 2 its version),
        when AK101 can name its kind (a group of 999s cannot be answered in a 999)."""
        kind, control, version = (gs[n] if len(gs) > n else "" for n in (1, 6, 8))
        ak1 = self._ak1(kind, control, version) if fit(version, "480", self.d) else ""  # AK103 is required
        if ak1:
            self._write_group(ak1, self.d.element.join(["AK9", "R", "0", "0", "0", code]))

    def refused_set(self, st: list[str], code: str) -> None:
        """Add a transaction set refused (IK502 `code`) to the group being answered. AK203 is the set's
        ST03 as sent, even the one it is refused for (X12 RFI 1438: AK203 carries whatever the sender
        placed in ST03; I6 or 19 rejects an implementation convention the receiver does not take)."""
        e = self.d.element
        ident = st[1] if len(st) > 1 and st[1] in AK201_CODES else "837"  # AK201 names a set the 999 guide knows
        control = fit(st[2] if len(st) > 2 else "", "329", self.d) or "0000"
        convention = fit(st[3] if len(st) > 3 else "", "1705", self.d)
        self.transaction([e.join(["AK2", ident, control, convention]).rstrip(e), e.join(["IK5", "R", code])], "R")

    def interchange(self, i: InterchangeResult) -> None:
        if not self.receiver and len(i.isa) > 6:
            self.receiver = i.isa[6].strip()
        code = i.ta1_code()
        if code is not None:
            isa = i.isa
            self.ta1.write(envelope.lines([self.d.element.join([
                "TA1", ta1_control(isa), ta1_date(isa, self.when), ta1_time(isa, self.when), "E", code])], self.d))

    def close(self, out: TextIO) -> None:
        """Write the whole 999 interchange to `out`."""
        if self.current_segments:  # transaction sets outside any group: answer them in one of their own
            self.group(GroupResult("", "", ["GS"] * 9))
        receiver = self.receiver or "UNKNOWN"
        header = dataclasses.replace(self.header, receiver=receiver, group_receiver=self.gs_receiver or receiver)
        envelope.write(out, header, self.sets, self.body, before_group=self.ta1)
