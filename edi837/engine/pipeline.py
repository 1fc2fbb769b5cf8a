"""Segments in, claims and verdicts out: the one place that wires read → structure → claims → rules.

Files and folders are edi837.engine.inputs' (and the CLI's); everything here works on streams of segments.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from ..claims import Claim, ClaimBuilder
from ..errors import Edi837Error, InputError
from ..x12 import guide as guide_mod
from ..x12.envelope import ENVELOPE_IDS, Envelope, EnvelopeError
from ..x12.read import DEFAULT_DELIMITERS, SPACED, SPACED_FIX, Segment, segments
from ..x12.walk import StructureError, Walker
from . import parallel
from .inputs import read_file
from .results import (
    ClaimResult,
    FileResult,
    GroupResult,
    InterchangeResult,
    Result,
    SetClaims,
    TransactionResult,
)
from .sink import FindingSink, describe, note

if TYPE_CHECKING:
    from .. import rules as rules_mod  # imported by Checker: parse never runs the rules



def parse_stream(stream: BinaryIO, name: str) -> Iterator[Claim]:
    """Claims of one stream, one at a time. Raises Edi837Error on unreadable input."""
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
            raise InputError(describe(unknown), file=name, offset=seg.offset, segment=seg.number,
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
        raise InputError(f"file ends early: {cut.message}", file=name, offset=cut.offset, segment_id=cut.segment_id)


# -- check: findings per claim, verdicts per transaction set --------------------------------------

# Segments the checker does more with than walk, validate and build (see Checker.run).
RARE_IDS = ENVELOPE_IDS | {"HL", "CLM", "LX", "NM1", "BHT"}


class Checker:
    """Runs every check over one stream; yields TransactionResult, GroupResult, InterchangeResult as each closes."""

    def __init__(self, profile: rules_mod.Profile, ctx: rules_mod.Context, keep_segments: bool = False,
                 watch: Callable[[ClaimResult], None] | None = None, memory_claims: int | None = None) -> None:
        self.profile = profile
        self.ctx = ctx
        self.keep = keep_segments
        self.watch = watch  # called with each claim as its rules have run, before its set is decided
        self.memory_claims = memory_claims  # of a set's claims, kept in memory (the rest spooled): see SetClaims

    def run(self, stream: BinaryIO, name: str) -> Iterator[Result]:
        return self.run_segments(segments(stream, name), name)

    def run_segments(self, segs: Iterable[Segment], name: str, sets_before: int = 0, whole: bool = True
                     ) -> Iterator[Result]:
        """`run` over a file's segments. A part of a file (see edi837.engine.parallel) is its header, then a
        run of its sets; `sets_before` sets came before them, and `whole` False means the file goes on
        after the part, so its group and interchange are neither closed nor yielded."""
        check = FileCheck(self, name, sets_before)
        failure: Edi837Error | None = None
        try:
            for seg in segs:
                closed = check.read(seg)
                if closed:
                    yield from closed
        except Edi837Error as exc:  # unreadable from here on: close what is open, as at the end of input
            failure = exc
        yield from check.end(whole or failure is not None)
        if failure is not None:
            try:
                raise failure
            finally:
                failure = None  # its traceback holds this frame: no reference cycle through the local


def for_profile(profile: str | rules_mod.Profile = "medicare", today: dt.date | None = None, keep_segments: bool = False,
                watch: Callable[[ClaimResult], None] | None = None, memory_claims: int | None = None) -> Checker:
    """A Checker with a profile already loaded, a bundled one by name, or a profile JSON file
    (ProfileError if it cannot be loaded), and a fixed `today` if given; `keep_segments` keeps each claim's segments as read (the
    forward 837 needs them), `watch` sees each claim as it is checked."""
    from .. import rules  # noqa: PLC0415 (parse needs no rules: importing them costs start-up)

    ctx = rules.Context(today=today) if today is not None else rules.Context()
    loaded = profile if isinstance(profile, rules.Profile) else rules.load_profile(profile)
    return Checker(loaded, ctx, keep_segments=keep_segments, watch=watch,
                   memory_claims=memory_claims)


class FileCheck:
    """One file's check as it is read: each segment feeds the envelope, steps the walker, has its
    elements validated and feeds the claim builder; each finished claim goes through the rules; the
    sink files what is found. `read` hands back what a segment closed (a set, a group, an
    interchange), in order; most segments close nothing."""

    def __init__(self, checker: Checker, name: str, sets_before: int) -> None:
        from ..rules import run as run_rules  # noqa: PLC0415 (kept local, as is the validator: parse needs neither)
        from ..x12.validate import segment_checker  # noqa: PLC0415

        self.run_rules = functools.partial(run_rules, profile=checker.profile, ctx=checker.ctx)
        self.watch = checker.watch
        self.checker_for = segment_checker
        self.guide = guide_mod.load()
        self.walker = Walker(self.guide)
        self.env = Envelope(name)
        self.builder = ClaimBuilder(name, keep=checker.keep)
        self.memory_claims = checker.memory_claims
        self.sink = FindingSink(name)
        self.name = name
        self.sets_before = sets_before
        self.set_number = sets_before  # of the set being read, in the file (1 = the first)
        self.tx: TransactionResult | None = None
        self.group: GroupResult | None = None
        self.inter: InterchangeResult | None = None
        self.lx = ""  # LX01 of the service line being read
        self.struct: list[StructureError] = []
        self.last: Segment | None = None
        self.check_elements = segment_checker(DEFAULT_DELIMITERS.component)  # until the first ISA

    def read(self, seg: Segment) -> list[Result]:
        self.last = seg
        sid = seg.elements[0]
        rare = sid in RARE_IDS  # most segments need only the walker, the validator and the builder
        closed: list[Result] = []
        if rare and sid in ENVELOPE_IDS:
            self.sink.envelope(self.env.feed(seg), self.tx, self.group, self.inter)
            if self.tx is not None and sid != "SE":  # after its SE, or its SE never came
                closed.append(self.finish_set())
        node = self.walker.step(seg, self.struct)
        loop = self.walker.loop
        if seg.leading_blank:
            self.struct.append(StructureError("1", sid, seg.position, loop, node, SPACED, SPACED_FIX))
        if self.struct:
            self.sink.structure(self.struct, seg, self.tx, self.claim_id())
            self.struct.clear()
        if rare:
            closed += self.open_envelope(seg, sid)
        # Claims (of a set: a CLM found outside any, after an ISA or GE cut its set short, is reported by
        # the walker and belongs to no claim).
        tx = self.tx
        done = self.builder.feed(seg, loop) if tx is not None else self.builder.finish()
        if done is not None:
            self.close_claim(done)
        if tx is not None:
            if rare:
                self.note_header(seg, sid, loop, tx)
            if node >= 0:
                errors = self.check_elements(self.guide.nodes[node], seg)
                if errors:
                    self.sink.elements(errors, seg, loop, tx, self.claim_id(), self.lx if loop[:2] == "24" else "")
            if self.builder.raw is not None and sid != "ST" and sid != "SE" and not tx.findings:
                self.builder.retain(seg, loop, tx.header, not self.sink.claim, not self.sink.person)
        # A set is decided at the next envelope segment, not at its SE: a stray segment between SE and
        # GE is then reported against the set it follows instead of being dropped.
        if rare and (sid == "GE" or sid == "IEA"):
            closed += self.close_envelope(sid)
        return closed

    def claim_id(self) -> str | None:
        draft = self.builder.draft
        return draft.clm.get(1) if draft is not None else None

    def open_envelope(self, seg: Segment, sid: str) -> list[Result]:
        """ISA, GS and ST open what they head (an ISA first closes an interchange left open)."""
        closed: list[Result] = []
        if sid == "ISA":
            # An interchange (and group) left open by this ISA: closed with the errors the envelope just
            # filed (no IEA, no GE), not dropped unanswered.
            closed += self.sink.closed(self.group)
            self.group = None
            closed += self.sink.closed(self.inter)
            self.inter = InterchangeResult(self.name, seg.elements, seg.delims)
            self.sink.envelope(self.env.isa_values(seg), self.tx, self.group, self.inter)
            self.check_elements = self.checker_for(seg.delims.component)
        elif sid == "GS":
            self.group = GroupResult(self.name, seg.get(6), seg.elements, sets=self.sets_before)
            self.env.sets += self.sets_before
        elif sid == "ST":
            self.set_number += 1
            usage = self.inter.isa[15] if self.inter is not None and len(self.inter.isa) > 15 else ""
            self.tx = TransactionResult(self.name, seg.get(2), seg.get(3), claims=SetClaims(self.memory_claims),
                                        delims=seg.delims, number=self.set_number, usage=usage)
            self.sink.new_set(self.tx)
        return closed

    def note_header(self, seg: Segment, sid: str, loop: str, tx: TransactionResult) -> None:
        """What the answers take from the set's rare segments: HL, CLM, LX, the 1000A/B names, BHT."""
        if sid == "HL":
            self.sink.new_person(seg.get(3))
        elif sid == "CLM" and self.builder.draft is not None:
            self.sink.claim_opened(tx, seg)
        elif sid == "LX" and loop == "2400":
            self.lx = seg.get(1)
        elif sid == "NM1" and loop == "1000A":
            tx.submitter = (seg.get(3), seg.get(9))
        elif sid == "NM1" and loop == "1000B":
            tx.receiver = (seg.get(3), seg.get(9))
        elif sid == "BHT":
            tx.reference = seg.get(3)

    def close_claim(self, claim: Claim) -> None:
        """A claim's loop ended: its rules run, and it waits with its set for the set's verdict."""
        tx = self.tx
        assert tx is not None
        own, inherited = self.sink.claim_closed()
        for f in self.run_rules(claim):
            note(own, f)
        segs, blocks = self.builder.raw.take_claim() if self.builder.raw is not None else (None, ())
        result = ClaimResult(claim, own, inherited, segments=segs, blocks=blocks, number=len(tx.claims) + 1)
        tx.claims.append(result)
        if self.watch is not None:  # the terminal's progress bar
            self.watch(result)

    def finish_set(self) -> TransactionResult:
        """Close the transaction set: its last claim, then the verdict (a set-level error rejects all)."""
        tx = self.tx
        assert tx is not None
        done = self.builder.finish()
        if done is not None:
            self.close_claim(done)
        tx.decide()
        if self.group is not None:
            self.group.sets += 1
        self.tx = None
        return tx

    def close_envelope(self, sid: str) -> list[Result]:
        if sid == "GE":
            closed, self.group = self.sink.closed(self.group), None
        else:
            closed, self.inter = self.sink.closed(self.inter), None
        return list(closed)

    def end(self, whole: bool) -> Iterator[Result]:
        """End of input (or of a part of the file, when not `whole`): close what is still open, as the
        envelope says what was missing. A file that cannot be read on ends here too, so its open set is
        answered (rejected: its trailer is missing) and its group and interchange are closed."""
        if not whole:
            if self.tx is not None:
                yield self.finish_set()
            return
        self.sink.envelope(self.env.end(self.last), self.tx, self.group, self.inter, ik5="2")  # IK5 2: no trailer
        if self.tx is not None:
            yield self.finish_set()
        yield from self.sink.closed(self.group)
        yield from self.sink.closed(self.inter)


