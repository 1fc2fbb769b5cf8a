"""The annotated 837: each segment with its loop, the guide's names for it and its elements, and the
findings that point at it. One model for `edi837 annotate` (text) and the HTML report.

The segments are read a second time, beside the check (`segments_of`: the reader and the guide
walker, as `parse` reads), so nothing of a file is held to annotate it: `claims_of` groups them per
claim (its subscriber/patient loops, then its own 2300 loop and below) as the report walks its
claims, and `attach` puts a set's findings on its segments by their place in the set (ST = 1) and
element reference (SV205, SV202-2, HI01-02).

A claim's segments are kept up to SHOWN_PER_CLAIM (its person loops, then its own), and the rest only
counted (`ClaimSegments.omitted`): a claim of a million segments would otherwise hold a million
annotated segments (about 2 kB each) at once, where `export` of the same file holds none. The report
shows the first ones with a note of how many there are; its findings are listed on the card either way.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ..findings import Finding
from ..x12 import guide as guide_mod
from ..x12.read import Segment, segments
from ..x12.walk import StructureError, Walker
from .inputs import open_input


@dataclass
class Element:
    """One element (or one component of a composite) as written, with the guide's name for it."""

    ref: str  # CLM01, CLM05-01
    name: str  # the guide's name: "Patient Control Number"; "" when the guide has none (a stray element)
    value: str
    index: int  # its place in the segment (1 = the first element)
    component: int = 0  # its place in a composite (0: not a component)
    findings: list[Finding] = field(default_factory=list)

    @property
    def in_error(self) -> bool:
        return any(f.is_error for f in self.findings)


@dataclass
class AnnotatedSegment:
    set_number: int  # the transaction set it is in (1 = the file's first; 0 outside any)
    position: int  # in the set, ST = 1 (0 for ISA, GS, GE, IEA)
    line: int
    offset: int
    id: str
    loop: str  # the loop id the guide walker puts it in: 2300, 2400, 2010BA ...
    loop_name: str  # the guide's name of that loop: "Claim Information"
    name: str  # the guide's name of the segment: "Institutional Service Line"; "" when it has no place
    text: str  # as read, without its terminator
    element_sep: str
    component_sep: str
    values: list[str]  # its elements as written (values[0] is element 1)
    node: int = -1  # the guide node (edi837.x12.guide) it is tagged with; -1 when the guide has no place for it
    findings: list[Finding] = field(default_factory=list)
    _elements: list[list[Element]] | None = None

    @property
    def in_error(self) -> bool:
        return any(f.is_error for f in self.findings)

    @property
    def elements(self) -> list[list[Element]]:
        """Per element: [the element], or a composite's components, with the guide's names (made when
        first asked: a clean claim in the report never asks)."""
        if self._elements is None:
            self._elements = _elements(self.id, self.values, self.component_sep, self.node)
        return self._elements


def element_names(node: guide_mod.Node | None) -> dict[int, tuple[str, str, dict[int, tuple[str, str]]]]:
    """Element index -> (ref, name, {component: (ref, name)}) of a guide segment node."""
    out: dict[int, tuple[str, str, dict[int, tuple[str, str]]]] = {}
    for spec in node.elements if node is not None else ():
        comps = {c.seq: (c.ref, c.name) for c in getattr(spec, "components", ())}
        out[spec.seq] = (spec.ref, spec.name, comps)
    return out


@functools.lru_cache(maxsize=2048)
def _node_names(node: int) -> dict[int, tuple[str, str, dict[int, tuple[str, str]]]]:
    return element_names(guide_mod.load().nodes[node] if node >= 0 else None)


def _elements(sid: str, values: list[str], component_sep: str, node: int) -> list[list[Element]]:
    names = _node_names(node)
    elements: list[list[Element]] = []
    for i, value in enumerate(values, start=1):
        ref, name, comps = names.get(i, (f"{sid}{i:02d}", "", {}))
        if not comps:
            elements.append([Element(ref, name, value, i)])
            continue
        elements.append([Element(comps.get(k, (f"{ref}-{k:02d}", ""))[0], comps.get(k, ("", name))[1], part, i, k)
                         for k, part in enumerate(value.split(component_sep), start=1)])
    return elements


def annotate_segment(seg: Segment, node: guide_mod.Node | None, loop: str, loop_name: str, set_number: int
                     ) -> AnnotatedSegment:
    return AnnotatedSegment(set_number, seg.position, seg.line, seg.offset, seg.elements[0], loop, loop_name,
                            node.name if node is not None else "", seg.raw, seg.delims.element,
                            seg.delims.component, seg.elements[1:], node.index if node is not None else -1)


def segments_of(path: str) -> Iterator[AnnotatedSegment]:
    """Every segment of the file at `path`, annotated (without findings), in file order. Stops quietly
    where the file cannot be read on: the check reports that error."""
    from ..errors import Edi837Error  # noqa: PLC0415

    g = guide_mod.load()
    walker = Walker(g)
    errors: list[StructureError] = []
    set_number = 0
    try:
        with open_input(path) as stream:
            for seg in segments(stream, path):
                if seg.elements[0] == "ST":
                    set_number += 1
                node = walker.tag(seg, errors)
                errors.clear()
                if node >= 0:
                    n = g.nodes[node]
                    loop_node = g.nodes[n.parent]
                    yield annotate_segment(seg, n, walker.loop, loop_node.name, set_number)
                else:
                    yield annotate_segment(seg, None, walker.loop, "", set_number)
    except Edi837Error:
        return


