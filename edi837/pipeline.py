"""Files in, claims and findings out: the one place that wires read → structure → claims.

Files and folders are handled here and in the CLI only; everything below works on byte streams.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from . import guide as guide_mod
from .claims import Claim, ClaimBuilder
from .envelope import Envelope, EnvelopeError
from .read import EdiError, Segment, segments
from .walk import StructureError, Walker

CR1_HINT = ("CR1 (ambulance transport information) belongs to the 837P; in an 837I the loaded miles are"
            " the units (SV205) of the A0425/A0435/A0436 line and the pick-up ZIP is value code A0")


@dataclass
class Parsed:
    """What `parse_stream` read: claims plus the structure problems met on the way."""

    path: str
    claims: list[Claim] = field(default_factory=list)
    structure: list[StructureError] = field(default_factory=list)
    envelope: list[EnvelopeError] = field(default_factory=list)
    error: EdiError | None = None


def tagged(stream: BinaryIO, name: str, envelope_errors: list[EnvelopeError],
           structure_errors: list[StructureError]) -> Iterator[tuple[Segment, int, str]]:
    """Every segment with its guide node and loop id; envelope and guide errors go to the lists."""
    guide = guide_mod.load()
    walker = Walker(guide)
    env = Envelope(name)
    nodes = guide.nodes
    last: Segment | None = None
    for seg in segments(stream, name):
        last = seg
        found = env.feed(seg)
        if found:
            envelope_errors += found
        node = walker.step(seg, structure_errors)
        yield seg, node, nodes[nodes[walker.cur].parent].id
    envelope_errors += env.end(last)


def describe(err: StructureError) -> str:
    if err.code == "1" and err.segment_id == "CR1":
        return f"{err.message}: {CR1_HINT}"
    return err.message


def parse_stream(stream: BinaryIO, name: str) -> Iterator[Claim]:
    """Claims of one stream, one at a time. Raises EdiError on unreadable input."""
    env: list[EnvelopeError] = []
    struct: list[StructureError] = []
    builder = ClaimBuilder(name)
    for seg, node, loop in tagged(stream, name, env, struct):
        if node < 0:
            unknown = next(e for e in reversed(struct) if e.code == "1")
            raise EdiError(describe(unknown), file=name, offset=seg.offset, segment=seg.number,
                           segment_id=seg.id, element=f"loop {unknown.loop_id}")
        claim = builder.feed(seg, loop)
        if claim is not None:
            yield claim
    claim = builder.finish()
    if claim is not None:
        yield claim
    cut = next((e for e in env if e.truncated), None)
    if cut is not None:
        raise EdiError(f"file ends early: {cut.message}", file=name, offset=cut.offset, segment_id=cut.segment_id)


def as_edi_error(exc: BaseException, path: str) -> EdiError:
    """Any failure reading `path` as one located EdiError (a defect of ours says so, without a traceback)."""
    if isinstance(exc, EdiError):
        return exc
    return EdiError(f"internal error ({type(exc).__name__}: {exc}); please report this file", file=path)


@contextmanager
def open_input(path: str) -> Iterator[BinaryIO]:
    """`-` is standard input; anything else a file, opened for reading bytes."""
    if path == "-":
        yield sys.stdin.buffer
        return
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise EdiError(f"cannot open: {exc.strerror or exc}", file=path) from None
    with fh:
        yield fh


def expand(paths: Iterable[str]) -> Iterator[str]:
    """Files as given; folders recursed in name order, hidden files and folders skipped."""
    for p in paths:
        if p != "-" and os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if not f.startswith("."):
                        yield str(Path(root) / f)
        else:
            yield p
