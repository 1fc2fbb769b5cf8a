"""The forward 837: only the accepted claims, each with the clearinghouse trace number (REF*D9).

Claims keep their segments as received; HL numbers, SE01, GE01, IEA01 and the control numbers are
recomputed. A claim that already carries a REF*D9 keeps it (the guide allows one), and that number
is the trace the 277CA reports for it. A group holds sets of one guide: the sets of an 837I and an
837P group of one input go into one group per version (GS08), in the order each version was first met.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Iterator
from typing import IO, TextIO

from ...engine.results import TransactionResult
from ...x12 import guide
from ...x12.read import Delimiters, redelimit
from . import envelope
from .envelope import Header, write_all
from .trace import trace

DEFAULT_VERSION = guide.VERSION_837I  # GS08 of a forward 837 whose first set names no version


@functools.cache
def claim_positions(version: str) -> dict[str, int]:
    """Where each segment that may open or follow in a claim's 2300 loop sits in the guide of
    `version` (pyx12's map positions): a 2300 segment's own, a nested loop's first segment the
    loop's. Both guides give every 2300 REF one position, so an id is enough."""
    g = guide.load()
    tree = g.tree(version if version in g.transactions else DEFAULT_VERSION)
    claim = next(n for n in tree if n.is_loop and n.id == "2300")
    out: dict[str, int] = {}
    for index in claim.children:
        node = g.nodes[index]
        if node.is_loop:
            first = g.nodes[node.children[0]] if node.children else None
            if first is not None and not first.is_loop:
                out.setdefault(first.id, node.pos)
        else:
            out[node.id] = min(node.pos, out.get(node.id, node.pos))
    return out


def with_trace(segs: list[str], trace: str, element: str, version: str = DEFAULT_VERSION) -> list[str]:
    """The claim's segments (as read, separated by `element`) with REF*D9 `trace` added if it has
    none: after the CLM and every segment the guide of `version` places before the 2300 REF*D9,
    before the first it places after it (X223A2: K3, NTE, CRC, HI ...; X222A1: K3, NTE, CR1, CR2 ...)."""
    d9 = element.join(("REF", "D9"))
    if any(s == d9 or s.startswith(d9 + element) for s in segs):
        return segs
    positions = claim_positions(version)
    ref = positions["REF"]
    at = next((i for i, s in enumerate(segs) if i and positions.get(s.partition(element)[0], 0) > ref), len(segs))
    return segs[:at] + [element.join(("REF", "D9", trace))] + segs[at:]


def render(tx: TransactionResult, number: int, control: int) -> tuple[Iterable[str], int]:
    """The forward 837 set (ST02 `number`, in the interchange `control`) holding `tx`'s accepted claims,
    one segment with its terminator at a time, and how many claims it holds (nothing, 0 when none was
    accepted). Made as it is written when the set's claims were spooled to disk, else listed."""
    if not tx.accepted:
        return [], 0
    return tx.claims.made(_segments(tx, number, control)), tx.accepted


def _segments(tx: TransactionResult, number: int, control: int) -> Iterator[str]:
    d = tx.delims
    assert d is not None
    e, end = d.element, d.segment
    st = f"{number:04d}"
    count = 1 + len(tx.header)
    yield e.join(("ST", "837", st, tx.version)) + end
    yield from (s + end for s in tx.header)
    hl = 0
    last: list = [None, None, None]
    ids = [0, 0, 0]
    for c in tx.claims:
        if c.status != "accepted" or c.segments is None:
            continue
        billing, subscriber, patient = c.blocks
        for level, block in enumerate((billing, subscriber, patient)):
            # The same loop as the claim before (its HL, so its place, included): written once.
            if not block or block == last[level]:
                continue
            last[level] = block
            for deeper in range(level + 1, 3):
                last[deeper] = None
            hl += 1
            ids[level] = hl
            head = block[0].split(e)
            if head[0] == "HL":
                head[1] = str(hl)
                head[2] = str(ids[level - 1]) if level else ""
                if len(head) > 4:
                    head[4] = "1" if level == 0 or (level == 1 and patient) else "0"
            yield e.join(head) + end
            yield from (s + end for s in block[1:])
            count += len(block)
        claim = with_trace(c.segments, trace(c, control, tx.number), e, tx.version)
        yield from (s + end for s in claim)
        count += len(claim)
    yield e.join(("SE", str(count + 1), st)) + end


class Writer:
    """The forward 837 interchange: the sets `render` made, under a header written before the first
    (`header` with the first set's receiver, version and delimiters). The sets of the first set's
    version are written as they come, in the first group; those of another version wait in a spool
    (memory, then disk) for a group of their own, written at `close`."""

    def __init__(self, header: Header) -> None:
        self.header = dataclasses.replace(header, functional_id="HC", line_break="")
        self.d: Delimiters | None = None
        self.sets = 0  # in the first group
        self.claims = 0
        self.others: dict[str, _Group] = {}  # the later groups, by version

    def add(self, out: TextIO, segments: Iterable[str], claims: int, d: Delimiters | None, receiver: str,
            version: str) -> None:
        """Write a set `render` made to `out`: the interchange and group header first (in the first
        set's delimiters, to its receiver), then the set; a set of another guide than the first's
        goes to its own group's spool."""
        if not claims or d is None:
            return
        if self.d is None:
            self.d = d
            self.header = dataclasses.replace(self.header, receiver=receiver[:15] or "RECEIVER", delims=d,
                                              version=version or DEFAULT_VERSION)
            out.write(self.header.isa() + self.header.gs())
        mine = self.d
        if d != mine:  # a later interchange of the input used other delimiters: write ours
            segments = (redelimit(seg, d, mine) + mine.segment
                        for text in segments for seg in text.split(d.segment)[:-1])
        self.claims += claims
        version = version or DEFAULT_VERSION
        if version == self.header.version:
            write_all(out, segments)
            self.sets += 1
            return
        group = self.others.get(version)
        if group is None:
            group = self.others[version] = _Group(receiver)
        write_all(group.body, segments)
        group.sets += 1

    def close(self, out: TextIO) -> None:
        """Write GE, the groups of the other versions (each GS06 the next number after the last), and
        IEA to `out`; nothing when no set was written (there is no forward 837)."""
        if not self.sets:
            return
        out.write(self.header.group_trailer(self.sets))
        for n, (version, group) in enumerate(self.others.items(), 1):
            head = dataclasses.replace(self.header, version=version,
                                       group_control=group_control(self.header.control, n),
                                       group_receiver=group.receiver[:15] or self.header.receiver)
            out.write(head.gs())
            envelope.copy(group.body, out)
            out.write(head.group_trailer(group.sets))
        out.write(self.header.interchange_trailer(1 + len(self.others)))
        self.others = {}


def group_control(control: int, n: int) -> int:
    """GS06 of the interchange `control`'s group after its first `n` (the first's GS06 is ISA13): the
    guide asks it to be unique within the interchange, N0 of at most nine digits."""
    later = control + n
    return later if later <= 999_999_999 else n


class _Group:
    """A later group of the forward 837: its sets, spooled until the first group is closed."""

    def __init__(self, receiver: str) -> None:
        self.receiver = receiver
        self.sets = 0
        self.body: IO[str] = envelope.spool()