SHOWN_PER_CLAIM = 2_000  # annotated segments kept per claim (a claim in the guide's shape has a few hundred)


@dataclass
class ClaimSegments:
    set_number: int
    clm_position: int  # the CLM's place in its set: what the checked claim's `where.position` says
    context: list[AnnotatedSegment]  # its subscriber and patient loops (2000B, 2010BA ... 2000C, 2010CA)
    own: list[AnnotatedSegment]  # its CLM and everything after it, up to the next HL, CLM or SE
    omitted: int = 0  # its segments past SHOWN_PER_CLAIM (person loops' and its own): counted, not kept

    @property
    def segments(self) -> list[AnnotatedSegment]:
        return self.context + self.own

    @property
    def total(self) -> int:
        """How many segments the claim has, kept or not."""
        return len(self.context) + len(self.own) + self.omitted


class _Person:
    """The person loops (2000B/2010B*, 2000C/2010C*) in force, up to `limit` segments kept."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.kept: list[AnnotatedSegment] = []
        self.omitted = 0
        self.omitted_patient = 0  # of those, the patient loops' (dropped with them at the next patient)

    def start(self, s: AnnotatedSegment, patient: bool) -> None:
        """A new HL: a patient's (HL03 23) keeps the subscriber's loops before it; any other starts over."""
        if patient:
            self.kept = [p for p in self.kept if not _patient_loop(p)]
            self.omitted -= self.omitted_patient
            self.omitted_patient = 0
        else:
            self.clear()
        self.add(s)

    def add(self, s: AnnotatedSegment) -> None:
        if len(self.kept) < self.limit:
            self.kept.append(s)
        else:
            self.omitted += 1
            self.omitted_patient += _patient_loop(s)

    def clear(self) -> None:
        self.kept, self.omitted, self.omitted_patient = [], 0, 0


def _patient_loop(s: AnnotatedSegment) -> bool:
    return s.loop[:5] in ("2000C", "2010C")


def claims_of(segs: Iterable[AnnotatedSegment], limit: int = SHOWN_PER_CLAIM) -> Iterator[ClaimSegments]:
    """Each claim's segments, in file order (only one claim's are held at a time, at most `limit` of
    them: the others are counted in `omitted`)."""
    person = _Person(limit)
    claim: ClaimSegments | None = None
    for s in segs:
        if s.id in ("HL", "CLM", "SE", "ST", "GE", "IEA", "ISA", "GS") and claim is not None:
            yield claim
            claim = None
        if s.id == "HL":
            level = s.values[2] if len(s.values) > 2 else ""
            if level in ("22", "23"):
                person.start(s, patient=level == "23")
            else:
                person.clear()
        elif s.id == "CLM":
            context = person.kept[:limit - 1]  # room for the CLM itself
            claim = ClaimSegments(s.set_number, s.position, context, [s], person.omitted + len(person.kept) - len(context))
        elif claim is not None:
            if len(claim.context) + len(claim.own) < limit:
                claim.own.append(s)
            else:
                claim.omitted += 1
        elif s.id in ("ST", "SE", "GS", "GE", "ISA", "IEA"):
            person.clear()
        elif person.kept:
            person.add(s)
    if claim is not None:
        yield claim


class ClaimMatcher:
    """The annotated segments of the checked claims, in order: `find(set_number, position)` advances
    through the file's claims to the one whose CLM is at that place (None when the second reading has
    no such claim: it is already past it, or the file ends first)."""

    def __init__(self, path: str) -> None:
        self._claims = claims_of(segments_of(path))
        self._next: ClaimSegments | None = None

    def find(self, set_number: int, position: int) -> ClaimSegments | None:
        while True:
            if self._next is None:
                self._next = next(self._claims, None)
                if self._next is None:
                    return None
            got = self._next
            if (got.set_number, got.clm_position) == (set_number, position):
                self._next = None
                return got
            if (got.set_number, got.clm_position) > (set_number, position):
                return None
            self._next = None


ELEMENT = re.compile(r"(\d{1,2})(?:-(\d{1,2}))?\Z")


def element_place(f: Finding) -> tuple[int, int] | None:
    """(element, component) a finding names (SV205 -> (5, 0), SV202-2 -> (2, 2), HI01-02 -> (1, 2)),
    or None when it names none (or names another segment's element)."""
    if not f.element or not f.segment or not f.element.startswith(f.segment):
        return None
    m = ELEMENT.match(f.element[len(f.segment):])
    return (int(m.group(1)), int(m.group(2) or 0)) if m else None


def attach(segs: Iterable[AnnotatedSegment], findings: Iterable[Finding]) -> list[Finding]:
    """Put each finding on the segment (and element) it points at, by its place in the set (the
    segments are of one set, or one claim); returns those that point at none of them."""
    by_position = {s.position: s for s in segs if s.position}
    left: list[Finding] = []
    for f in findings:
        s = by_position.get(f.position) if f.segment else None
        if s is None or s.id != f.segment:
            left.append(f)
            continue
        if f not in s.findings:
            s.findings.append(f)
        place = element_place(f)
        if place is None or place[0] > len(s.elements):
            continue
        parts = s.elements[place[0] - 1]
        targets = [p for p in parts if p.component == place[1]] if place[1] else parts
        for el in targets or parts:
            if f not in el.findings:
                el.findings.append(f)
    return left
