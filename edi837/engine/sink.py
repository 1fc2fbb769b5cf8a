"""Where the checker's guide and envelope errors go: made into findings and filed under the claim,
the person loop, the transaction set, the group or the interchange they are about.

The sink owns the caps (at most MAX_FINDINGS listed per claim, person loop, set, group or
interchange, then one X12-MORE) and the orphans (errors about segments outside any set, filed with
the next set, else with the group or interchange that closes). What an error's loop rejects is
results.scope_of's to say; the sink only files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..findings import (
    CLAIM,
    ERROR,
    GROUP,
    INTERCHANGE,
    PERSON,
    TRANSACTION,
    WITH_SET,
    Finding,
    Scope,
    element_stc,
    segment_stc,
)
from ..x12 import guide_codes
from ..x12.envelope import EnvelopeError
from ..x12.read import Segment
from ..x12.walk import StructureError
from .results import GroupResult, InterchangeResult, TransactionResult, scope_of

if TYPE_CHECKING:
    from ..x12.validate import ElementError

CR1_HINT = ("CR1 (ambulance transport information) belongs to the 837P; in an 837I the loaded miles are"
            " the units (SV205) of the A0425/A0435/A0436 line and the pick-up ZIP is value code A0")
MAX_FINDINGS = 100  # listed per claim, person loop, set, group or interchange


def describe(err: StructureError) -> str:
    if err.code == "1" and err.segment_id == "CR1" and "837I guide" in err.message:  # not an 837P's misplaced CR1
        return f"{err.message}: {CR1_HINT}"
    return err.message


def note(findings: list[Finding], f: Finding) -> None:
    """Add `f` to the findings of one claim (or set, group ...): the first MAX_FINDINGS, then one that
    says more were found. A clerk fixes the first ones and checks again, and memory stays bounded
    however many errors a file holds (100,000 repeated segments in one claim are 100,000 errors)."""
    if len(findings) < MAX_FINDINGS:
        findings.append(f)
    elif len(findings) == MAX_FINDINGS:
        findings.append(dataclasses.replace(
            f, rule="X12-MORE", message=f"more than {MAX_FINDINGS} errors here: the rest are not listed",
            element="", value="", lx="", fix="fix the errors listed and check again", ik3="", ik4="",
            ik4_position="", data_element=""))


def structure_finding(err: StructureError, name: str, control: str, scope: Scope, claim_id: str,
                      seg: Segment) -> Finding:
    """A segment-level guide error, located at `seg` (the segment read when it was found: for a missing
    segment, the one after the place where it was due)."""
    return Finding(rule=f"X12-IK3-{err.code}", severity=ERROR, message=describe(err), scope=scope, file=name,
                   transaction=control, claim_id=claim_id, loop=err.loop_id, segment=err.segment_id,
                   position=err.position, stc=segment_stc(err.code), ik3=err.code,
                   offset=seg.offset, line=seg.line, fix=err.fix or guide_codes.fix(f"X12-IK3-{err.code}"))


def element_finding(err: ElementError, seg: Segment, loop: str, name: str, control: str, scope: Scope,
                    claim_id: str, lx: str) -> Finding:
    return Finding(rule=f"X12-IK4-{err.code}", severity=ERROR, message=err.message, scope=scope, file=name,
                   transaction=control, claim_id=claim_id, lx=lx, loop=loop, segment=seg.elements[0],
                   position=seg.position, element=err.ref, value=err.value,
                   stc=element_stc(err.code), ik3="8", ik4=err.code,
                   ik4_position=err.position, data_element=err.data_element, offset=seg.offset, line=seg.line,
                   fix=value_fix(err, seg) or err.fix or guide_codes.fix(f"X12-IK4-{err.code}"))


def value_fix(err: ElementError, seg: Segment) -> str:
    """A value code's amount is an R element, but for some codes not money (A0: the pick-up ZIP):
    the fix says what to write there. Empty for every other element."""
    if seg.elements[0] != "HI" or not err.ref.endswith("-05"):
        return ""
    return guide_codes.element_fix("HI", err.ref, seg.components(int(err.ref[2:4])), "")


def envelope_finding(err: EnvelopeError, name: str) -> Finding:
    scope: Scope = INTERCHANGE if err.level == "interchange" else GROUP if err.level == "group" else TRANSACTION
    rule = f"X12-ENV-{err.level[:2].upper()}{err.code}"
    return Finding(rule=rule, severity=ERROR, message=err.message, scope=scope, file=name,
                   transaction=err.control if scope == TRANSACTION else "", segment=err.segment_id,
                   position=err.position, element=err.element, stc=WITH_SET, offset=err.offset,
                   line=err.line, fix=guide_codes.fix(rule)
                   or "recount the segments and match the control numbers of the header and trailer")


class FindingSink:
    """The findings of one file while it is read: of the claim being read, of the person loop being
    read (every claim under it inherits them), and of segments outside any set (orphans)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.claim: list[Finding] = []
        self.person: list[Finding] = []
        self.orphans: list[Finding] = []
        self.opening: list[StructureError] = []  # about the claim a CLM opens: filed once it is open

    # -- where the reading is -------------------------------------------------------------------------
    def new_set(self, tx: TransactionResult) -> None:
        """A set opens: the orphans read before it are its own, and no person loop is open."""
        tx.findings += [dataclasses.replace(f, transaction=tx.control) for f in self.orphans]
        self.orphans.clear()
        self.person = []

    def new_person(self, hl_code: str) -> None:
        """An HL opens a subscriber (22: nothing carries over) or a patient (23: under its subscriber,
        whose errors it inherits, without sharing its own with the subscriber's other patients)."""
        if hl_code == "22":
            self.person = []
        elif hl_code == "23":
            self.person = list(self.person)

    def claim_opened(self, tx: TransactionResult, seg: Segment) -> None:
        for err in self.opening:
            note(self.claim, structure_finding(err, self.name, tx.control, CLAIM, seg.get(1), seg))
        self.opening.clear()

    def claim_closed(self) -> tuple[list[Finding], list[Finding]]:
        """The closed claim's own findings and those it inherits from its person loop."""
        own, self.claim = self.claim, []
        return own, self.person

    # -- filing ---------------------------------------------------------------------------------------
    def place(self, f: Finding, tx: TransactionResult | None) -> None:
        """File a guide finding under the claim, the person loop or the transaction set it belongs to."""
        if tx is None:
            note(self.orphans, dataclasses.replace(f, scope=TRANSACTION, claim_id=""))
        elif f.scope == CLAIM:
            note(self.claim, f)
        elif f.scope == PERSON:
            note(self.person, dataclasses.replace(f, scope=CLAIM))
        else:
            note(tx.findings, f)

    def structure(self, errors: list[StructureError], seg: Segment, tx: TransactionResult | None,
                  claim_id: str | None) -> None:
        """Segment errors the walker found at `seg`; `claim_id` is the open claim's, None when none is."""
        control = tx.control if tx is not None else ""
        for err in errors:
            scope = scope_of(err.loop_id)
            if scope == CLAIM and err.code != "3" and seg.elements[0] == "CLM":
                self.opening.append(err)
                continue
            if scope == CLAIM and claim_id is None:
                scope = TRANSACTION  # claim-loop segments with no claim to blame
            # A missing segment is reported at the next segment read, so it belongs to where we were.
            self.place(structure_finding(err, self.name, control, scope, claim_id or "" if scope == CLAIM else "",
                                         seg), tx)

    def elements(self, errors: Iterable[ElementError], seg: Segment, loop: str, tx: TransactionResult,
                 claim_id: str | None, lx: str) -> None:
        """Element errors of `seg` (read in `loop`; `lx` the service line's LX01 in a 24xx loop)."""
        scope = scope_of(loop)
        cid = claim_id or "" if scope == CLAIM else ""
        for err in errors:
            self.place(element_finding(err, seg, loop, self.name, tx.control, scope, cid, lx), tx)

    def envelope(self, errors: Iterable[EnvelopeError], tx: TransactionResult | None, group: GroupResult | None,
                 inter: InterchangeResult | None, ik5: str = "") -> None:
        """File envelope errors under the set, group or interchange they are about."""
        for e in errors:
            f = envelope_finding(e, self.name)
            if f.scope == TRANSACTION and tx is not None:
                note(tx.findings, f)
                tx.ik5.append(ik5 or e.code)
            elif f.scope == GROUP and group is not None:
                note(group.findings, f)
                group.ak905.append(e.code)
            elif inter is not None:
                note(inter.findings, f)
                if f.scope == INTERCHANGE:
                    inter.ta105.append(e.code)

    def closed(self, item: GroupResult | InterchangeResult | None) -> list[GroupResult | InterchangeResult]:
        """A group or interchange at its end, with the findings about segments outside any set."""
        if item is None:
            return []
        item.findings += self.orphans
        self.orphans.clear()
        return [item]
