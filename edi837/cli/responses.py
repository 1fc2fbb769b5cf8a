"""`edi837 responses`: a payer's TA1, 999 and 277CA files in plain words, each answer with what it
names (the interchange, group, set or claim); with --outbox, the claims a stage forwarded that each
answer concerns (read from that OUTBOX's ledger, read only), and the answers that name none."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..answers.write.report import Summary
from ..engine.inputs import INCLUDE, RESPONSE_INCLUDE
from ..engine.results import EXIT_REJECTED
from ..errors import printable
from ..responses import ACCEPTED, Problem, Response, read
from ..stage.ledger import Ledger
from ..stage.payer import codes, target
from .exits import EXIT_ERROR, EXIT_OK, CliError
from .inputs import each_file
from .options import format_option, include_option, paths_argument


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
    ledger = _ledger(Path(outbox)) if outbox else None
    counted = Summary()
    rejected = False
    out: list[dict[str, Any]] = []
    for path in each_file(paths, counted, INCLUDE + RESPONSE_INCLUDE if include == INCLUDE else include):
        shown = printable(path)
        records = []
        try:
            fh = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115 (closed below)
        except OSError as exc:
            counted.unreadable += 1
            click.echo(f"error: {shown}: cannot be read: {exc.strerror or exc}", err=True)
            continue
        with fh:
            for r in read(fh, shown):
                entry = _entry(r, ledger)
                rejected |= entry["status"] != ACCEPTED and entry["type"] != "GroupAck"
                counted.unreadable += entry["codes"] == "unreadable"
                if fmt == "text":
                    click.echo(_line(shown, entry))
                records.append(entry)
        out.append({"path": shown, "records": records})
    if fmt == "json":
        click.echo(json.dumps({"files": out}, indent=2))
    if ledger is not None:
        ledger.close()
    sys.exit(EXIT_ERROR if counted.unreadable else EXIT_REJECTED if rejected else EXIT_OK)


def _ledger(outbox: Path) -> Ledger:
    path = outbox / "ledger.sqlite"
    if not path.is_file():
        raise CliError(f"{printable(str(outbox))}: no ledger here (ledger.sqlite): not an OUTBOX of `edi837 run`")
    ledger = Ledger(path, readonly=True)
    if ledger.version < 2:
        raise CliError(f"{printable(str(outbox))}: its ledger was made by an earlier release; run `edi837 run` on it"
                       " once to migrate it")
    return ledger


def _entry(r: Response, ledger: Ledger | None) -> dict[str, Any]:
    """One answer as the output shows it: what it is, names, says, and (with a ledger) concerns."""
    if isinstance(r, Problem):
        return {"type": "Problem", "line": r.line, "status": "problem", "kind": "", "level": "", "names": "",
                "codes": r.code, "words": r.message, "segment": r.segment_id, "loop": r.loop, "element": r.element}
    aim = target(r)
    kind, level, where, args, names = aim if aim is not None else ("", "", "", (), "")
    entry: dict[str, Any] = {"type": type(r).__name__, "line": r.line, "status": r.status, "kind": kind,
                             "level": level, "names": names, "codes": codes(r), "words": r.words,
                             "payer": r.interchange.sender}
    if ledger is not None:
        entry["forwarded"] = [n for _, n in ledger.forwarded_claims(where, args)] if where else None
    return entry


def _line(shown: str, e: dict[str, Any]) -> str:
    where = f"{shown} line {e['line']}"
    if e["type"] == "Problem":
        located = " ".join(x for x in (e["segment"], f"loop {e['loop']}" if e["loop"] else "", e["element"]) if x)
        return f"{where}: problem {e['codes']} at {located}: {e['words']}"
    line = f"{where}: {e['kind']} {e['level']} answer for {e['names']}: {e['status']} ({e['codes']}): {e['words']}"
    forwarded = e.get("forwarded", None)
    if "forwarded" in e:
        line += (" -> names nothing forwarded (unmatched)" if forwarded == [] else
                 f" -> forwarded claims: {', '.join(forwarded)}" if forwarded else "")
    return line