def rendered_claims(path: str, render: Callable[[Claim], str], jobs: int) -> Iterator[str | Edi837Error]:
    """`path`'s claims as `render` writes them, in file order, from worker processes when the file is
    large enough to split (see edi837.engine.parallel); an unreadable file ends with its error."""

    def read(segs: Iterable[Segment], part: parallel.Part | None) -> Iterator[str]:
        return map(render, parse_segments(segs, path, whole=part is None or part.last))

    return read_file(path, jobs, read)


def results(path: str, checker: Checker, jobs: int = 1,
            render: Callable[[TransactionResult], Any] | None = None) -> Iterator[Any]:
    """What `checker` finds in `path` (or - for stdin), each item as it closes; an unreadable file ends
    with its Edi837Error. Nothing is kept past its set: a set's claims wait in a ClaimSpool, so memory
    stays bounded however large the file or its sets.

    With a `render`, each transaction set comes back as `render` made it, and with `jobs` > 1 a large
    file is split between worker processes, which send back only what `render` made (a set's results
    cost more to send between processes than to make)."""

    def read(segs: Iterable[Segment], part: parallel.Part | None) -> Iterator[Any]:
        items = checker.run_segments(segs, path, part.sets_before if part else 0, whole=part is None or part.last)
        item: Any  # a set's result, then what `render` made of it
        for item in items:
            if render is not None and isinstance(item, TransactionResult):
                item = render(item)  # and the set itself is let go before the next one is read
            yield item

    return read_file(path, jobs if render is not None else 1, read)


def check_file(path: str, checker: Checker) -> FileResult:
    """Check one file completely and keep everything (for tests and small files; the CLI streams)."""
    result = FileResult(path)
    for item in results(path, checker):
        result.add(item)
    return result
