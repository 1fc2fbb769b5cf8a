"""What `check` prints: a summary per file and, per rejected claim, what to fix, in a clerk's words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..findings import Finding
from ..pipeline import ClaimResult, FileResult, TransactionResult


@dataclass
class Summary:
    files: int = 0
    claims: int = 0
    accepted: int = 0
    rejected: int = 0
    rejected_sets: int = 0
    unreadable: int = 0

    def add(self, r: FileResult) -> None:
        self.files += 1
        self.unreadable += r.error is not None
        for t in r.transactions:
            self.add_transaction(t)

    def add_transaction(self, t: TransactionResult) -> None:
        self.rejected_sets += t.ack == "R"
        for c in t.claims:
            self.claims += 1
            if c.status == "accepted":
                self.accepted += 1
            else:
                self.rejected += 1

    @property
    def exit_code(self) -> int:
        if self.unreadable:
            return 2
        return 1 if self.rejected or self.rejected_sets else 0

    def as_dict(self) -> dict[str, int]:
        return {"files": self.files, "claims": self.claims, "accepted": self.accepted, "rejected": self.rejected,
                "unreadable_files": self.unreadable}

    def text(self) -> str:
        return (f"{self.files} file{'s' * (self.files != 1)}, {self.claims} claim{'s' * (self.claims != 1)}:"
                f" {self.accepted} accepted, {self.rejected} rejected"
                + (f", {self.unreadable} unreadable" if self.unreadable else ""))


def where(f: Finding) -> str:
    parts = [p for p in (f.loop and f"loop {f.loop}", f.segment and f"{f.segment} (segment {f.position})",
                         f.element, f.lx and f"line {f.lx}") if p]
    return ", ".join(parts)


def finding_text(f: Finding) -> str:
    value = f' value "{f.value}"' if f.value else ""
    fix = f"\n        fix: {f.fix}" if f.fix else ""
    return f"    {f.severity.upper():7} {f.rule:8} {where(f)}{value}\n        {f.message}{fix}"


def claim_text(c: ClaimResult) -> list[str]:
    cl = c.claim
    money = f"${cl.total_charge:,.2f}" if cl.total_charge is not None else cl.total_charge_text
    head = f"  {c.status.upper():8} claim {cl.claim_id}  TOB {cl.type_of_bill}  {money}  (transaction {cl.transaction})"
    lines = [head] + [finding_text(f) for f in c.all_findings]
    if c.status == "rejected" and not any(f.is_error for f in c.all_findings):
        lines.append(f"    rejected with its transaction set {cl.transaction} (see the set-level errors above)")
    return lines


def file_text(r: FileResult) -> str:
    if r.error is not None and not r.transactions:
        return f"{r.path}: UNREADABLE: {r.error}"
    claims = r.claims
    acc = sum(c.status == "accepted" for c in claims)
    lines = [f"{r.path}: {len(claims)} claim{'s' * (len(claims) != 1)}, {acc} accepted,"
             f" {len(claims) - acc} rejected"]
    if r.error is not None:
        lines.append(f"  UNREADABLE after that: {r.error}")
    for env in (*r.interchanges, *r.groups):
        for f in env.findings:
            lines.append(finding_text(f))
    for t in r.transactions:
        if t.findings:
            lines.append(f"  transaction {t.control}: {'REJECTED' if t.ack == 'R' else t.ack}")
            lines += [finding_text(f) for f in t.findings]
        for c in t.claims:
            if c.status == "rejected" or c.all_findings:
                lines += claim_text(c)
    return "\n".join(lines)


def claim_json(c: ClaimResult) -> dict[str, Any]:
    cl = c.claim
    return {"claim_id": cl.claim_id, "transaction": cl.transaction, "status": c.status,
            "total_charge": cl.total_charge_text or None, "type_of_bill": cl.type_of_bill,
            "position": cl.where.position, "findings": [f.to_dict() for f in c.all_findings]}


def file_json(r: FileResult) -> dict[str, Any]:
    return {
        "path": r.path, "error": str(r.error) if r.error else None,
        "interchanges": [{"control": i.isa[13] if len(i.isa) > 13 else "", "findings": [f.to_dict() for f in i.findings]}
                         for i in r.interchanges],
        "groups": [{"control": g.control, "findings": [f.to_dict() for f in g.findings]} for g in r.groups],
        "transactions": [{"control_number": t.control, "ack": t.ack, "findings": [f.to_dict() for f in t.findings]}
                         for t in r.transactions],
        "claims": [claim_json(c) for c in r.claims],
    }
