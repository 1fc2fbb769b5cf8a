"""`edi837 responses`: a payer's TA1, 999 and 277CA files in plain words, each answer with what it
names (the interchange, group, set or claim); with --outbox, the claims a stage forwarded that each
answer concerns (read from that OUTBOX's ledger, read only), and the answers that name none."""

from __future__ import annotations

import dataclasses
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..answers.write.report import Summary
from ..engine.inputs import INCLUDE, RESPONSE_INCLUDE
from ..engine.results import EXIT_REJECTED
from ..errors import printable
from .exits import EXIT_ERROR, EXIT_OK, CliError
from .inputs import each_file
from .options import format_option, include_option, paths_argument

if TYPE_CHECKING:  # imported when the command runs: every other command starts without them
    from ..responses import Response
    from ..stage.ledger import Ledger


@click.command()
@paths_argument
@click.option("--outbox", type=click.Path(file_okay=False, exists=True), metavar="OUTBOX",
              help="Match each answer to the claims `edi837 run` forwarded from OUTBOX (its ledger, read only).")
@format_option("text", "json")
@include_option
def responses(paths: tuple[str, ...], outbox: str | None, fmt: str, include: tuple[str, ...]) -> None:
    """Read a payer's TA1, 999 and 277CA files (or folders of them) and say what they answer, in words.

    Each answer names what it concerns: a TA1 the interchange (ISA13), a 999 the group (GS06) and set
    (ST02), a 277CA the claim (CLM01 and the REF*D9 trace the forward 837 gave it) or the batch. What
    the guide finds wrong with the file itself is listed as a problem. Folders are read for *.999,
    *.277, *.277ca, *.ta1 and the 837 names (see --include).

    Exit 0 when every answer accepts, 1 when one rejects (or a file has a problem), 2 when a file
    cannot be read as a TA1, 999 or 277CA.
    """
    from ..responses import ACCEPTED, read

    ledger = _ledger(Path(outbox)) if outbox else None
    counted = Summary()
    rejected = False
    if fmt == "json":
        click.echo('{"files": [', nl=False)
    for n, path in enumerate(each_file(paths, counted, INCLUDE + RESPONSE_INCLUDE if include == INCLUDE else include)):
        shown = printable(path)
        try:
            fh = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115 (closed below)
        except OSError as exc:
            counted.unreadable += 1
            click.echo(f"error: {shown}: cannot be read: {exc.strerror or exc}", err=True)
            continue
        if fmt == "json":
            click.echo(("," if n else "") + f"\n{{\"path\": {json.dumps(shown)}, \"records\": [", nl=False)
        with fh:
            for i, r in enumerate(read(fh, shown)):  # streamed: a 277CA of any size
                said = _said(r, ledger)
                rejected |= said.status != ACCEPTED and said.type != "GroupAck"
                counted.unreadable += said.codes == "unreadable"
                click.echo(_line(shown, said) if fmt == "text" else
                           ("," if i else "") + "\n" + json.dumps(dataclasses.asdict(said)), nl=fmt == "text")
        if fmt == "json":
            click.echo("]}", nl=False)
    if fmt == "json":
        click.echo("]}")
    if ledger is not None:
        ledger.close()
    sys.exit(EXIT_ERROR if counted.unreadable else EXIT_REJECTED if rejected else EXIT_OK)


@dataclass
class Said:
    """One answer as the output shows it: what it is, what it names and says, and (with --outbox) the
    forwarded claims it concerns (None without --outbox; [] when it names none)."""

    type: str  # Ta1, GroupAck, SetAck, ClaimStatus, BatchStatus, Problem
    line: int
    status: str  # accepted, rejected, noted; "problem"
    kind: str = ""  # TA1, 999, 277CA
    level: str = ""  # interchange, group, set, batch, provider, claim
    names: str = ""  # ISA13 …; GS06 … ST02 …; CLM01 … D9 …
    codes: str = ""
    words: str = ""
    payer: str = ""
    where: str = ""  # a problem's segment, loop and element
    forwarded: list[str] | None = None


def _ledger(outbox: Path) -> Ledger:
    from ..stage import Unusable
    from ..stage.status import open_ledger

    try:
        ledger = open_ledger(outbox)
    except Unusable as exc:
        raise CliError(str(exc)) from None
    if not ledger.migrated:
        raise CliError(f"{printable(str(outbox))}: its ledger was made by an earlier release; run `edi837 run` on it"
                       " once to migrate it")
    return ledger


def _said(r: Response, ledger: Ledger | None) -> Said:
    from ..responses import Problem
    from ..stage.payer import codes, target

    if isinstance(r, Problem):
        where = " ".join(x for x in (r.segment_id, f"loop {r.loop}" if r.loop else "", r.element) if x)
        return Said("Problem", r.line, "problem", codes=r.code, words=r.message, where=where)
    aim = target(r)
    kind, level, clause, args, names = aim if aim is not None else ("", "", "", (), "")
    said = Said(type(r).__name__, r.line, r.status, kind, level, names, codes(r), r.words, r.interchange.sender)
    if ledger is not None:
        said.forwarded = [n for _, n in ledger.forwarded_claims(clause, args)] if clause else None
    return said


def _line(shown: str, s: Said) -> str:
    at = f"{shown} line {s.line}"
    if s.type == "Problem":
        return f"{at}: problem {s.codes} at {s.where}: {s.words}"
    line = f"{at}: {s.kind} {s.level} answer for {s.names}: {s.status} ({s.codes}): {s.words}"
    if s.forwarded == []:
        return line + " -> names nothing forwarded (unmatched)"
    return line + (f" -> forwarded claims: {', '.join(s.forwarded)}" if s.forwarded else "")
