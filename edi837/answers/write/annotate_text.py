"""`edi837 annotate`: a file segment by segment, as text for a terminal: its place in its set (ST = 1,
as findings count), loop id and the guide's name, the segment, and each finding under the segment it points at (edi837.engine.annotated).

Each transaction set is printed once it is checked: its findings (a few) are put on its segments as
they are read again, so a set of any size is annotated in bounded memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from ...engine.annotated import AnnotatedSegment, attach, segments_of
from ...engine.results import GroupResult, InterchangeResult, TransactionResult
from ...errors import Edi837Error
from ...findings import TRANSACTION, Finding
from .report import finding_text

NAME_WIDTH = 34


def segment_line(s: AnnotatedSegment) -> str:
    name = s.name if len(s.name) <= NAME_WIDTH else s.name[:NAME_WIDTH - 1] + "…"
    return f"{s.position or '':>5}  {s.loop or '-':<11} {name:<{NAME_WIDTH}}  {s.text}"


def finding_lines(f: Finding, s: AnnotatedSegment | None) -> list[str]:
    named = ""
    if s is not None:
        for parts in s.elements:
            for el in parts:
                if f in el.findings and el.name and not named:
                    whole = el.component and "-" not in f.element  # a finding about a whole composite
                    named = f" ({f.element})" if whole else f" ({el.ref} {el.name})"
    head, _, rest = finding_text(f).partition("\n")
    return ["      " + head.strip().replace(f" {f.rule} ", f" {f.rule}{named} ", 1),
            *("      " + line for line in rest.split("\n") if line)]


def lines(path: str, items: Iterable[Any], summary: Any) -> Iterator[str]:
    """The annotated lines of the file at `path`, given its check `items` (pipeline.results without a
    render), counting into `summary` (a report.Summary)."""
    segs = segments_of(path)
    pending: AnnotatedSegment | None = None
    envelope: list[Finding] = []
    error: Edi837Error | None = None
    yield path
    for item in items:
        if isinstance(item, (GroupResult, InterchangeResult)):
            summary.fold(item)
            envelope += item.findings
            continue
        if isinstance(item, Edi837Error):
            error = item
            continue
        if not isinstance(item, TransactionResult):
            continue
        summary.fold(item)
        found: dict[int, list[Finding]] = {}
        # A claim rejected with its set repeats the set's error (scope transaction): shown once, with the set.
        for f in [*item.findings, *(f for c in item.claims for f in c.all_findings if f.scope != TRANSACTION)]:
            found.setdefault(f.position, []).append(f)
        for c in item.claims:
            yield f"  claim {c.claim.claim_id}: {c.status.upper()} (transaction {item.control}, segment {c.claim.where.position})"
        closed = False  # this set's SE was printed: the next ISA or GS belongs with the next set
        while True:
            s = pending if pending is not None else next(segs, None)
            pending = None
            if s is None:
                break
            if s.set_number > item.number or (closed and s.id in ("ISA", "GS")):
                pending = s
                break
            closed = closed or (s.id == "SE" and s.set_number == item.number)
            here = found.pop(s.position, []) if s.set_number == item.number and s.position else []
            left = attach([s], here)
            yield segment_line(s)
            for f in s.findings:
                yield from finding_lines(f, s)
            for f in left:  # points at this place but at another segment id: shown here all the same
                yield from finding_lines(f, None)
        for rest in found.values():  # findings of the set that point at no segment read again
            for f in rest:
                yield from finding_lines(f, None)
    for s in itertools.chain([pending] if pending is not None else [], segs):
        yield segment_line(s)
    for f in envelope:
        yield from finding_lines(f, None)
    summary.file(unreadable=error is not None)
    if error is not None:
        yield f"  UNREADABLE: {error}"
