"""Segments in, claims and verdicts out: the one place that wires read → structure → claims → rules.

Files and folders are edi837.inputs' (and the CLI's); everything here works on streams of segments.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from . import guide as guide_mod
from . import guide_codes, parallel
from .claims import Claim, ClaimBuilder
from .envelope import ENVELOPE_IDS, Envelope, EnvelopeError
from .findings import CLAIM, ERROR, GROUP, INTERCHANGE, TRANSACTION, Finding
from .read import DEFAULT_DELIMITERS, EdiError, Segment, segments
from .inputs import read_file
from .results import (PERSON, ClaimResult, FileResult, GroupResult, InterchangeResult, Result,
                      TransactionResult, scope_of)
from .walk import StructureError, Walker

if TYPE_CHECKING:
    from .validate import ElementError
    from . import rules as rules_mod  # imported by Checker: parse never runs the rules

CR1_HINT = ("CR1 (ambulance transport information) belongs to the 837P; in an 837I the loaded miles are"
            " the units (SV205) of the A0425/A0435/A0436 line and the pick-up ZIP is value code A0")


SPACED = "a space or tab before the segment id: the segment is read, but the id must follow the terminator"
SPACED_FIX = "remove the space or tab: write the segment id right after the terminator (a line break may come between)"


def describe(err: StructureError) -> str:
    if err.code == "1" and err.segment_id == "CR1":
        return f"{err.message}: {CR1_HINT}"
    return err.message


def parse_stream(stream: BinaryIO, name: str) -> Iterator[Claim]:
    """Claims of one stream, one at a time. Raises EdiError on unreadable input."""
    return parse_segments(segments(stream, name), name)


def parse_segments(segs: Iterable[Segment], name: str, whole: bool = True) -> Iterator[Claim]:
    """Claims of a file's segments (all of them, or with `whole` False a run of its sets): each segment
    is tagged with its loop by the walker and fed to the claim builder. A segment the guide has no
    place for stops the file; other guide errors are for `check` to report."""
    env = Envelope(name)
    envelope_errors: list[EnvelopeError] = []
    struct: list[StructureError] = []
    walker = Walker(guide_mod.load())
    tag = walker.tag
    builder = ClaimBuilder(name)
    feed = builder.feed
    last: Segment | None = None
    for seg in segs:
        last = seg
        if seg.elements[0] in ENVELOPE_IDS:
            envelope_errors += env.feed(seg)
        if tag(seg, struct) < 0:
            unknown = next(e for e in struct if e.code == "1")
            raise EdiError(describe(unknown), file=name, offset=seg.offset, segment=seg.number,
                           segment_id=seg.id, element=f"loop {unknown.loop_id}")
        claim = feed(seg, walker.loop)
        if claim is not None:
            yield claim
    claim = builder.finish()
    if claim is not None:
        yield claim
    if whole:
        envelope_errors += env.end(last)
    cut = next((e for e in envelope_errors if e.truncated), None)
    if cut is not None:
        raise EdiError(f"file ends early: {cut.message}", file=name, offset=cut.offset, segment_id=cut.segment_id)


# -- check: findings per claim, verdicts per transaction set --------------------------------------

ENVELOPE_STC = guide_codes.ENVELOPE_STC
# Segments the checker does more with than walk, validate and build (see Checker.run).
RARE_IDS = ENVELOPE_IDS | {"HL", "CLM", "LX", "NM1", "BHT"}


def _structure_finding(err: StructureError, name: str, control: str, scope: str, claim_id: str,
                       seg: Segment) -> Finding:
    """A segment-level guide error, located at `seg` (the segment read when it was found: for a missing
    segment, the one after the place where it was due)."""
    return Finding(rule=f"X12-IK3-{err.code}", severity=ERROR, message=describe(err), scope=scope, file=name,
                   transaction=control, claim_id=claim_id, loop=err.loop_id, segment=err.segment_id,
                   position=err.position, stc=("A6:21",) if err.code == "3" else ("A7:21",), ik3=err.code,
                   offset=seg.offset, line=seg.line, fix=err.fix or guide_codes.fix(f"X12-IK3-{err.code}"))


def _element_finding(err: ElementError, seg: Segment, loop: str, name: str, control: str, scope: str,
                     claim_id: str, lx: str) -> Finding:
    return Finding(rule=f"X12-IK4-{err.code}", severity=ERROR, message=err.message, scope=scope, file=name,
                   transaction=control, claim_id=claim_id, lx=lx, loop=loop, segment=seg.elements[0],
                   position=seg.position, element=err.ref, value=err.value,
                   stc=("A6:21",) if err.code in ("1", "2") else ("A7:21",), ik3="8", ik4=err.code,
                   ik4_position=err.position, data_element=err.data_element, offset=seg.offset, line=seg.line,
                   fix=err.fix or guide_codes.fix(f"X12-IK4-{err.code}"))


def _envelope_finding(err: EnvelopeError, name: str) -> Finding:
    scope = {"interchange": INTERCHANGE, "group": GROUP}.get(err.level, TRANSACTION)
    rule = f"X12-ENV-{err.level[:2].upper()}{err.code}"
    return Finding(rule=rule, severity=ERROR, message=err.message, scope=scope, file=name,
                   transaction=err.control if scope == TRANSACTION else "", segment=err.segment_id,
                   position=err.position, element=err.element, stc=ENVELOPE_STC, offset=err.offset, line=err.line,
                   fix=guide_codes.fix(rule)
                   or "recount the segments and match the control numbers of the header and trailer")


MAX_FINDINGS = 100  # listed per claim, person loop, set, group or interchange


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


class Checker:
    """Runs every check over one stream; yields TransactionResult, GroupResult, InterchangeResult as each closes."""

    def __init__(self, profile: rules_mod.Profile, ctx: rules_mod.Context, keep_segments: bool = False) -> None:
        self.profile = profile
        self.ctx = ctx
        self.keep = keep_segments

    def run(self, stream: BinaryIO, name: str) -> Iterator[TransactionResult | GroupResult | InterchangeResult]:
        return self.run_segments(segments(stream, name), name)

    def run_segments(self, segs: Iterable[Segment], name: str, sets_before: int = 0, whole: bool = True
                     ) -> Iterator[TransactionResult | GroupResult | InterchangeResult]:
        """`run` over a file's segments. A part of a file (see edi837.parallel) is its header, then a
        run of its sets; `sets_before` sets came before them, and `whole` False means the file goes on
        after the part, so its group and interchange are neither closed nor yielded."""
        from .rules import run as run_rules  # noqa: PLC0415 (kept local, as is the validator: parse needs neither)
        from .validate import segment_memo, validate_segment  # noqa: PLC0415

        guide = guide_mod.load()
        nodes = guide.nodes
        walker = Walker(guide)
        env = Envelope(name)
        builder = ClaimBuilder(name)
        keep = self.keep
        tx: TransactionResult | None = None
        group: GroupResult | None = None
        inter: InterchangeResult | None = None
        claim_findings: list[Finding] = []  # of the claim being read
        block_findings: list[Finding] = []  # of the subscriber/patient loop being read
        claim_segs: list[str] = []
        billing_block: list[str] = []
        subscriber_block: list[str] = []
        patient_block: list[str] = []
        claim_blocks: tuple = ()
        lx = ""
        set_number = sets_before  # of the set being read, in the file (1 = the first)
        struct: list[StructureError] = []
        opening: list[StructureError] = []
        last: Segment | None = None
        known: list[dict] = segment_memo(DEFAULT_DELIMITERS.component).young  # until the first ISA

        def close_claim(claim: Claim) -> None:
            nonlocal claim_findings, claim_segs
            assert tx is not None
            found = claim_findings
            for f in run_rules(claim, self.profile, self.ctx):
                note(found, f)
            tx.claims.append(ClaimResult(claim, found, block_inherited, segments=claim_segs if keep else None,
                                         blocks=claim_blocks, number=len(tx.claims) + 1))
            claim_findings, claim_segs = [], []

        block_inherited: list[Finding] = block_findings

        orphans: list[Finding] = []  # about segments outside any set: filed with the next set (or the group)

        def place(f: Finding) -> None:
            """File a guide finding under the claim, the person loop or the transaction set it belongs to."""
            if tx is None:
                note(orphans, dataclasses.replace(f, scope=TRANSACTION, claim_id=""))
                return
            if f.scope == CLAIM:
                note(claim_findings, f)
            elif f.scope == PERSON:
                note(block_findings, dataclasses.replace(f, scope=CLAIM))
            else:
                note(tx.findings, f)

        def file_envelope(errors: Iterable[EnvelopeError], ik5: str = "") -> None:
            """File envelope errors under the set, group or interchange they are about."""
            for e in errors:
                f = _envelope_finding(e, name)
                if f.scope == TRANSACTION and tx is not None:
                    note(tx.findings, f)
                    tx.ik5.append(ik5 or e.code)
                elif f.scope == GROUP and group is not None:
                    note(group.findings, f)
                elif inter is not None:
                    note(inter.findings, f)

        def closed(item: GroupResult | InterchangeResult | None) -> Iterator[GroupResult | InterchangeResult]:
            """A group or interchange at its end, with the findings about segments outside any set."""
            if item is not None:
                item.findings += orphans
                orphans.clear()
                yield item

        failure: EdiError | None = None
        try:
            for seg in segs:
                last = seg
                els = seg.elements
                sid = els[0]
                rare = sid in RARE_IDS  # most segments need only the walker, the validator and the builder
                if rare and sid in ENVELOPE_IDS:
                    file_envelope(env.feed(seg))
                    if tx is not None and sid != "SE":  # after its SE, or its SE never came
                        yield from self._finish(tx, builder, close_claim, group)
                        tx = None
                node = walker.step(seg, struct)
                loop = walker.loop
                if seg.leading_blank:
                    struct.append(StructureError("1", sid, seg.position, loop, node, SPACED, SPACED_FIX))
                if struct:
                    control = tx.control if tx is not None else ""
                    for err in struct:
                        sc = scope_of(err.loop_id)
                        if sc == CLAIM and err.code != "3" and sid == "CLM":
                            opening.append(err)  # about the claim this CLM opens: filed once it is open
                            continue
                        if sc == CLAIM and builder.draft is None:
                            sc = TRANSACTION  # claim-loop segments with no claim to blame
                        # A missing segment is reported at the next segment read, so it belongs to where we were.
                        cid = builder.draft.clm.get(1) if sc == CLAIM and builder.draft is not None else ""
                        place(_structure_finding(err, name, control, sc, cid, seg))
                    struct.clear()
                # Envelope segments.
                if rare:
                    if sid == "ISA":
                        # An interchange (and group) left open by this ISA: closed with the errors the
                        # envelope just filed (no IEA, no GE), not dropped unanswered.
                        yield from closed(group)
                        group = None
                        yield from closed(inter)
                        inter = InterchangeResult(name, els, seg.delims)
                        file_envelope(env.isa_values(seg))
                        known = segment_memo(seg.delims.component).young  # looked in first, inline
                    elif sid == "GS":
                        group = GroupResult(name, seg.get(6), els, sets=sets_before)
                        env.sets += sets_before
                    elif sid == "ST":
                        set_number += 1
                        tx = TransactionResult(name, seg.get(2), seg.get(3), group.control if group else "",
                                               delims=seg.delims, number=set_number)
                        builder.transaction = seg.get(2)
                        tx.findings += [dataclasses.replace(f, transaction=tx.control) for f in orphans]
                        orphans.clear()
                        billing_block, subscriber_block, patient_block = [], [], []
                        block_findings = []
                        block_inherited = block_findings
                # Claims (of a set: a CLM found outside any, after an ISA or GE cut its set short, is
                # reported by the walker and belongs to no claim).
                done = builder.feed(seg, loop) if tx is not None else builder.finish()
                if done is not None:
                    close_claim(done)
                if tx is not None:
                    if rare:
                        if sid == "HL":
                            code = seg.get(3)
                            if code == "20":
                                billing_block = []
                            elif code == "22":
                                subscriber_block, patient_block = [], []
                                block_findings = []
                            elif code == "23":
                                patient_block = []
                                block_findings = list(block_findings)
                            block_inherited = block_findings
                        elif sid == "CLM" and builder.draft is not None:
                            claim_blocks = (billing_block, subscriber_block, patient_block)
                            for err in opening:
                                note(claim_findings, _structure_finding(err, name, tx.control, CLAIM, seg.get(1),
                                                                         seg))
                            opening.clear()
                        elif sid == "LX" and loop == "2400":
                            lx = seg.get(1)
                        elif sid == "NM1" and loop == "1000A":
                            tx.submitter = (seg.get(3), seg.get(9))
                        elif sid == "NM1" and loop == "1000B":
                            tx.receiver = (seg.get(3), seg.get(9))
                        elif sid == "BHT":
                            tx.reference = seg.get(3)
                    if node >= 0:
                        errs = known[node].get(seg.raw)
                        if errs is None:
                            errs = validate_segment(nodes[node], seg)
                        if errs:
                            sc = scope_of(loop)
                            cid = builder.draft.clm.get(1) if builder.draft is not None and sc == CLAIM else ""
                            for err in errs:
                                place(_element_finding(err, seg, loop, name, tx.control, sc, cid,
                                                       lx if loop[:2] == "24" else ""))
                    # Kept for the forward 837, as read (one string per segment), while what they belong
                    # to can still be forwarded: what is filed while reading is a guide error, which
                    # rejects its claim, person loop or set (and a claim of a million segments in error
                    # then costs no memory).
                    if keep and sid != "ST" and sid != "SE" and not tx.findings:
                        if builder.draft is not None:
                            if not claim_findings:
                                claim_segs.append(seg.raw)
                        elif loop in ("2000C", "2010CA"):
                            if not block_findings:
                                patient_block.append(seg.raw)
                        elif loop in ("2000B", "2010BA", "2010BB"):
                            if not block_findings:
                                subscriber_block.append(seg.raw)
                        elif loop[:2] == "20" and loop != "2000B":
                            billing_block.append(seg.raw)
                        else:
                            tx.header.append(seg.raw)
                # A set is decided at the next envelope segment, not at its SE: a stray segment between SE
                # and GE is then reported against the set it follows instead of being dropped.
                if rare:
                    if sid == "GE":
                        yield from closed(group)
                        group = None
                    elif sid == "IEA":
                        yield from closed(inter)
                        inter = None
        except EdiError as exc:  # unreadable from here on: close what is open, as at the end of input
            failure = exc
        # End of input: close what is still open (the envelope said what was missing). A file that
        # cannot be read on ends here too, so its open set is answered (rejected: its trailer is
        # missing) and its group and interchange are closed before the error is raised.
        if not whole and failure is None:
            if tx is not None:
                yield from self._finish(tx, builder, close_claim, group)
            return
        file_envelope(env.end(last), ik5="2")  # IK5 2: the set's trailer is missing
        if tx is not None:
            yield from self._finish(tx, builder, close_claim, group)
        yield from closed(group)
        yield from closed(inter)
        if failure is not None:
            try:
                raise failure
            finally:
                failure = None  # its traceback holds this frame: no reference cycle through the local

    @staticmethod
    def _finish(tx: TransactionResult, builder: ClaimBuilder, close_claim, group: GroupResult | None
                ) -> Iterator[TransactionResult]:
        """Close the transaction set: its last claim, then the verdict (a set-level error rejects all)."""
        done = builder.finish()
        if done is not None:
            close_claim(done)
        tx.decide()
        if group is not None:
            group.sets += 1
        yield tx




def rendered_claims(path: str, render: Callable[[Claim], str], jobs: int) -> Iterator[str | EdiError]:
    """`path`'s claims as `render` writes them, in file order, from worker processes when the file is
    large enough to split (see edi837.parallel); an unreadable file ends with its error."""

    def read(segs: Iterable[Segment], part: parallel.Part | None) -> Iterator[str]:
        return map(render, parse_segments(segs, path, whole=part is None or part.last))

    return read_file(path, jobs, read)


def results(path: str, checker: Checker, jobs: int = 1,
            render: Callable[[TransactionResult], Any] | None = None) -> Iterator[Result | EdiError | Any]:
    """What `checker` finds in `path` (or - for stdin), each item as it closes; an unreadable file ends
    with its EdiError. Nothing is kept past its set: a set's claims wait in a ClaimSpool, so memory
    stays bounded however large the file or its sets.

    With a `render`, each transaction set comes back as `render` made it, and with `jobs` > 1 a large
    file is split between worker processes, which send back only what `render` made (a set's results
    cost more to send between processes than to make)."""

    def read(segs: Iterable[Segment], part: parallel.Part | None) -> Iterator[Any]:
        items = checker.run_segments(segs, path, part.sets_before if part else 0, whole=part is None or part.last)
        for item in items:
            if render is not None and isinstance(item, TransactionResult):
                item = render(item)  # and the set itself is let go before the next one is read
            yield item

    return read_file(path, jobs if render is not None else 1, read)


def check_file(path: str, checker: Checker) -> FileResult:
    """Check one file completely and keep everything (for tests and small files; the CLI streams)."""
    result = FileResult(path)
    for item in results(path, checker):
        if isinstance(item, TransactionResult):
            result.transactions.append(item)
        elif isinstance(item, GroupResult):
            result.groups.append(item)
        elif isinstance(item, InterchangeResult):
            result.interchanges.append(item)
        else:
            result.error = item
    return result
